
r
pbd/group.protopbd.grp"V
	WithGroup+
item (
2.pbd.grp.WithGroup.ItemRitem
Item
value (Rvalue
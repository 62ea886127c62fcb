
8
pbd/dup_a.protopbd.dup"
Same
a (	Rabproto3
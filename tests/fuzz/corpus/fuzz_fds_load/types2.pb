
£
pbd/types2.protopbd.t2"ê
Legacy
count (:42Rcount
id (	Rid)
level (2.pbd.t2.Level:HIGHRlevel)
unpacked_default (RunpackedDefault
packed (BRpacked
text (	:hiRtext%
levels (2.pbd.t2.LevelRlevels*dÈ*
Level
LOW
HIGH
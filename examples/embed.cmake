# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake: |file| as a C array
#   const unsigned char NAME[]; const size_t NAME_len;
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR n "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n"
       bytes "${bytes}")
file(WRITE ${OUT} "#include <stddef.h>\nconst unsigned char ${NAME}[] = {\n${bytes}0};\n"
     "const size_t ${NAME}_len = ${n};\n")

#include <descriptors/pool.h>

const char *pbd_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case PBD_ERR_NOMEM:
        return "out of memory";
    case PBD_ERR_IO:
        return "cannot read descriptor set";
    case PBD_ERR_PARSE:
        return "not a FileDescriptorSet";
    case PBD_ERR_DUPLICATE:
        return "duplicate definition";
    case PBD_ERR_UNRESOLVED:
        return "unresolved name";
    case PBD_ERR_TEMPLATE:
        return "invalid path template";
    case PBD_ERR_RULE:
        return "invalid HTTP rule";
    case PBD_ERR_NOT_FOUND:
        return "not found";
    case PBD_ERR_METHOD:
        return "method not allowed";
    default:
        return gb_strerror(code);
    }
}

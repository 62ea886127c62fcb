#include <descriptors/json_codec.h>
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
    case PBD_ERR_JSON_SYNTAX:
        return "invalid JSON";
    case PBD_ERR_JSON_TYPE:
        return "JSON value of the wrong type";
    case PBD_ERR_JSON_RANGE:
        return "number out of range";
    case PBD_ERR_JSON_FIELD:
        return "unknown field";
    case PBD_ERR_JSON_ENUM:
        return "unknown enum value";
    case PBD_ERR_JSON_ONEOF:
        return "several members of one oneof set";
    case PBD_ERR_JSON_VALUE:
        return "malformed value";
    case PBD_ERR_DEPTH:
        return "nesting too deep";
    case PBD_ERR_ANY_TYPE:
        return "unresolvable Any type";
    case PBD_ERR_WIRE:
        return "malformed protobuf wire data";
    case PBD_ERR_WIRE_UTF8:
        return "invalid UTF-8 in a string field";
    case PBD_ERR_FIELD_PATH:
        return "no such field";
    case PBD_ERR_JSON_INTERNAL:
        return "unsupported descriptor";
    default:
        return gb_strerror(code);
    }
}

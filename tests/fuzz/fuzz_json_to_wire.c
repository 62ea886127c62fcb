/*
 * JSON -> wire on a fixed descriptor set (codec_test.proto). Whatever the encoder
 * accepts must decode back to JSON, and that JSON must encode again.
 */
#include "fuzz_json_common.h"

#include <base/buf.h>

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pbd_json_opts o;
    const pbd_message *m = fuzz_pick(data[0], &o);
    gb_buf wire, json, again;
    gb_buf_init(&wire, 1 << 20);
    gb_buf_init(&json, 0);
    gb_buf_init(&again, 0);
    gb_err err = {0};
    if (pbd_json_to_wire(m, (const char *)data + 1, size - 1, &o, &wire, &err) == 0) {
        if (pbd_wire_to_json(m, gb_slice_of(wire.p, wire.n), &o, &json, &err) != 0)
            abort();
        if (pbd_json_to_wire(m, (const char *)json.p, json.n, &o, &again, &err) != 0)
            abort();
    } else if (err.msg[0] == '\0') {
        abort(); /* every refusal says why */
    }
    gb_buf_free(&wire);
    gb_buf_free(&json);
    gb_buf_free(&again);
    return 0;
}

/*
 * Wire -> JSON on a fixed descriptor set (codec_test.proto), any bytes: never a crash or
 * an over-read; what decodes is JSON the encoder accepts back.
 */
#include "fuzz_json_common.h"

#include <base/buf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pbd_json_opts o;
    const pbd_message *m = fuzz_pick(data[0], &o);
    gb_buf json, wire;
    gb_buf_init(&json, 0);
    gb_buf_init(&wire, 0);
    gb_err err = {0};
    if (pbd_wire_to_json(m, gb_slice_of(data + 1, size - 1), &o, &json, &err) == 0) {
        o.ignore_unknown = false;
        if (pbd_json_to_wire(m, (const char *)json.p, json.n, &o, &wire, &err) != 0)
            abort();
    } else if (err.msg[0] == '\0') {
        abort();
    }
    gb_buf_free(&json);
    gb_buf_free(&wire);
    return 0;
}

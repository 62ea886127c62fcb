/* The fixed descriptor set of the codec fuzzers (codec_test.proto) and how an input's
 * first byte picks the message type and the options. */
#ifndef FUZZ_JSON_COMMON_H
#define FUZZ_JSON_COMMON_H

#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include <stdint.h>
#include <stdlib.h>

static const char *const fuzz_types[] = {
    "codec.test.All",    "codec.test.Scalars", "codec.test.Repeated", "codec.test.Maps",
    "codec.test.Oneofs", "codec.test.Wkt",     "codec.test.Nested",   "codec.test.Optionals",
};

static const pbd_pool *fuzz_pool(void)
{
    static pbd_pool *pool;
    if (pool == NULL) {
        const char *files[] = {FUZZ_CODEC_PB};
        if (pbd_pool_load_files(files, 1, &pool, NULL) != 0)
            abort();
    }
    return pool;
}

/* Low 3 bits: the type; the next bits: options. */
static const pbd_message *fuzz_pick(uint8_t sel, pbd_json_opts *o)
{
    const pbd_pool *pool = fuzz_pool();
    pbd_json_opts_init(o);
    o->pool = pool;
    o->ignore_unknown = (sel & 0x08) != 0;
    o->use_proto_names = (sel & 0x10) != 0;
    o->enums_as_ints = (sel & 0x20) != 0;
    o->emit_unpopulated = (sel & 0x40) != 0;
    o->indent = (sel & 0x80) != 0 ? 2 : 0;
    const pbd_message *m = pbd_pool_find_message(pool, fuzz_types[sel & 7]);
    if (m == NULL)
        abort();
    return m;
}

#endif

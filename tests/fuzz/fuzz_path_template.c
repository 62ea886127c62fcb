/*
 * Path templates: the input is "<template>\n<request path>"; the template is parsed and,
 * when valid, matched against the path. Nothing may crash or read out of bounds, and a
 * match must capture every variable.
 */
#include <descriptors/path_template.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t tlen = nl != NULL ? (size_t)(nl - text) : size;
    gb_arena arena;
    gb_arena_init(&arena, 1 << 20);
    gb_err err = {0};
    const pbd_template *t = NULL;
    if (pbd_template_parse(text, tlen, &arena, &t, &err) == 0 && nl != NULL) {
        pbd_capture caps[64];
        size_t n = 0;
        int rc = pbd_template_match(t, nl + 1, size - tlen - 1, &arena, caps, 64, &n);
        if (rc == 0 && n != t->n_vars)
            abort();
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (caps[i].value[caps[i].len] != '\0')
                abort();
        }
    }
    gb_arena_clear(&arena);
    return 0;
}

/*
 * A request path cut into segments (and an optional ":verb"), shared by
 * pbd_template_match() and the router so that both capture variables the same way.
 */
#ifndef PBD_TEMPLATE_INT_H
#define PBD_TEMPLATE_INT_H

#include <descriptors/path_template.h>

typedef struct pbd_span {
    size_t off;
    size_t len;
} pbd_span;

typedef struct pbd_split {
    const char *path;
    pbd_span *segs; /* in the arena */
    size_t n_segs;
    const char *verb; /* after the last ':' of the last segment, when split off; else NULL */
    size_t verb_len;
} pbd_split;

/*
 * Cuts |path| ("/a/b:verb") into segments; with |with_verb| the text after the last ':'
 * of the last segment becomes the verb. Returns 0, PBD_ERR_NOT_FOUND (no leading '/', or
 * no ':' when |with_verb|) or PBD_ERR_NOMEM.
 */
int pbd_split_path(const char *path, size_t len, bool with_verb, gb_arena *arena, pbd_split *out);

/* Fills |caps| (t->n_vars entries) from a split path that matched |t|. Returns 0 or NOMEM. */
int pbd_template_capture(const pbd_template *t, const pbd_split *s, gb_arena *arena,
                         pbd_capture *caps);

#endif

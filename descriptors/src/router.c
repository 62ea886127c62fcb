/*
 * The router's trie: one node per template segment, with literal children sorted for
 * binary search plus a `*` child and a `**` child; leaves record (verb, HTTP method,
 * rule). Matching walks literal, then `*`, then `**`, so the first leaf found is the
 * most specific one (grpc-httpjson-transcoding's PathMatcher order).
 */
#include <descriptors/router.h>

#include "template_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct node node;

typedef struct edge {
    const char *lit;
    size_t len;
    node *child;
} edge;

typedef struct leaf {
    const char *verb; /* NULL: none */
    const char *http_method;
    const pbd_http_rule *rule;
    bool unbound;
} leaf;

struct node {
    edge *lits; /* sorted by (bytes, length) */
    size_t n_lits;
    node *star;
    node *dstar;
    leaf *leaves;
    size_t n_leaves;
};

struct pbd_router {
    gb_arena arena;
    pbd_pool *pool;
    node root;
    leaf *routes; /* copies of the leaves, in insertion order */
    size_t n_routes;
};

static int lit_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int r = memcmp(a, b, na < nb ? na : nb);
    return r != 0 ? r : (na > nb) - (na < nb);
}

/* Index of the literal child, or where it would go (with |*found| false). */
static size_t find_lit(const node *n, const char *s, size_t len, bool *found)
{
    size_t lo = 0, hi = n->n_lits;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = lit_cmp(n->lits[mid].lit, n->lits[mid].len, s, len);
        if (r == 0) {
            *found = true;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* Arrays grow by copying into the arena: routers are built once and are small. */
static node *lit_child(pbd_router *r, node *n, const pbd_segment *seg)
{
    bool found;
    size_t at = find_lit(n, seg->literal, seg->len, &found);
    if (found)
        return n->lits[at].child;
    edge *lits = gb_arena_alloc(&r->arena, (n->n_lits + 1) * sizeof(*lits));
    node *child = gb_arena_calloc(&r->arena, 1, sizeof(*child));
    if (lits == NULL || child == NULL)
        return NULL;
    if (n->n_lits > 0) {
        memcpy(lits, n->lits, at * sizeof(*lits));
        memcpy(lits + at + 1, n->lits + at, (n->n_lits - at) * sizeof(*lits));
    }
    lits[at] = (edge){seg->literal, seg->len, child};
    n->lits = lits;
    n->n_lits++;
    return child;
}

static node *wild_child(pbd_router *r, node **slot)
{
    if (*slot == NULL)
        *slot = gb_arena_calloc(&r->arena, 1, sizeof(**slot));
    return *slot;
}

static bool same_verb(const char *a, const char *b, size_t b_len)
{
    if (a == NULL || b == NULL)
        return a == NULL && b == NULL;
    return strlen(a) == b_len && memcmp(a, b, b_len) == 0;
}

static int add_leaf(pbd_router *r, node *n, const pbd_http_rule *rule, bool unbound, gb_err *err)
{
    const char *verb = rule->tmpl->verb;
    for (size_t i = 0; i < n->n_leaves; i++) {
        const leaf *l = &n->leaves[i];
        if (same_verb(l->verb, verb, verb != NULL ? strlen(verb) : 0) &&
            strcmp(l->http_method, rule->verb) == 0)
            return gb_err_set(err, PBD_ERR_DUPLICATE, "%s %s: bound to both %s and %s", rule->verb,
                              rule->path, l->rule->method->path, rule->method->path);
    }
    leaf *leaves = gb_arena_alloc(&r->arena, (n->n_leaves + 1) * sizeof(*leaves));
    if (leaves == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    if (n->n_leaves > 0)
        memcpy(leaves, n->leaves, n->n_leaves * sizeof(*leaves));
    leaves[n->n_leaves] = (leaf){verb, rule->verb, rule, unbound};
    n->leaves = leaves;
    r->routes[r->n_routes++] = leaves[n->n_leaves++];
    return 0;
}

static int insert(pbd_router *r, const pbd_http_rule *rule, bool unbound, gb_err *err)
{
    node *n = &r->root;
    for (size_t i = 0; n != NULL && i < rule->tmpl->n_segments; i++) {
        const pbd_segment *seg = &rule->tmpl->segments[i];
        if (seg->kind == PBD_SEG_LITERAL)
            n = lit_child(r, n, seg);
        else
            n = wild_child(r, seg->kind == PBD_SEG_STAR ? &n->star : &n->dstar);
    }
    if (n == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    return add_leaf(r, n, rule, unbound, err);
}

/* An unbound method's route: POST /pkg.Service/Method, the whole body as the request. */
static int insert_unbound(pbd_router *r, const pbd_method *m, gb_err *err)
{
    pbd_http_rule *rule = gb_arena_calloc(&r->arena, 1, sizeof(*rule));
    if (rule == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    int rc = pbd_template_parse(m->path, SIZE_MAX, &r->arena, &rule->tmpl, err);
    if (rc != 0)
        return rc;
    rule->verb = "POST";
    rule->path = m->path;
    rule->body = "*";
    rule->method = m;
    return insert(r, rule, true, err);
}

static size_t count_routes(const pbd_pool *pool)
{
    size_t n = 0;
    for (size_t i = 0; i < pbd_pool_n_services(pool); i++) {
        const pbd_service *s = pbd_pool_service(pool, i);
        for (size_t j = 0; j < s->n_methods; j++)
            n += s->methods[j].n_rules > 0 ? s->methods[j].n_rules : 1;
    }
    return n;
}

static int insert_all(pbd_router *r, bool unbound_pass, gb_err *err)
{
    for (size_t i = 0; i < pbd_pool_n_services(r->pool); i++) {
        const pbd_service *s = pbd_pool_service(r->pool, i);
        for (size_t j = 0; j < s->n_methods; j++) {
            const pbd_method *m = &s->methods[j];
            int rc = 0;
            if (unbound_pass && m->n_rules == 0)
                rc = insert_unbound(r, m, err);
            for (size_t k = 0; !unbound_pass && rc == 0 && k < m->n_rules; k++)
                rc = insert(r, &m->rules[k], false, err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int pbd_router_new(pbd_pool *pool, pbd_router **out, gb_err *err)
{
    pbd_router *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    gb_arena_init(&r->arena, 0);
    r->pool = pbd_pool_ref(pool);
    int rc = PBD_ERR_NOMEM;
    r->routes = gb_arena_calloc(&r->arena, count_routes(pool), sizeof(*r->routes));
    if (r->routes == NULL)
        gb_err_set(err, rc, "out of memory");
    else
        rc = insert_all(r, false, err);
    if (rc == 0)
        rc = insert_all(r, true, err);
    if (rc != 0) {
        pbd_router_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void pbd_router_free(pbd_router *r)
{
    if (r == NULL)
        return;
    gb_arena_clear(&r->arena);
    pbd_pool_unref(r->pool);
    free(r);
}

size_t pbd_router_n_routes(const pbd_router *r)
{
    return r->n_routes;
}

const pbd_http_rule *pbd_router_route(const pbd_router *r, size_t i, bool *unbound)
{
    if (i >= r->n_routes)
        return NULL;
    if (unbound != NULL)
        *unbound = r->routes[i].unbound;
    return r->routes[i].rule;
}

/* ---- matching ---- */

typedef struct walk {
    const pbd_split *s;
    const char *method; /* NULL: collect every method into |allowed| */
    gb_arena *arena;
    const char **allowed;
    size_t n_allowed;
    bool nomem;
} walk;

static void collect(walk *w, const char *http_method)
{
    for (size_t i = 0; i < w->n_allowed; i++) {
        if (strcmp(w->allowed[i], http_method) == 0)
            return;
    }
    const char **grown = gb_arena_alloc(w->arena, (w->n_allowed + 1) * sizeof(*grown));
    if (grown == NULL) {
        w->nomem = true;
        return;
    }
    if (w->n_allowed > 0)
        memcpy(grown, w->allowed, w->n_allowed * sizeof(*grown));
    grown[w->n_allowed++] = http_method;
    w->allowed = grown;
}

/* The leaf of |n| for the walk's verb and method ("*" rules take any method), if any. */
static const leaf *visit(walk *w, const node *n)
{
    const leaf *any = NULL;
    for (size_t i = 0; i < n->n_leaves; i++) {
        const leaf *l = &n->leaves[i];
        if (!same_verb(l->verb, w->s->verb, w->s->verb_len))
            continue;
        if (w->method == NULL)
            collect(w, l->http_method);
        else if (strcmp(l->http_method, w->method) == 0)
            return l;
        else if (strcmp(l->http_method, "*") == 0)
            any = l;
    }
    return any;
}

static const leaf *descend(walk *w, const node *n, size_t i)
{
    const leaf *l = NULL;
    if (i == w->s->n_segs) {
        l = visit(w, n);
    } else {
        const pbd_span *seg = &w->s->segs[i];
        bool found;
        size_t at = find_lit(n, w->s->path + seg->off, seg->len, &found);
        if (found)
            l = descend(w, n->lits[at].child, i + 1);
        if (l == NULL && n->star != NULL)
            l = descend(w, n->star, i + 1);
    }
    if (l == NULL && n->dstar != NULL)
        l = visit(w, n->dstar);
    return l;
}

/* Tries the path with its ":verb" split off first, then as it is. */
static const leaf *search(const pbd_router *r, walk *w, pbd_split *split, const char *path,
                          size_t len, int *rc)
{
    for (int with_verb = 1; with_verb >= 0; with_verb--) {
        *rc = pbd_split_path(path, len, with_verb, w->arena, split);
        if (*rc == PBD_ERR_NOMEM)
            return NULL;
        if (*rc != 0)
            continue;
        w->s = split;
        const leaf *l = descend(w, &r->root, 0);
        if (l != NULL)
            return l;
    }
    *rc = w->nomem ? PBD_ERR_NOMEM : PBD_ERR_NOT_FOUND;
    return NULL;
}

int pbd_router_match(const pbd_router *r, const char *http_method, const char *path, size_t len,
                     gb_arena *arena, pbd_route *out)
{
    memset(out, 0, sizeof(*out));
    walk w = {.method = http_method, .arena = arena};
    pbd_split split;
    int rc;
    const leaf *l = search(r, &w, &split, path, len, &rc);
    if (l == NULL) {
        if (rc != PBD_ERR_NOT_FOUND)
            return rc;
        w.method = NULL;
        search(r, &w, &split, path, len, &rc);
        if (w.nomem)
            return PBD_ERR_NOMEM;
        out->allowed = w.allowed;
        out->n_allowed = w.n_allowed;
        return w.n_allowed > 0 ? PBD_ERR_METHOD : PBD_ERR_NOT_FOUND;
    }
    const pbd_template *t = l->rule->tmpl;
    out->captures = gb_arena_calloc(arena, t->n_vars, sizeof(*out->captures));
    if (out->captures == NULL || pbd_template_capture(t, &split, arena, out->captures) != 0)
        return PBD_ERR_NOMEM;
    out->rule = l->rule;
    out->unbound = l->unbound;
    out->n_captures = t->n_vars;
    return 0;
}

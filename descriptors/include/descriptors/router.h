/*
 * The HTTP router: every google.api.http rule of a pool compiled into one trie of path
 * segments, matched by (HTTP method, path). When several templates match, the most
 * specific wins, segment by segment: a literal beats `*`, which beats `**`. A path that
 * ends in ":verb" goes to a template with that custom verb before any template could
 * swallow the colon into a variable. Methods without a rule are routed at
 * `POST /pkg.Service/Method` with body "*".
 *
 *     pbd_router *router;
 *     if (pbd_router_new(pool, &router, &err) != 0) ...
 *     pbd_route route;
 *     switch (pbd_router_match(router, "GET", path, path_len, req_arena, &route)) {
 *     case 0:                   call(route.rule->method, route.captures, route.n_captures);
 *     case PBD_ERR_METHOD:      reply 405 with Allow: route.allowed[0..n_allowed)
 *     case PBD_ERR_NOT_FOUND:   reply 404
 *     }
 *     pbd_router_free(router);
 */
#ifndef PBD_ROUTER_H
#define PBD_ROUTER_H

#include <descriptors/path_template.h>
#include <descriptors/pool.h>

typedef struct pbd_router pbd_router;

typedef struct pbd_route {
    const pbd_http_rule *rule; /* rule->method is the gRPC method */
    bool unbound;              /* the method has no rule: POST /pkg.Service/Method, body "*" */
    pbd_capture *captures;     /* one per variable of rule->tmpl, in its order */
    size_t n_captures;
    const char **allowed; /* PBD_ERR_METHOD: the HTTP methods the path accepts */
    size_t n_allowed;
} pbd_route;

/**
 * Builds the router of every rule of |pool|, and of every unbound method.
 * Ownership: the router takes a reference to |pool| and drops it in pbd_router_free().
 * Thread: the finished router is immutable; any number of threads may match at once.
 * Returns 0, PBD_ERR_DUPLICATE (two rules for one method and template shape; |err| names
 * both) or PBD_ERR_NOMEM.
 */
int pbd_router_new(pbd_pool *pool, pbd_router **out, gb_err *err);

/** Frees the router and drops its pool reference. NULL is allowed. */
void pbd_router_free(pbd_router *r);

/**
 * Finds the rule for |http_method| ("GET", case-sensitive) and |path| (|len| bytes, no
 * query string). Captured variables and the allowed list live in |arena|.
 * Ownership: |out| is the caller's; the rule belongs to the router.
 * Thread: any.
 * Returns 0, PBD_ERR_METHOD (the path is routed for other methods: |out->allowed|),
 * PBD_ERR_NOT_FOUND, or PBD_ERR_NOMEM (|arena| is full).
 */
int pbd_router_match(const pbd_router *r, const char *http_method, const char *path, size_t len,
                     gb_arena *arena, pbd_route *out);

/** Routes in pool order (each method's rules in order), then the unbound methods'. */
size_t pbd_router_n_routes(const pbd_router *r);
/** The |i|th route's rule and whether it is an unbound method's; NULL past the end. */
const pbd_http_rule *pbd_router_route(const pbd_router *r, size_t i, bool *unbound);

#endif

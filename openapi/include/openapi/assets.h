/*
 * The Swagger UI, embedded in the binary: swagger-ui-dist's script, styles and icons
 * plus our own index.html, which opens on ../openapi.json with "Try it out" enabled
 * and sends no request anywhere else (no CDN, no validator badge).
 *
 * The HTTP front end hands over the request path; nothing touches the file system,
 * so only the exact names of the embedded set can match (no traversal, no encodings):
 *
 *     const oas_asset *a;
 *     if (strcmp(url, "/") == 0 || strcmp(url, "/swagger-ui") == 0)
 *         return redirect(conn, "/swagger-ui/");                     // 301 or 302
 *     if (oas_asset_find(url, strlen(url), &a) != 0)
 *         return reply_404(conn);
 *     if (oas_asset_etag_matches(a, if_none_match))                  // If-None-Match
 *         return reply_304(conn, a->etag, a->cache_control);
 *     resp = MHD_create_response_from_buffer(a->body.n, (void *)a->body.p,
 *                                            MHD_RESPMEM_PERSISTENT);
 *     MHD_add_response_header(resp, "Content-Type", a->content_type);
 *     MHD_add_response_header(resp, "ETag", a->etag);
 *     MHD_add_response_header(resp, "Cache-Control", a->cache_control);
 */
#ifndef OAS_ASSETS_H
#define OAS_ASSETS_H

#include <openapi/openapi.h>

#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct oas_asset {
    const char *name;          /* "swagger-ui.css"; the page is "index.html" */
    const char *content_type;  /* "text/css; charset=utf-8", "image/png", ... */
    gb_slice body;             /* static bytes */
    const char *etag;          /* strong, quoted: "\"9f3c...\"" */
    const char *cache_control; /* "no-cache" for the page, "public, max-age=3600" else */
} oas_asset;

/** Prefix of every asset path, with its trailing slash. */
#define OAS_ASSETS_PREFIX "/swagger-ui/"

/**
 * Finds the asset for the request path |path| (|len| bytes, not NUL-terminated,
 * without the query string): "/swagger-ui/" and "/swagger-ui/index.html" give the
 * page, "/swagger-ui/<name>" the file <name>. Anything else, including "..", "%2e",
 * sub-folders and embedded NULs, is not found.
 * Ownership: |*out| points to static data that lives as long as the program.
 * Thread: any.
 * Returns 0, or OAS_ERR_NOT_FOUND.
 */
int oas_asset_find(const char *path, size_t len, const oas_asset **out);

/**
 * Tells whether the If-None-Match header value |if_none_match| (NULL when absent)
 * names |a|'s ETag ("*", a list, weak "W/" forms included), i.e. a 304 is due.
 * Thread: any.
 */
bool oas_asset_etag_matches(const oas_asset *a, const char *if_none_match);

/** The embedded assets in name order: |*n_out| gets the count. Thread: any. */
const oas_asset *oas_assets_all(size_t *n_out);

#endif

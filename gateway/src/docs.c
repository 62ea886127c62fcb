/* /openapi.json, /swagger.json (rendered with each schema snapshot, served with their
 * ETag and Cache-Control: no-cache) and the embedded Swagger UI. */
#include "docs.h"

#include "schema.h"
#include "server.h"
#include "status_map.h"

#include <openapi/assets.h>

#include <microhttpd.h>

#include <string.h>

static int asset_complete(gw_req *req)
{
    const oas_asset *a = req->hstate;
    if (a == NULL) { /* /swagger-ui without its slash */
        gw_req_add_header(req, MHD_HTTP_HEADER_LOCATION, "/swagger-ui/");
        return gw_req_reply_raw(req, 301, NULL, "", 0);
    }
    gw_req_add_header(req, MHD_HTTP_HEADER_ETAG, a->etag);
    gw_req_add_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, a->cache_control);
    if (oas_asset_etag_matches(a, gw_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH)))
        return gw_req_reply_raw(req, 304, NULL, "", 0);
    return gw_req_reply_raw(req, 200, a->content_type, a->body.p, a->body.n);
}

static const gw_handler asset = {"swagger-ui", NULL, asset_complete, NULL, NULL};

/* A temporary redirect: the UI can be turned off later, and browsers keep 301s. */
static int root_complete(gw_req *req)
{
    gw_req_add_header(req, MHD_HTTP_HEADER_LOCATION, OAS_ASSETS_PREFIX);
    return gw_req_reply_raw(req, 302, NULL, "", 0);
}

static const gw_handler root = {"swagger-ui", NULL, root_complete, NULL, NULL};

static const gw_handler *only_get(gw_req *req, const gw_handler *h)
{
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
        return h;
    gw_req_add_header(req, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    gw_req_reply_error(req, 405, GW_CODE_UNIMPLEMENTED, "Method Not Allowed");
    return NULL;
}

const gw_handler *gw_docs_route(gw_req *req)
{
    const char *p = req->path;
    if (strcmp(p, "/openapi.json") == 0) {
        req->hstate = &req->schema->openapi;
        return only_get(req, &asset);
    }
    if (strcmp(p, "/swagger.json") == 0) {
        req->hstate = &req->schema->swagger;
        return only_get(req, &asset);
    }
    if (req->srv->cfg->swagger_ui && strcmp(p, "/") == 0)
        return only_get(req, &root);
    if (req->srv->cfg->swagger_ui && strcmp(p, "/swagger-ui") == 0) {
        req->hstate = NULL;
        return only_get(req, &asset);
    }
    if (req->srv->cfg->swagger_ui &&
        strncmp(p, OAS_ASSETS_PREFIX, strlen(OAS_ASSETS_PREFIX)) == 0) {
        const oas_asset *a;
        if (oas_asset_find(p, strlen(p), &a) != 0) {
            gw_req_reply_error(req, 404, GW_CODE_NOT_FOUND, "Not Found");
            return NULL;
        }
        req->hstate = (void *)(uintptr_t)a;
        return only_get(req, &asset);
    }
    return NULL;
}

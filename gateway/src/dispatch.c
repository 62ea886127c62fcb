/*
 * Which handler serves a request: the built-in endpoints, CORS preflights, then
 * the transcoded routes. Errors found here (no route, wrong method) are replies.
 */
#include "app.h"
#include "cors.h"
#include "schema.h"
#include "server.h"
#include "status_map.h"

#include <microhttpd.h>

#include <string.h>

/* Adds the CORS headers when CORS is on and the Origin is allowed; returns whether it is. */
static bool cors(gw_req *req)
{
    const gw_config *c = req->srv->cfg;
    const char *origin = gw_req_header(req, "Origin");
    if (!gw_cors_origin_allowed(c->cors_origins, c->n_cors_origins, origin))
        return false;
    gw_req_add_header(req, "Access-Control-Allow-Origin", origin);
    gw_req_add_header(req, "Vary", "Origin");
    req->cors = true; /* the front end adds Access-Control-Expose-Headers */
    return true;
}

static int preflight_complete(gw_req *req)
{
    const gw_config *c = req->srv->cfg;
    const char *allow = req->hstate;
    const char *hdrs = gw_cors_allow_headers(gw_req_header(req, "Access-Control-Request-Headers"),
                                             c->forward_headers, c->n_forward_headers, &req->arena);
    gw_req_add_header(req, "Access-Control-Allow-Methods", allow);
    if (hdrs != NULL && hdrs[0] != '\0')
        gw_req_add_header(req, "Access-Control-Allow-Headers", hdrs);
    gw_req_add_header(req, "Access-Control-Max-Age", GW_CORS_MAX_AGE);
    return gw_req_reply_raw(req, 204, NULL, "", 0);
}

static const gw_handler preflight = {"cors-preflight", NULL, preflight_complete, NULL, NULL};

static const gw_handler *route_error(gw_req *req, int rc, const char *allow)
{
    if (rc == GW_ERR_METHOD) {
        gw_req_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
        gw_req_reply_error(req, 405, GW_CODE_UNIMPLEMENTED, "Method Not Allowed");
    } else if (rc == GW_ERR_NO_ROUTE) {
        gw_req_reply_error(req, 404, GW_CODE_NOT_FOUND, "Not Found");
    }
    return NULL;
}

const gw_handler *gw_dispatch(gw_req *req)
{
    req->schema = gw_app_schema(req->srv->app); /* released when the request ends */
    bool is_cors = cors(req);
    const char *allow = NULL;
    const gw_handler *h = gw_builtin_route(req);
    if (h != NULL || req->reply.status != 0)
        return h;
    if (is_cors && strcmp(req->method, "OPTIONS") == 0 &&
        gw_req_header(req, "Access-Control-Request-Method") != NULL) {
        int rc = gw_app_allowed(req, &allow);
        if (rc != 0)
            return route_error(req, rc, allow);
        req->hstate = (void *)(uintptr_t)allow;
        return &preflight;
    }
    int rc = gw_app_route(req, &h, &allow);
    if (rc != 0)
        return route_error(req, rc, allow);
    return h;
}

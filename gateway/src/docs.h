/* The OpenAPI documents and Swagger UI, served from what the openapi library builds. */
#ifndef GW_DOCS_H
#define GW_DOCS_H

#include "app.h"
#include "config.h"
#include "req.h"

/** Renders /openapi.json and /swagger.json into |app| at start-up. Returns 0 or an error. */
int gw_app_render_docs(gw_app *app, const gw_config *cfg, gb_err *err);

/**
 * The handler for /openapi.json, /swagger.json and /swagger-ui/... (unless
 * --no-swagger-ui), or NULL with req->reply set (405, 404) or unset (not ours).
 */
const gw_handler *gw_docs_route(gw_req *req);

#endif

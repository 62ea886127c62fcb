/* The OpenAPI documents and Swagger UI, served from what the openapi library builds. */
#ifndef GW_DOCS_H
#define GW_DOCS_H

#include "app.h"
#include "config.h"
#include "req.h"

/**
 * The handler for /openapi.json, /swagger.json and /swagger-ui/... (unless
 * --no-swagger-ui), or NULL with req->reply set (405, 404) or unset (not ours).
 */
const gw_handler *gw_docs_route(gw_req *req);

#endif

/*
 * gRPC replies as HTTP: a message as JSON (or only its response_body field, or the
 * raw bytes of a google.api.HttpBody), a status as a google.rpc.Status JSON body with
 * its details decoded, metadata as Grpc-Metadata-* / Grpc-Trailer-* headers.
 */
#ifndef GW_REPLY_GRPC_H
#define GW_REPLY_GRPC_H

#include "app.h"
#include "call.h"
#include "req.h"
#include "schema.h"

#include <base/buf.h>
#include <grpc-core/status.h>

#define GW_CTYPE_MAX 128

/**
 * Appends the JSON of reply message |msg| of |m| under |rule| (NULL: unbound) to |out|
 * and sets |ctype| to ""; for a google.api.HttpBody, appends its raw data and sets
 * |ctype| to its content type. Returns 0, or a codec error with |err| set.
 */
int gw_message_json(const gw_schema *schema, const pbd_method *m, const pbd_http_rule *rule,
                    gb_slice msg, bool pretty, gb_buf *out, char ctype[GW_CTYPE_MAX], gb_err *err);

/**
 * Appends {"code":N,"message":"...","details":[...]} for |st|: details from its
 * grpc-status-details-bin, each decoded as a JSON Any when the pool knows the type,
 * else kept as {"@type":url,"value":"<base64>"}. Returns 0 or a gb_buf error.
 */
int gw_status_json(const gw_schema *schema, const gcore_status *st, gb_buf *out);

/** Fills |req|'s reply from the finished call |gc| (its lock not held). */
void gw_reply_from_call(gw_req *req, gw_call *gc);

/** Adds |gc|'s response headers (and, when |trailers|, trailers) as HTTP headers. */
void gw_reply_metadata(gw_req *req, gw_call *gc, bool trailers);

/** Sets an error reply for |st| (mapped HTTP status, Status JSON body). */
void gw_reply_status(gw_req *req, const gw_schema *schema, const gcore_status *st);

#endif

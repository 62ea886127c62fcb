/* Building replies in the request's arena, and handing suspended requests back. */
#include "req.h"
#include "server.h"
#include "status_map.h"
#include "worker.h"

#include <microhttpd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *gw_req_header(gw_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int gw_req_reply_raw(gw_req *req, int status, const char *ctype, const void *body, size_t n)
{
    req->reply.status = status;
    req->reply.content_type = ctype;
    req->reply.body = body;
    req->reply.body_len = n;
    req->reply.stream = NULL;
    return GW_REPLY_NOW;
}

int gw_req_reply_json(gw_req *req, int status, const char *body, size_t n)
{
    void *copy = gb_arena_memdup(&req->arena, body, n);
    if (copy == NULL)
        return gw_req_reply_raw(req, 500, "application/json",
                                "{\"code\":13,\"message\":\"reply too large\",\"details\":[]}", 52);
    return gw_req_reply_raw(req, status, "application/json", copy, n);
}

int gw_json_quote(gb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = gb_buf_putc(b, '"');
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = gb_buf_append(b, esc, 2);
        } else if (c == '\n') {
            rc = gb_buf_append(b, "\\n", 2);
        } else if (c < 0x20 || c == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rc = gb_buf_append(b, esc, 6);
        } else {
            rc = gb_buf_putc(b, c);
        }
    }
    return rc == 0 ? gb_buf_putc(b, '"') : rc;
}

int gw_req_reply_error(gw_req *req, int status, int grpc_code, const char *msg)
{
    gb_buf b;
    gb_buf_init(&b, 64 * 1024);
    int rc = gb_buf_printf(&b, "{\"code\":%d,\"message\":", grpc_code);
    if (rc == 0)
        rc = gw_json_quote(&b, msg, strlen(msg));
    if (rc == 0)
        rc = gb_buf_append_str(&b, ",\"details\":[]}");
    if (status == 0)
        status = gw_status_http_from_grpc(grpc_code);
    if (rc == 0)
        gw_req_reply_json(req, status, (const char *)b.p, b.n);
    else
        gw_req_reply_raw(req, status, "application/json",
                         "{\"code\":13,\"message\":\"error\",\"details\":[]}", 42);
    gb_buf_free(&b);
    if (status == 401)
        gw_req_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, msg[0] ? msg : "Bearer");
    return GW_REPLY_NOW;
}

int gw_req_add_header(gw_req *req, const char *name, const char *value)
{
    return gw_md_list_add(&req->reply.headers, &req->arena, name, value, strlen(value));
}

void gw_req_resume(gw_req *req)
{
    req->state = GW_REQ_DONE;
    gw_req_wake(req);
}

void gw_req_suspend(gw_req *req)
{
    gw_req_worker(req)->n_suspended++;
    MHD_suspend_connection(req->conn);
}

void gw_req_wake(gw_req *req)
{
    gw_worker *w = gw_req_worker(req);
    w->n_suspended--;
    MHD_resume_connection(req->conn);
    gw_worker_kick(w);
}

void gw_req_hold(gw_req *req, bool hold)
{
    if (req->held == hold)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int on = hold;
    if (ci != NULL)
        setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
    req->held = hold;
}

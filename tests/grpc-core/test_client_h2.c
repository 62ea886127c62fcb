/*
 * The client against a scripted nghttp2 server: responses a real gRPC server does
 * not send (no grpc-status, HTTP errors, bad content-type, cut messages), GOAWAY
 * with streams it never processed, refused streams, and a peer that goes silent.
 */
#include <criterion/criterion.h>

#include "h2peer.h"

#include <grpc-core/blocking.h>
#include <grpc-core/wire.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof(a[0]) / 2)

static const char *const ok_hdrs[] = {":status", "200", "content-type", "application/grpc"};
static const char *const ok_trl[] = {"grpc-status", "0", "x-done", "yes"};
static const uint8_t one_msg[] = {0, 0, 0, 0, 1, 'x'};

static int refused_once;
static int32_t goaway_held[3];
static int goaway_n;

static void reply_ok(const h2peer_req *r)
{
    char timeout[48];
    const char *trl[] = {"grpc-status", "0", "x-timeout", timeout};
    snprintf(timeout, sizeof(timeout), "%s", r->timeout);
    h2peer_respond(r->session, r->stream_id, ok_hdrs, N(ok_hdrs), r->body, r->body_n, trl, 2);
}

static void goaway(const h2peer_req *r)
{
    if (r->conn_index > 0) {
        reply_ok(r);
        return;
    }
    goaway_held[goaway_n++] = r->stream_id;
    if (goaway_n < 3)
        return;
    /* Only the first stream was processed; the client must retry the others. */
    nghttp2_submit_goaway(r->session, NGHTTP2_FLAG_NONE, goaway_held[0], NGHTTP2_NO_ERROR, NULL, 0);
    h2peer_respond(r->session, goaway_held[0], ok_hdrs, N(ok_hdrs), one_msg, sizeof(one_msg),
                   ok_trl, N(ok_trl));
}

static void handler(const h2peer_req *r, void *ud)
{
    (void)ud;
    const char *p = r->path + strlen("/t.S/");
    nghttp2_session *s = r->session;
    int32_t id = r->stream_id;
    if (strcmp(p, "Echo") == 0) {
        reply_ok(r);
    } else if (strcmp(p, "NoStatus") == 0) {
        h2peer_respond(s, id, ok_hdrs, N(ok_hdrs), one_msg, sizeof(one_msg), NULL, 0);
    } else if (strcmp(p, "Http503") == 0) {
        static const char *const h[] = {":status", "503"};
        h2peer_respond(s, id, h, N(h), NULL, 0, NULL, 0);
    } else if (strcmp(p, "Http404") == 0) {
        static const char *const h[] = {":status", "404", "content-type", "text/html"};
        h2peer_respond(s, id, h, N(h), (const uint8_t *)"<html>", 6, NULL, 0);
    } else if (strcmp(p, "TrailersOnly") == 0) {
        static const char *const h[] = {":status",     "200", "content-type", "application/grpc",
                                        "grpc-status", "7",   "grpc-message", "nope%20here",
                                        "x-extra",     "1"};
        h2peer_respond(s, id, h, N(h), NULL, 0, NULL, 0);
    } else if (strcmp(p, "NotGrpc") == 0) {
        static const char *const h[] = {":status", "200", "content-type", "application/json"};
        h2peer_respond(s, id, h, N(h), (const uint8_t *)"{}", 2, NULL, 0);
    } else if (strcmp(p, "Truncated") == 0) {
        static const uint8_t cut[] = {0, 0, 0, 0, 10, 'a', 'b', 'c'};
        h2peer_respond(s, id, ok_hdrs, N(ok_hdrs), cut, sizeof(cut), ok_trl, N(ok_trl));
    } else if (strcmp(p, "Compressed") == 0) {
        static const uint8_t z[] = {1, 0, 0, 0, 1, 'x'};
        h2peer_respond(s, id, ok_hdrs, N(ok_hdrs), z, sizeof(z), ok_trl, N(ok_trl));
    } else if (strcmp(p, "BadStatus") == 0) {
        static const char *const t[] = {"grpc-status", "abc"};
        h2peer_respond(s, id, ok_hdrs, N(ok_hdrs), one_msg, sizeof(one_msg), t, N(t));
    } else if (strcmp(p, "Refuse") == 0) {
        if (refused_once++ == 0)
            nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
        else
            reply_ok(r);
    } else if (strcmp(p, "Reset") == 0) {
        nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
    } else if (strcmp(p, "Goaway") == 0) {
        goaway(r);
    } else if (strcmp(p, "Flood") == 0) {
        enum { MSGS = 100, SIZE = 10000 };
        static uint8_t flood[MSGS * (SIZE + 5)];
        for (size_t i = 0; i < MSGS; i++)
            flood[i * (SIZE + 5) + 3] = SIZE >> 8, flood[i * (SIZE + 5) + 4] = SIZE & 255;
        h2peer_respond(s, id, ok_hdrs, N(ok_hdrs), flood, sizeof(flood), ok_trl, N(ok_trl));
    } else if (strcmp(p, "Freeze") == 0) {
        h2peer_freeze(r->peer, s);
    }
}

static h2peer *peer;
static gcore_blocking_client *cl;

static void setup_opts(const gcore_channel_opts *o)
{
    cr_assert_eq(h2peer_start(&peer, handler, NULL), 0);
    char target[32];
    gb_err err = {0};
    cr_assert_eq(
        gcore_blocking_client_new(h2peer_target(peer, target, sizeof(target)), o, &cl, &err), 0,
        "%s", err.msg);
}

static void setup(void)
{
    setup_opts(NULL);
}

/* Criterion runs the suite's set-up before a test's own and both tear-downs: the
 * tests' own set-ups start by undoing the suite's, and tearing down twice is harmless. */
static void teardown(void)
{
    gcore_blocking_client_free(cl);
    cl = NULL;
    if (peer != NULL)
        h2peer_stop(peer);
    peer = NULL;
}

TestSuite(client_h2, .init = setup, .fini = teardown, .timeout = 30);

static gcore_code call(const char *method, gcore_reply *r)
{
    gcore_call_opts o = {.timeout_ms = 20000};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), method,
                                      GB_SLICE_LIT("\0\0\0\0\0"), &o, r),
                 0);
    return r->status.code;
}

struct outcome {
    char method[32];
    gcore_code code;
    char message_part[48];
    bool no_grpc_status;
};

Test(client_h2, maps_broken_responses_to_error_statuses)
{
    static const struct outcome cases[] = {
        {"/t.S/NoStatus", GCORE_STATUS_UNKNOWN, "without grpc-status", true},
        {"/t.S/Http503", GCORE_STATUS_UNAVAILABLE, "HTTP status", true},
        {"/t.S/Http404", GCORE_STATUS_UNIMPLEMENTED, "HTTP status 404", false},
        {"/t.S/NotGrpc", GCORE_STATUS_UNKNOWN, "content-type", true},
        {"/t.S/Truncated", GCORE_STATUS_INTERNAL, "middle of a message", false},
        {"/t.S/Compressed", GCORE_STATUS_INTERNAL, "compressed", false},
        {"/t.S/BadStatus", GCORE_STATUS_UNKNOWN, "", false},
        {"/t.S/Reset", GCORE_STATUS_INTERNAL, "reset", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gcore_reply r;
        gcore_reply_init(&r);
        gcore_code code = call(cases[i].method, &r);
        cr_assert_eq(code, cases[i].code, "%s: %s %s", cases[i].method,
                     gcore_status_code_name(code), r.status.message);
        cr_assert(strstr(r.status.message, cases[i].message_part) != NULL, "%s: %s",
                  cases[i].method, r.status.message);
        cr_assert_eq(r.status.no_grpc_status, cases[i].no_grpc_status, "%s", cases[i].method);
        gcore_reply_free(&r);
    }
}

Test(client_h2, reads_a_trailers_only_response)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(call("/t.S/TrailersOnly", &r), GCORE_STATUS_PERMISSION_DENIED);
    cr_assert_str_eq(r.status.message, "nope here");
    cr_assert_not_null(gcore_metadata_get(&r.trailers, "x-extra"));
    cr_assert_eq(r.headers.n, 0);
    cr_assert_eq(r.n_msgs, 0);
    gcore_reply_free(&r);
}

/* A server ends a finished call's stream itself: an RST_STREAM on top is noise that
 * servers count against rapid-reset floods (nghttp2 sends GOAWAY after ~1000). */
Test(client_h2, leaves_a_completed_call_without_rst_stream)
{
    for (int i = 0; i < 4; i++) {
        gcore_reply r;
        gcore_reply_init(&r);
        cr_assert_eq(call("/t.S/Echo", &r), GCORE_STATUS_OK, "%s", r.status.message);
        gcore_reply_free(&r);
    }
    /* A frame sent after a call's end reaches the peer before the next call's HEADERS. */
    cr_assert_eq(h2peer_resets(peer), 0, "RST_STREAM frames: %d", h2peer_resets(peer));
}

Test(client_h2, sends_grpc_timeout_in_the_finest_unit)
{
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 1500};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), "/t.S/Echo",
                                      GB_SLICE_LIT("\0\0\0\0\0"), &o, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    const gcore_md_entry *t = gcore_metadata_get(&r.trailers, "x-timeout");
    cr_assert_not_null(t);
    uint64_t ns = 0;
    cr_assert_eq(gcore_timeout_parse(gb_slice_of(t->value, t->value_len), &ns), 0, "%s",
                 (const char *)t->value);
    cr_assert(ns > UINT64_C(1000000000) && ns <= UINT64_C(1500000000), "%s",
              (const char *)t->value);
    cr_assert_eq(t->value[t->value_len - 1], 'u', "%s", (const char *)t->value);
    gcore_reply_free(&r);
}

Test(client_h2, retries_a_refused_stream_transparently)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(call("/t.S/Refuse", &r), GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(refused_once, 2, "refused once, then served");
    gcore_reply_free(&r);
}

typedef struct tally {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, ok;
} tally;

static void on_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    (void)c;
    (void)md;
    tally *t = ud;
    pthread_mutex_lock(&t->mu);
    t->done++;
    t->ok += st->code == GCORE_STATUS_OK;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

Test(client_h2, retries_calls_a_goaway_left_unprocessed_on_a_new_connection)
{
    static const gcore_call_handlers h = {NULL, NULL, on_done};
    tally t = {.done = 0};
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.cv, NULL);
    gcore_channel *ch = gcore_blocking_client_channel(cl);
    for (int i = 0; i < 3; i++) {
        gcore_call *c;
        cr_assert_eq(gcore_call_start(ch, "/t.S/Goaway", NULL, &h, &t, &c), 0);
        cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT("x"), true), 0);
        gcore_call_release(c);
    }
    pthread_mutex_lock(&t.mu);
    while (t.done < 3)
        pthread_cond_wait(&t.cv, &t.mu);
    pthread_mutex_unlock(&t.mu);
    cr_assert_eq(t.ok, 3);
    cr_assert_eq(h2peer_connections(peer), 2);
}

static void setup_keepalive(void)
{
    teardown();
    gcore_channel_opts o = {.keepalive_time_ms = 50, .keepalive_timeout_ms = 200};
    setup_opts(&o);
}

Test(client_h2, detects_a_silent_peer_with_keepalive_pings, .init = setup_keepalive)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(call("/t.S/Echo", &r), GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(call("/t.S/Freeze", &r), GCORE_STATUS_UNAVAILABLE, "%s", r.status.message);
    cr_assert(strstr(r.status.message, "keepalive") != NULL, "%s", r.status.message);
    gcore_reply_free(&r);
}

typedef struct slow_reader {
    tally t;
    atomic_int msgs;
    atomic_bool paused;
} slow_reader;

static void pause_each(gcore_call *c, gb_slice msg, void *ud)
{
    (void)msg;
    slow_reader *s = ud;
    atomic_fetch_add(&s->msgs, 1);
    gcore_call_pause(c);
    atomic_store(&s->paused, true);
}

static void slow_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    on_done(c, st, md, &((slow_reader *)ud)->t);
}

static void setup_small_window(void)
{
    teardown();
    gcore_channel_opts o = {.stream_window = 65535};
    setup_opts(&o);
}

Test(client_h2, stops_the_server_sending_while_the_reader_is_paused, .init = setup_small_window)
{
    static const gcore_call_handlers h = {NULL, pause_each, slow_done};
    slow_reader s = {.t.done = 0};
    pthread_mutex_init(&s.t.mu, NULL);
    pthread_cond_init(&s.t.cv, NULL);
    gcore_call *c;
    cr_assert_eq(
        gcore_call_start(gcore_blocking_client_channel(cl), "/t.S/Flood", NULL, &h, &s, &c), 0);
    cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT(""), true), 0);
    while (!atomic_load(&s.paused))
        sched_yield();
    /* A round trip on the same connection: any WINDOW_UPDATE sent before it has
     * reached the peer by the time it answers. */
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(call("/t.S/Echo", &r), GCORE_STATUS_OK);
    gcore_reply_free(&r);
    size_t sent = h2peer_data_sent(peer);
    cr_assert_leq(sent, 65535 + 10005, "the peer sent %zu bytes to a paused reader", sent);
    /* Resume after every message: the whole stream arrives. */
    for (;;) {
        pthread_mutex_lock(&s.t.mu);
        int done = s.t.done;
        pthread_mutex_unlock(&s.t.mu);
        if (done)
            break;
        if (atomic_exchange(&s.paused, false))
            gcore_call_resume(c);
        else
            sched_yield();
    }
    cr_assert_eq(s.t.ok, 1);
    cr_assert_eq(atomic_load(&s.msgs), 100);
    gcore_call_release(c);
}

Test(client_h2, refuses_to_start_calls_with_bad_methods_or_reserved_metadata)
{
    gcore_channel *ch = gcore_blocking_client_channel(cl);
    cr_assert_eq(gcore_call_start(ch, "t.S/Echo", NULL, NULL, NULL, NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_call_start(ch, "/t.S", NULL, NULL, NULL, NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_call_start(ch, "/t.S/", NULL, NULL, NULL, NULL), GCORE_ERR_INVALID);
    gcore_metadata md;
    gcore_metadata_init(&md);
    /* Entries as received from a peer are not checked against the reserved list. */
    cr_assert_eq(
        gcore_metadata_add_wire(&md, GB_SLICE_LIT("grpc-timeout"), GB_SLICE_LIT("1S"), NULL), 0);
    gcore_call_opts o = {.metadata = &md};
    cr_assert_eq(gcore_call_start(ch, "/t.S/Echo", &o, NULL, NULL, NULL), GCORE_ERR_RESERVED);
    gcore_metadata_free(&md);
}

Test(client_h2, cancels_calls_whose_headers_are_still_queued)
{
    static const gcore_call_handlers h = {NULL, NULL, on_done};
    tally t = {.done = 0};
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.cv, NULL);
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(call("/t.S/Echo", &r), GCORE_STATUS_OK); /* a warm connection */
    gcore_channel *ch = gcore_blocking_client_channel(cl);
    enum { N = 200 };
    for (int i = 0; i < N; i++) {
        gcore_call *c;
        cr_assert_eq(gcore_call_start(ch, "/t.S/Echo", NULL, &h, &t, &c), 0);
        gcore_call_cancel(c); /* runs before the connection's next write */
        gcore_call_release(c);
    }
    pthread_mutex_lock(&t.mu);
    while (t.done < N)
        pthread_cond_wait(&t.cv, &t.mu);
    pthread_mutex_unlock(&t.mu);
    cr_assert_eq(t.ok, 0);
    /* Stream slots were all given back: more calls than the peer allows at once still run. */
    for (int i = 0; i < 3; i++)
        cr_assert_eq(call("/t.S/Echo", &r), GCORE_STATUS_OK, "%s", r.status.message);
    gcore_reply_free(&r);
}

Test(client_h2, multiplexes_1000_calls_on_one_connection_within_the_stream_limit)
{
    static const gcore_call_handlers h = {NULL, NULL, on_done};
    tally t = {.done = 0};
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.cv, NULL);
    gcore_channel *ch = gcore_blocking_client_channel(cl);
    enum { N = 1000 }; /* the peer allows 100 streams at once */
    for (int i = 0; i < N; i++) {
        gcore_call *c;
        cr_assert_eq(gcore_call_start(ch, "/t.S/Echo", NULL, &h, &t, &c), 0);
        cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT("x"), true), 0);
        gcore_call_release(c);
    }
    pthread_mutex_lock(&t.mu);
    while (t.done < N)
        pthread_cond_wait(&t.cv, &t.mu);
    pthread_mutex_unlock(&t.mu);
    cr_assert_eq(t.ok, N);
    cr_assert_eq(h2peer_connections(peer), 1);
}

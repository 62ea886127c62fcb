/*
 * The running gateway: configuration, the HTTP front end and what the handlers
 * share. One per process; built by cmd_serve.c.
 */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "config.h"
#include "req.h"

#include <base/err.h>
#include <grpc-core/loop.h>

#include <stdatomic.h>

struct MHD_Daemon;

/* One worker thread: a libmicrohttpd daemon driven by a gcore loop, which also runs the
 * worker's backend channels, so a request never changes threads. */
typedef struct gw_worker {
    gw_server *srv;
    unsigned index;
    gcore_loop *loop;
    struct MHD_Daemon *mhd;
    gcore_watch *watch; /* MHD's epoll descriptor */
    gcore_timer *timer; /* MHD's next timeout */
    bool kicked;        /* the timer is set to run MHD at once (a connection resumed) */
    gw_req *spare[64];  /* ended requests kept for the next ones, with an arena block */
    unsigned n_spare;
    unsigned n_suspended;             /* requests waiting on a call (MHD must not stop meanwhile) */
    bool quiesced;                    /* stopping: no more connections accepted */
    _Atomic unsigned long n_requests; /* begun so far (the main thread trims memory when idle) */
} gw_worker;

struct gw_server {
    const gw_config *cfg;
    gw_worker *workers; /* one per loop of the app */
    unsigned n_workers;
    int listen_fd;
    unsigned port; /* the bound port (useful with --listen ...:0) */
    gw_header_rules header_rules;
    void *app; /* the transcoding state (routes, upstreams) */
};

/** The worker serving |req|'s connection. */
static inline gw_worker *gw_req_worker(const gw_req *req)
{
    return &req->srv->workers[req->worker];
}

/**
 * Picks the handler for a request whose headers are in, or sets an error reply
 * (404, 405, 400) and returns NULL. Thread: the request's worker.
 */
const gw_handler *gw_dispatch(gw_req *req);

/**
 * Binds |cfg->listen| and starts a libmicrohttpd daemon on each of the app's loops
 * (external epoll, suspend/resume), all accepting from the one listening socket.
 * Returns 0, or GW_ERR_LISTEN with |err| saying what failed ("listen 127.0.0.1:8080:
 * Address already in use").
 */
int gw_front_start(gw_server *srv, gb_err *err);

/** Stops accepting and ends every connection. Every suspended request must be resumed. */
void gw_front_stop(gw_server *srv);

#endif

/*
 * The running gateway: configuration, the HTTP front end and what the handlers
 * share. One per process; built by cmd_serve.c.
 */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "config.h"
#include "req.h"

#include <base/err.h>

#include <stdatomic.h>

struct MHD_Daemon;

struct gw_server {
    const gw_config *cfg;
    struct MHD_Daemon *mhd;
    int listen_fd;
    unsigned port; /* the bound port (useful with --listen ...:0) */
    gw_header_rules header_rules;
    _Atomic unsigned long n_requests;
    void *app; /* the transcoding state (routes, upstreams) */
};

/**
 * Picks the handler for a request whose headers are in, or sets an error reply
 * (404, 405, 400) and returns NULL. Thread: MHD thread.
 */
const gw_handler *gw_dispatch(gw_req *req);

/**
 * Binds |cfg->listen| and starts libmicrohttpd (epoll, thread pool, suspend/resume).
 * Returns 0, or GW_ERR_LISTEN with |err| saying what failed ("listen 127.0.0.1:8080:
 * Address already in use").
 */
int gw_front_start(gw_server *srv, gb_err *err);

/** Stops accepting and ends every connection. Every suspended request must be resumed. */
void gw_front_stop(gw_server *srv);

#endif

/*
 * Running a worker's libmicrohttpd daemon on the worker's gcore loop (server.h's
 * gw_worker), so that HTTP and the backend calls of its connections share a thread.
 */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include "server.h"

/**
 * Hands |w->mhd| (started with MHD_USE_EPOLL, no thread of its own) to |w->loop|, which
 * runs it from then on. Thread: not |w|'s loop (it waits for the loop).
 * Returns 0, or -1 when the loop could not watch the daemon.
 */
int gw_worker_attach(gw_worker *w);

/**
 * Makes |w|'s loop run the daemon on its next turn: a connection was resumed (MHD,
 * polled from outside, has no way to notice by itself). Thread: |w|'s loop.
 */
void gw_worker_kick(gw_worker *w);

/**
 * Stops |w|'s daemon on its loop: the connections close, their requests end there.
 * Every suspended request must have been resumed. Thread: not |w|'s loop.
 */
void gw_worker_detach(gw_worker *w);

#endif

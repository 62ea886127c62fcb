/*
 * A worker's libmicrohttpd daemon driven by the worker's gcore loop: MHD's epoll
 * descriptor is one more watch on the loop, and its timeout one more timer. The loop
 * also runs the worker's backend channels, so a request is read, called upstream and
 * answered on one thread, with no hand-off or wake-up between threads.
 */
#include "worker.h"

#include <microhttpd.h>

#include <semaphore.h>

/* Runs MHD's pending work (accepts, reads, resumed requests, writes), then arms the
 * timer for the next thing it waits on (idle timeouts; 0 when work is left over). */
static void drive(gw_worker *w)
{
    MHD_UNSIGNED_LONG_LONG ms;
    w->kicked = false;
    MHD_run(w->mhd);
    if (w->kicked)
        gcore_timer_start(w->timer, 0);
    else if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
        gcore_timer_start(w->timer, ms);
    else
        gcore_timer_stop(w->timer);
}

void gw_worker_kick(gw_worker *w)
{
    if (w->kicked)
        return;
    w->kicked = true;
    gcore_timer_start(w->timer, 0);
}

static void on_mhd_fd(gcore_watch *watch, int fd, unsigned events, void *user_data)
{
    (void)watch;
    (void)fd;
    (void)events;
    drive(user_data);
}

static void on_mhd_timer(gcore_timer *t, void *user_data)
{
    (void)t;
    drive(user_data);
}

typedef struct loop_task {
    gw_worker *w;
    int (*fn)(gw_worker *w);
    int rc;
    sem_t done;
} loop_task;

static void run_task(void *user_data)
{
    loop_task *t = user_data;
    t->rc = t->fn(t->w);
    sem_post(&t->done);
}

/* Runs |fn| on |w|'s loop thread and waits for it: watches and timers are the loop's. */
static int run_on_loop(gw_worker *w, int (*fn)(gw_worker *w))
{
    loop_task t = {.w = w, .fn = fn};
    sem_init(&t.done, 0, 0);
    int rc = gcore_loop_post(w->loop, run_task, &t);
    if (rc == 0) {
        while (sem_wait(&t.done) != 0) {
        }
        rc = t.rc;
    }
    sem_destroy(&t.done);
    return rc;
}

static int attach(gw_worker *w)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (di == NULL)
        return -1;
    if (gcore_timer_new(w->loop, on_mhd_timer, w, &w->timer) != 0 ||
        gcore_watch_add(w->loop, di->epoll_fd, GCORE_EV_READ, on_mhd_fd, w, &w->watch) != 0)
        return -1;
    drive(w);
    return 0;
}

static int detach(gw_worker *w)
{
    if (w->watch != NULL)
        gcore_watch_remove(w->watch);
    w->watch = NULL;
    w->kicked = true; /* requests ending below have nothing left to resume */
    MHD_quiesce_daemon(w->mhd);
    MHD_stop_daemon(w->mhd); /* requests still open end here, on the loop thread */
    w->mhd = NULL;
    gcore_timer_free(w->timer);
    w->timer = NULL;
    return 0;
}

int gw_worker_attach(gw_worker *w)
{
    return run_on_loop(w, attach);
}

void gw_worker_detach(gw_worker *w)
{
    if (w->mhd != NULL)
        run_on_loop(w, detach);
}

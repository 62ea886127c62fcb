/*
 * One thread's event loop: epoll fd watches, timers, and a task queue other
 * threads post to (woken through an eventfd). Every grpc-core object that owns
 * sockets or nghttp2 sessions (channels, calls, servers) lives on one loop and is
 * touched only by its thread; other threads reach it with gcore_loop_post().
 *
 *     gcore_loop *loop;
 *     gcore_loop_new(&loop);
 *     gcore_loop_start(loop);                  // runs it in a new thread
 *     gcore_loop_post(loop, do_work, arg);     // from any thread: do_work(arg) runs there
 *     gcore_loop_stop(loop);
 *     gcore_loop_join(loop);
 *     gcore_loop_free(loop);
 *
 * Or drive it from the current thread: gcore_loop_run(loop) until gcore_loop_stop(),
 * or gcore_loop_run_once(loop, timeout_ms) inside another loop.
 *
 * Timers fire on the loop thread in deadline order; a callback may start, stop or
 * free any timer or watch, including its own. Tasks run in the order posted.
 * Within one iteration: fd events, then due timers, then the queued tasks, so
 * work a callback posts to its own loop runs before the thread sleeps again
 * (connections use this to batch their frames into one write per iteration).
 */
#ifndef GCORE_LOOP_H
#define GCORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct gcore_loop gcore_loop;
typedef struct gcore_watch gcore_watch;
typedef struct gcore_timer gcore_timer;

/* Watch events, as bits. */
enum { GCORE_EV_READ = 1, GCORE_EV_WRITE = 2, GCORE_EV_ERROR = 4 };

typedef void (*gcore_watch_fn)(gcore_watch *w, int fd, unsigned events, void *user_data);
typedef void (*gcore_timer_fn)(gcore_timer *t, void *user_data);
typedef void (*gcore_task_fn)(void *user_data);

/**
 * Creates a loop (epoll instance, eventfd).
 * Ownership: caller frees with gcore_loop_free(). Thread: any.
 * Returns 0, GCORE_ERR_NOMEM or GCORE_ERR_IO.
 */
int gcore_loop_new(gcore_loop **out);

/**
 * Runs the tasks still queued (so what they own is released), then frees the loop.
 * Watches and timers must have been removed and freed by their owners.
 * Thread: not while the loop runs (stop and join it first).
 */
void gcore_loop_free(gcore_loop *l);

/**
 * Runs the loop in the calling thread until gcore_loop_stop().
 * Returns 0, or GCORE_ERR_IO if epoll_wait fails.
 */
int gcore_loop_run(gcore_loop *l);

/**
 * Runs one iteration, sleeping at most |timeout_ms| (-1: until something happens).
 * Returns 0 or GCORE_ERR_IO.
 */
int gcore_loop_run_once(gcore_loop *l, int timeout_ms);

/** Starts a thread that runs gcore_loop_run(). Returns 0 or GCORE_ERR_IO. */
int gcore_loop_start(gcore_loop *l);

/** Waits for the thread started by gcore_loop_start() to return. Returns 0 or GCORE_ERR_STATE. */
int gcore_loop_join(gcore_loop *l);

/** Makes gcore_loop_run() return after the current iteration. Thread: any. */
void gcore_loop_stop(gcore_loop *l);

/**
 * Queues |fn|(|user_data|) to run on the loop thread.
 * Thread: any (async-signal-unsafe: it takes a mutex).
 * Returns 0, or GCORE_ERR_NOMEM (then |fn| will not run).
 */
int gcore_loop_post(gcore_loop *l, gcore_task_fn fn, void *user_data);

/** True when called on the thread currently running |l|. */
bool gcore_loop_in_loop_thread(const gcore_loop *l);

/** Milliseconds on a monotonic clock, as of the current iteration. Thread: loop. */
uint64_t gcore_loop_now(const gcore_loop *l);

/**
 * Watches |fd| for |events| (GCORE_EV_READ | GCORE_EV_WRITE); |fn| runs with the events
 * that happened (GCORE_EV_ERROR for errors and hang-ups, reported whatever is asked).
 * Ownership: the watch is freed by gcore_watch_remove(); the fd stays the caller's.
 * Thread: loop. Returns 0, GCORE_ERR_NOMEM or GCORE_ERR_IO.
 */
int gcore_watch_add(gcore_loop *l, int fd, unsigned events, gcore_watch_fn fn, void *user_data,
                    gcore_watch **out);

/** Changes the events watched. Thread: loop. Returns 0 or GCORE_ERR_IO. */
int gcore_watch_set(gcore_watch *w, unsigned events);

/** Stops watching and frees |w| (safe inside its own callback). Close the fd after. */
void gcore_watch_remove(gcore_watch *w);

/**
 * Creates a stopped timer. Ownership: caller frees with gcore_timer_free().
 * Thread: loop. Returns 0 or GCORE_ERR_NOMEM.
 */
int gcore_timer_new(gcore_loop *l, gcore_timer_fn fn, void *user_data, gcore_timer **out);

/** (Re)arms |t| to fire once, |delay_ms| from now. Thread: loop. Returns 0 or GCORE_ERR_NOMEM. */
int gcore_timer_start(gcore_timer *t, uint64_t delay_ms);

/** Disarms |t| (no effect if it is not armed). Thread: loop. */
void gcore_timer_stop(gcore_timer *t);

/** True while |t| is armed. */
bool gcore_timer_armed(const gcore_timer *t);

/** Disarms and frees |t| (NULL is ignored). Thread: loop. */
void gcore_timer_free(gcore_timer *t);

#endif

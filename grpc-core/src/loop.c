#include <grpc-core/loop.h>
#include <grpc-core/status.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct gcore_watch {
    gcore_loop *loop;
    int fd;
    gcore_watch_fn fn; /* NULL once removed: a later event in the same batch is skipped */
    void *user_data;
    gcore_watch *next_dead;
};

struct gcore_timer {
    gcore_loop *loop;
    gcore_timer_fn fn;
    void *user_data;
    uint64_t when;
    size_t heap_idx; /* SIZE_MAX when not armed */
};

typedef struct task {
    gcore_task_fn fn;
    void *user_data;
    struct task *next;
} task;

struct gcore_loop {
    int epfd;
    int evfd;
    uint64_t now;
    atomic_bool stop;
    pthread_t owner; /* the thread running the loop, while |running| */
    atomic_bool running;
    pthread_t thread; /* started by gcore_loop_start() */
    bool started;
    gcore_timer **heap;
    size_t heap_n, heap_cap;
    gcore_watch *dead;
    pthread_mutex_t mu; /* guards the task queue */
    task *head, *tail;
    atomic_bool sleeping; /* in (or about to enter) epoll_wait: posts must wake it */
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int gcore_loop_new(gcore_loop **out)
{
    gcore_loop *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return GCORE_ERR_NOMEM;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0)
        goto fail_free;
    l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->evfd < 0)
        goto fail_epoll;
    /* data.ptr == NULL marks the eventfd. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev) != 0)
        goto fail_evfd;
    pthread_mutex_init(&l->mu, NULL);
    l->now = mono_ms();
    *out = l;
    return 0;
fail_evfd:
    close(l->evfd);
fail_epoll:
    close(l->epfd);
fail_free:
    free(l);
    return GCORE_ERR_IO;
}

static task *take_tasks(gcore_loop *l)
{
    pthread_mutex_lock(&l->mu);
    task *t = l->head;
    l->head = l->tail = NULL;
    pthread_mutex_unlock(&l->mu);
    return t;
}

/* Runs the tasks queued so far; returns how many ran. */
static size_t run_tasks(gcore_loop *l)
{
    size_t n = 0;
    for (task *t = take_tasks(l); t != NULL; n++) {
        task *next = t->next;
        t->fn(t->user_data);
        free(t);
        t = next;
    }
    return n;
}

static void free_dead(gcore_loop *l)
{
    while (l->dead != NULL) {
        gcore_watch *w = l->dead;
        l->dead = w->next_dead;
        free(w);
    }
}

void gcore_loop_free(gcore_loop *l)
{
    if (l == NULL)
        return;
    while (run_tasks(l) > 0) {
    }
    free_dead(l);
    free(l->heap);
    close(l->evfd);
    close(l->epfd);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

int gcore_loop_post(gcore_loop *l, gcore_task_fn fn, void *user_data)
{
    task *t = malloc(sizeof(*t));
    if (t == NULL)
        return GCORE_ERR_NOMEM;
    t->fn = fn;
    t->user_data = user_data;
    t->next = NULL;
    pthread_mutex_lock(&l->mu);
    bool was_empty = l->head == NULL;
    if (l->tail != NULL)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    pthread_mutex_unlock(&l->mu);
    /* The loop thread sees its own posts before it sleeps; others wake it only when it
     * sleeps: it raises |sleeping| before it looks at the queue, and we look at
     * |sleeping| after queueing, so one of the two sees the other. A busy loop takes
     * the task on its next turn without an eventfd write (and read, and epoll wake-up). */
    if (was_empty && atomic_load(&l->sleeping) && !gcore_loop_in_loop_thread(l)) {
        uint64_t one = 1;
        ssize_t w = write(l->evfd, &one, sizeof(one));
        (void)w; /* EAGAIN: the counter is already non-zero, the loop will wake */
    }
    return 0;
}

bool gcore_loop_in_loop_thread(const gcore_loop *l)
{
    return atomic_load(&l->running) && pthread_equal(l->owner, pthread_self());
}

uint64_t gcore_loop_now(const gcore_loop *l)
{
    return l->now;
}

void gcore_loop_stop(gcore_loop *l)
{
    atomic_store(&l->stop, true);
    uint64_t one = 1;
    ssize_t w = write(l->evfd, &one, sizeof(one));
    (void)w;
}

/* ---- timers: a binary min-heap on |when| ---- */

static void heap_swap(gcore_loop *l, size_t a, size_t b)
{
    gcore_timer *t = l->heap[a];
    l->heap[a] = l->heap[b];
    l->heap[b] = t;
    l->heap[a]->heap_idx = a;
    l->heap[b]->heap_idx = b;
}

static void heap_up(gcore_loop *l, size_t i)
{
    while (i > 0 && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
        heap_swap(l, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(gcore_loop *l, size_t i)
{
    for (;;) {
        size_t m = i, a = 2 * i + 1, b = 2 * i + 2;
        if (a < l->heap_n && l->heap[a]->when < l->heap[m]->when)
            m = a;
        if (b < l->heap_n && l->heap[b]->when < l->heap[m]->when)
            m = b;
        if (m == i)
            return;
        heap_swap(l, i, m);
        i = m;
    }
}

int gcore_timer_new(gcore_loop *l, gcore_timer_fn fn, void *user_data, gcore_timer **out)
{
    gcore_timer *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return GCORE_ERR_NOMEM;
    t->loop = l;
    t->fn = fn;
    t->user_data = user_data;
    t->heap_idx = SIZE_MAX;
    *out = t;
    return 0;
}

void gcore_timer_stop(gcore_timer *t)
{
    gcore_loop *l = t->loop;
    size_t i = t->heap_idx;
    if (i == SIZE_MAX)
        return;
    t->heap_idx = SIZE_MAX;
    l->heap_n--;
    if (i == l->heap_n)
        return;
    l->heap[i] = l->heap[l->heap_n];
    l->heap[i]->heap_idx = i;
    heap_up(l, i);
    heap_down(l, l->heap[i]->heap_idx);
}

int gcore_timer_start(gcore_timer *t, uint64_t delay_ms)
{
    gcore_loop *l = t->loop;
    gcore_timer_stop(t);
    if (l->heap_n == l->heap_cap) {
        size_t cap = l->heap_cap ? l->heap_cap * 2 : 64;
        gcore_timer **h = realloc(l->heap, cap * sizeof(*h));
        if (h == NULL)
            return GCORE_ERR_NOMEM;
        l->heap = h;
        l->heap_cap = cap;
    }
    t->when = l->now + delay_ms;
    t->heap_idx = l->heap_n;
    l->heap[l->heap_n++] = t;
    heap_up(l, t->heap_idx);
    return 0;
}

bool gcore_timer_armed(const gcore_timer *t)
{
    return t->heap_idx != SIZE_MAX;
}

void gcore_timer_free(gcore_timer *t)
{
    if (t == NULL)
        return;
    gcore_timer_stop(t);
    free(t);
}

static void run_timers(gcore_loop *l)
{
    while (l->heap_n > 0 && l->heap[0]->when <= l->now) {
        gcore_timer *t = l->heap[0];
        gcore_timer_stop(t);
        t->fn(t, t->user_data);
    }
}

/* ---- fd watches ---- */

static uint32_t to_epoll(unsigned events)
{
    return ((events & GCORE_EV_READ) ? EPOLLIN : 0u) | ((events & GCORE_EV_WRITE) ? EPOLLOUT : 0u);
}

int gcore_watch_add(gcore_loop *l, int fd, unsigned events, gcore_watch_fn fn, void *user_data,
                    gcore_watch **out)
{
    gcore_watch *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return GCORE_ERR_NOMEM;
    *w = (gcore_watch){l, fd, fn, user_data, NULL};
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = w};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(w);
        return GCORE_ERR_IO;
    }
    *out = w;
    return 0;
}

int gcore_watch_set(gcore_watch *w, unsigned events)
{
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = w};
    return epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) == 0 ? 0 : GCORE_ERR_IO;
}

void gcore_watch_remove(gcore_watch *w)
{
    if (w == NULL)
        return;
    gcore_loop *l = w->loop;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    w->fn = NULL;
    w->next_dead = l->dead;
    l->dead = w;
}

static void dispatch(gcore_loop *l, const struct epoll_event *ev)
{
    gcore_watch *w = ev->data.ptr;
    if (w == NULL) {
        uint64_t v;
        ssize_t r = read(l->evfd, &v, sizeof(v));
        (void)r; /* EAGAIN: another wake-up already drained it */
        return;
    }
    if (w->fn == NULL)
        return;
    unsigned events = ((ev->events & EPOLLIN) ? GCORE_EV_READ : 0u) |
                      ((ev->events & EPOLLOUT) ? GCORE_EV_WRITE : 0u) |
                      ((ev->events & (EPOLLERR | EPOLLHUP)) ? GCORE_EV_ERROR : 0u);
    w->fn(w, w->fd, events, w->user_data);
}

static int wait_ms(gcore_loop *l, int timeout_ms)
{
    pthread_mutex_lock(&l->mu);
    bool tasks = l->head != NULL;
    pthread_mutex_unlock(&l->mu);
    if (tasks || atomic_load(&l->stop))
        return 0;
    if (l->heap_n == 0)
        return timeout_ms;
    uint64_t due = l->heap[0]->when > l->now ? l->heap[0]->when - l->now : 0;
    if (timeout_ms >= 0 && (uint64_t)timeout_ms < due)
        return timeout_ms;
    return due > 3600000 ? 3600000 : (int)due;
}

int gcore_loop_run_once(gcore_loop *l, int timeout_ms)
{
    bool was_running = atomic_load(&l->running);
    if (!was_running) {
        l->owner = pthread_self();
        atomic_store(&l->running, true);
    }
    struct epoll_event evs[64];
    atomic_store(&l->sleeping, true);
    int n = epoll_wait(l->epfd, evs, 64, wait_ms(l, timeout_ms));
    atomic_store(&l->sleeping, false);
    int rc = 0;
    if (n < 0 && errno != EINTR)
        rc = GCORE_ERR_IO;
    l->now = mono_ms();
    for (int i = 0; i < n; i++)
        dispatch(l, &evs[i]);
    l->now = mono_ms();
    run_timers(l);
    run_tasks(l);
    free_dead(l);
    if (!was_running)
        atomic_store(&l->running, false);
    return rc;
}

int gcore_loop_run(gcore_loop *l)
{
    l->owner = pthread_self();
    atomic_store(&l->running, true);
    int rc = 0;
    while (!atomic_load(&l->stop) && rc == 0)
        rc = gcore_loop_run_once(l, -1);
    atomic_store(&l->stop, false);
    atomic_store(&l->running, false);
    return rc;
}

static void *thread_main(void *arg)
{
    gcore_loop_run(arg);
    return NULL;
}

int gcore_loop_start(gcore_loop *l)
{
    if (l->started)
        return GCORE_ERR_STATE;
    if (pthread_create(&l->thread, NULL, thread_main, l) != 0)
        return GCORE_ERR_IO;
    l->started = true;
    return 0;
}

int gcore_loop_join(gcore_loop *l)
{
    if (!l->started)
        return GCORE_ERR_STATE;
    pthread_join(l->thread, NULL);
    l->started = false;
    return 0;
}

#include <criterion/criterion.h>

#include <grpc-core/loop.h>
#include <grpc-core/status.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

struct order {
    char seen[16];
    size_t n;
    gcore_loop *loop;
};

struct tagged {
    struct order *o;
    char tag;
};

static void note_tag(gcore_timer *t, void *ud)
{
    (void)t;
    struct tagged *tg = ud;
    tg->o->seen[tg->o->n++] = tg->tag;
    if (tg->tag == 'c')
        gcore_loop_stop(tg->o->loop);
}

Test(loop, fires_timers_in_deadline_order_and_skips_stopped_ones)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    struct order o = {.loop = l};
    struct tagged tags[] = {{&o, 'c'}, {&o, 'a'}, {&o, 'x'}, {&o, 'b'}};
    uint64_t delays[] = {30, 1, 5, 10};
    gcore_timer *t[4];
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(gcore_timer_new(l, note_tag, &tags[i], &t[i]), 0);
        cr_assert_eq(gcore_timer_start(t[i], delays[i]), 0);
    }
    gcore_timer_stop(t[2]);
    cr_assert_not(gcore_timer_armed(t[2]));
    cr_assert(gcore_timer_armed(t[0]));
    cr_assert_eq(gcore_loop_run(l), 0);
    cr_assert_str_eq(o.seen, "abc");
    for (int i = 0; i < 4; i++)
        gcore_timer_free(t[i]);
    gcore_loop_free(l);
}

struct counter {
    gcore_loop *loop;
    int n;
    bool on_loop_thread;
};

static void bump(void *ud)
{
    struct counter *c = ud;
    c->on_loop_thread = gcore_loop_in_loop_thread(c->loop);
    if (++c->n == 1000)
        gcore_loop_stop(c->loop);
}

static void *poster(void *ud)
{
    struct counter *c = ud;
    for (int i = 0; i < 500; i++)
        gcore_loop_post(c->loop, bump, c);
    return NULL;
}

Test(loop, runs_tasks_posted_from_other_threads_on_its_own_thread)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    struct counter c = {.loop = l};
    cr_assert_eq(gcore_loop_start(l), 0);
    pthread_t a, b;
    pthread_create(&a, NULL, poster, &c);
    pthread_create(&b, NULL, poster, &c);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    cr_assert_eq(gcore_loop_join(l), 0);
    cr_assert_eq(c.n, 1000);
    cr_assert(c.on_loop_thread);
    cr_assert_not(gcore_loop_in_loop_thread(l));
    gcore_loop_free(l);
}

Test(loop, runs_queued_tasks_when_freed)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    struct counter c = {.loop = l};
    gcore_loop_post(l, bump, &c);
    gcore_loop_post(l, bump, &c);
    gcore_loop_free(l);
    cr_assert_eq(c.n, 2);
}

struct pipe_state {
    gcore_watch *w;
    char got[8];
    size_t n;
    gcore_loop *loop;
};

static void on_readable(gcore_watch *w, int fd, unsigned events, void *ud)
{
    struct pipe_state *s = ud;
    cr_assert(events & GCORE_EV_READ);
    ssize_t r = read(fd, s->got + s->n, sizeof(s->got) - s->n);
    cr_assert_gt(r, 0);
    s->n += (size_t)r;
    gcore_watch_remove(w); /* inside its own callback */
    s->w = NULL;
    gcore_loop_stop(s->loop);
}

Test(loop, reports_a_readable_fd_and_allows_removal_in_the_callback)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    struct pipe_state s = {.loop = l};
    cr_assert_eq(gcore_watch_add(l, fds[0], GCORE_EV_READ, on_readable, &s, &s.w), 0);
    cr_assert_eq(write(fds[1], "hi", 2), 2);
    cr_assert_eq(gcore_loop_run(l), 0);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(memcmp(s.got, "hi", 2), 0);
    close(fds[0]);
    close(fds[1]);
    gcore_loop_free(l);
}

static void restart_self(gcore_timer *t, void *ud)
{
    struct counter *c = ud;
    if (++c->n < 3)
        gcore_timer_start(t, 1);
}

Test(loop, lets_a_timer_rearm_itself)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    struct counter c = {.loop = l};
    gcore_timer *t;
    cr_assert_eq(gcore_timer_new(l, restart_self, &c, &t), 0);
    gcore_timer_start(t, 0);
    while (gcore_timer_armed(t))
        cr_assert_eq(gcore_loop_run_once(l, -1), 0);
    cr_assert_eq(c.n, 3);
    gcore_timer_free(t);
    gcore_loop_free(l);
}

Test(loop, refuses_to_join_a_loop_it_did_not_start)
{
    gcore_loop *l;
    cr_assert_eq(gcore_loop_new(&l), 0);
    cr_assert_eq(gcore_loop_join(l), GCORE_ERR_STATE);
    gcore_loop_free(l);
}

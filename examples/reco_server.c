/*
 * The book recommendations service of the Python microservices tutorial in C
 * (reco.proto, UserRecommend.Recommend), with its small in-code catalogue:
 *
 *     reco_server --port 50051
 *
 * Recommend answers up to max_results books of the requested category, and
 * NOT_FOUND for a category without books.
 */
#include "example_server.h"

#include "reco.pb-c.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct book {
    Reco__BookCategory category;
    int32_t id;
    const char *title;
} book;

static const book CATALOGUE[] = {
    {RECO__BOOK_CATEGORY__MYSTERY, 1, "The Maltese Falcon"},
    {RECO__BOOK_CATEGORY__MYSTERY, 2, "Murder on the Orient Express"},
    {RECO__BOOK_CATEGORY__MYSTERY, 3, "The Hound of the Baskervilles"},
    {RECO__BOOK_CATEGORY__SCIENCE_FICTION, 4, "The Hitchhiker's Guide to the Galaxy"},
    {RECO__BOOK_CATEGORY__SCIENCE_FICTION, 5, "Ender's Game"},
    {RECO__BOOK_CATEGORY__SCIENCE_FICTION, 6, "The Dune Chronicles"},
    {RECO__BOOK_CATEGORY__SELF_HELP, 7, "The 7 Habits of Highly Effective People"},
    {RECO__BOOK_CATEGORY__SELF_HELP, 8, "How to Win Friends and Influence People"},
    {RECO__BOOK_CATEGORY__SELF_HELP, 9, "Man's Search for Meaning"},
};
enum { N_BOOKS = sizeof CATALOGUE / sizeof CATALOGUE[0] };

/* Answers |req| on |call|: the first max_results books of the category. */
static void answer(gcore_server_call *call, const Reco__RecommendationRequest *req)
{
    Reco__BookRecommendation recs[N_BOOKS];
    Reco__BookRecommendation *ptrs[N_BOOKS];
    size_t in_category = 0, n = 0;
    for (size_t i = 0; i < N_BOOKS; i++) {
        if (CATALOGUE[i].category != req->category)
            continue;
        in_category++;
        if (req->max_results <= 0 || n >= (size_t)req->max_results)
            continue;
        reco__book_recommendation__init(&recs[n]);
        recs[n].id = CATALOGUE[i].id;
        recs[n].title = (char *)(uintptr_t)CATALOGUE[i].title;
        ptrs[n] = &recs[n];
        n++;
    }
    if (in_category == 0) {
        gcore_server_call_finish_code(call, GCORE_STATUS_NOT_FOUND, "Category not found");
        return;
    }
    Reco__RecommendationResponse resp = RECO__RECOMMENDATION_RESPONSE__INIT;
    resp.n_recommendations = n;
    resp.recommendations = ptrs;
    if (example_write_msg(call, &resp) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
}

static void recommend(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    Reco__RecommendationRequest *req = NULL;
    int rv = gcore_server_call_read(call, &in);
    if (rv == 1)
        req = reco__recommendation_request__unpack(NULL, in.n, in.p);
    if (req != NULL)
        answer(call, req);
    else if (rv >= 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                      "expected one RecommendationRequest");
    reco__recommendation_request__free_unpacked(req, NULL);
    gb_buf_free(&in);
}

static int add_methods(gcore_server *s, void *user_data)
{
    (void)user_data;
    return gcore_server_register(s, "/reco.UserRecommend/Recommend", GCORE_METHOD_UNARY, recommend,
                                 NULL);
}

int main(int argc, char **argv)
{
    example_opts o;
    if (example_parse(argc, argv, &o) != 0)
        return 2;
    static const char *const services[] = {"reco.UserRecommend", NULL};
    return example_run(&o, add_methods, NULL, services);
}

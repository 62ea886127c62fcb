/*
 * The gRPC basics tutorial's RouteGuide client in C, as route_guide_client.py
 * writes it: GetFeature for a known and an unknown point, ListFeatures over a
 * rectangle, RecordRoute over ten random features of the database, RouteChat.
 *
 *     route_guide_client --target localhost:50051 [--db route_guide_db.json]
 */
#include "example_client.h"

#include "route_guide.pb-c.h"
#include "route_guide_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RG "/routeguide.RouteGuide/"

static Routeguide__Point point(int32_t lat, int32_t lon)
{
    Routeguide__Point p = ROUTEGUIDE__POINT__INIT;
    p.latitude = lat;
    p.longitude = lon;
    return p;
}

static void print_feature(const Routeguide__Feature *f)
{
    int32_t lat = f->location ? f->location->latitude : 0;
    int32_t lon = f->location ? f->location->longitude : 0;
    if (f->name[0] != '\0')
        printf("Feature called %s at latitude: %d, longitude: %d\n", f->name, lat, lon);
    else
        printf("Found no feature at latitude: %d, longitude: %d\n", lat, lon);
}

static int get_one_feature(gcore_blocking_client *cl, Routeguide__Point p)
{
    const ProtobufCMessage *reqs[] = {&p.base};
    ProtobufCMessage **r;
    int code =
        example_client_call(cl, RG "GetFeature", reqs, 1, &routeguide__feature__descriptor, &r);
    if (code == GCORE_STATUS_OK && r[0] != NULL)
        print_feature((Routeguide__Feature *)r[0]);
    example_client_free_replies(r);
    return code;
}

static int list_features(gcore_blocking_client *cl)
{
    Routeguide__Point lo = point(400000000, -750000000), hi = point(420000000, -730000000);
    Routeguide__Rectangle rect = ROUTEGUIDE__RECTANGLE__INIT;
    rect.lo = &lo;
    rect.hi = &hi;
    printf("Looking for features between 40, -75 and 42, -73\n");
    const ProtobufCMessage *reqs[] = {&rect.base};
    ProtobufCMessage **r;
    int code =
        example_client_call(cl, RG "ListFeatures", reqs, 1, &routeguide__feature__descriptor, &r);
    for (size_t i = 0; code == GCORE_STATUS_OK && r[i] != NULL; i++)
        print_feature((Routeguide__Feature *)r[i]);
    example_client_free_replies(r);
    return code;
}

enum { ROUTE_POINTS = 10 };

static int record_route(gcore_blocking_client *cl, const feature_db *db)
{
    Routeguide__Point pts[ROUTE_POINTS];
    const ProtobufCMessage *reqs[ROUTE_POINTS];
    size_t n = db->n > 0 ? ROUTE_POINTS : 0;
    for (size_t i = 0; i < n; i++) {
        const feature *f = &db->v[(size_t)rand() % db->n];
        pts[i] = point(f->lat, f->lon);
        reqs[i] = &pts[i].base;
        printf("Visiting point latitude: %d, longitude: %d\n", f->lat, f->lon);
    }
    ProtobufCMessage **r;
    int code = example_client_call(cl, RG "RecordRoute", reqs, n,
                                   &routeguide__route_summary__descriptor, &r);
    if (code == GCORE_STATUS_OK && r[0] != NULL) {
        const Routeguide__RouteSummary *s = (Routeguide__RouteSummary *)r[0];
        printf("Finished trip with %d points\nPassed %d features\nTravelled %d meters\n"
               "It took %d seconds\n",
               s->point_count, s->feature_count, s->distance, s->elapsed_time);
    }
    example_client_free_replies(r);
    return code;
}

static int route_chat(gcore_blocking_client *cl)
{
    static const struct {
        const char *msg;
        int32_t lat, lon;
    } plan[] = {{"First message", 0, 0},
                {"Second message", 0, 1},
                {"Third message", 1, 0},
                {"Fourth message", 0, 0},
                {"Fifth message", 1, 0}};
    enum { N = sizeof plan / sizeof plan[0] };
    Routeguide__Point loc[N];
    Routeguide__RouteNote notes[N];
    const ProtobufCMessage *reqs[N];
    for (size_t i = 0; i < N; i++) {
        loc[i] = point(plan[i].lat, plan[i].lon);
        routeguide__route_note__init(&notes[i]);
        notes[i].location = &loc[i];
        notes[i].message = (char *)(uintptr_t)plan[i].msg;
        reqs[i] = &notes[i].base;
        printf("Sending %s at latitude: %d, longitude: %d\n", plan[i].msg, plan[i].lat,
               plan[i].lon);
    }
    ProtobufCMessage **r;
    int code =
        example_client_call(cl, RG "RouteChat", reqs, N, &routeguide__route_note__descriptor, &r);
    for (size_t i = 0; code == GCORE_STATUS_OK && r[i] != NULL; i++) {
        const Routeguide__RouteNote *note = (Routeguide__RouteNote *)r[i];
        printf("Received message %s at latitude: %d, longitude: %d\n", note->message,
               note->location ? note->location->latitude : 0,
               note->location ? note->location->longitude : 0);
    }
    example_client_free_replies(r);
    return code;
}

static int run(gcore_blocking_client *cl, const feature_db *db)
{
    printf("-------------- GetFeature --------------\n");
    int code = get_one_feature(cl, point(409146138, -746188906));
    if (code == GCORE_STATUS_OK)
        code = get_one_feature(cl, point(0, 0));
    if (code == GCORE_STATUS_OK) {
        printf("-------------- ListFeatures --------------\n");
        code = list_features(cl);
    }
    if (code == GCORE_STATUS_OK) {
        printf("-------------- RecordRoute --------------\n");
        code = record_route(cl, db);
    }
    if (code == GCORE_STATUS_OK) {
        printf("-------------- RouteChat --------------\n");
        code = route_chat(cl);
    }
    return code;
}

int main(int argc, char **argv)
{
    example_client_opts o = {0};
    const char *db_path = db_default_path();
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v != NULL && strcmp(argv[i], "--db") == 0) {
            db_path = v;
        } else if (v == NULL || !example_client_opt(&o, argv[i], v)) {
            fprintf(stderr, "usage: %s [--target HOST:PORT] [--tls-ca FILE] [--db FILE]\n",
                    argv[0]);
            return 2;
        }
    }
    feature_db db = {0};
    if (db_load(&db, db_path) != 0) {
        fprintf(stderr, "error: %s: cannot load the feature database\n", db_path);
        db_free(&db);
        return 1;
    }
    srand((unsigned)time(NULL));
    gcore_blocking_client *cl = example_client_connect(&o);
    int code = cl != NULL ? run(cl, &db) : GCORE_STATUS_UNAVAILABLE;
    gcore_blocking_client_free(cl);
    db_free(&db);
    return code == GCORE_STATUS_OK ? 0 : 1;
}

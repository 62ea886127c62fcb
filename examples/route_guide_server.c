/*
 * The gRPC basics tutorial's RouteGuide backend in C, as route_guide_server.py
 * writes it, with all four kinds of call:
 *
 *     route_guide_server --listen 127.0.0.1:50052 --descriptor-set examples.pb \
 *                        [--db route_guide_db.json]
 *
 * The default database is the tutorial's (see db_default_path()).
 */
#include "example_server.h"

#include "route_guide.pb-c.h"
#include "route_guide_db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int write_feature(gcore_server_call *call, const char *name, int32_t lat, int32_t lon)
{
    Routeguide__Point p;
    routeguide__point__init(&p);
    p.latitude = lat;
    p.longitude = lon;
    Routeguide__Feature ft;
    routeguide__feature__init(&ft);
    ft.name = (char *)(uintptr_t)name;
    ft.location = &p;
    return example_write_msg(call, &ft);
}

/* Reads the one request message of a unary or server-streaming call. */
static void *read_one(gcore_server_call *call, const ProtobufCMessageDescriptor *d)
{
    gb_buf in;
    gb_buf_init(&in, 0);
    void *m = NULL;
    int rv = gcore_server_call_read(call, &in);
    if (rv == 1)
        m = protobuf_c_message_unpack(d, NULL, in.n, in.p);
    if (m == NULL && rv >= 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT, "bad request");
    gb_buf_free(&in);
    return m;
}

static void get_feature(gcore_server_call *call, void *user_data)
{
    const feature_db *db = user_data;
    Routeguide__Point *p = read_one(call, &routeguide__point__descriptor);
    if (p == NULL)
        return;
    const feature *ft = db_find(db, p->latitude, p->longitude);
    if (write_feature(call, ft != NULL ? ft->name : "", p->latitude, p->longitude) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    routeguide__point__free_unpacked(p, NULL);
}

static void list_features(gcore_server_call *call, void *user_data)
{
    const feature_db *db = user_data;
    Routeguide__Rectangle *r = read_one(call, &routeguide__rectangle__descriptor);
    if (r == NULL)
        return;
    Routeguide__Point zero = ROUTEGUIDE__POINT__INIT;
    const Routeguide__Point *lo = r->lo ? r->lo : &zero, *hi = r->hi ? r->hi : &zero;
    int32_t left = lo->longitude < hi->longitude ? lo->longitude : hi->longitude;
    int32_t right = lo->longitude < hi->longitude ? hi->longitude : lo->longitude;
    int32_t bottom = lo->latitude < hi->latitude ? lo->latitude : hi->latitude;
    int32_t top = lo->latitude < hi->latitude ? hi->latitude : lo->latitude;
    int rv = 0;
    for (size_t i = 0; i < db->n && rv == 0; i++) {
        const feature *ft = &db->v[i];
        if (ft->lon >= left && ft->lon <= right && ft->lat >= bottom && ft->lat <= top)
            rv = write_feature(call, ft->name, ft->lat, ft->lon);
    }
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    routeguide__rectangle__free_unpacked(r, NULL);
}

/* Great-circle distance in metres between two E7 points (haversine). */
static double distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    const double k = 1e-7 * M_PI / 180.0;
    double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
    return 6371000.0 * 2 * atan2(sqrt(a), sqrt(1 - a));
}

static void record_route(gcore_server_call *call, void *user_data)
{
    const feature_db *db = user_data;
    Routeguide__RouteSummary sum;
    routeguide__route_summary__init(&sum);
    time_t start = time(NULL);
    double dist = 0;
    Routeguide__Point prev = ROUTEGUIDE__POINT__INIT;
    gb_buf in;
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        Routeguide__Point *p = routeguide__point__unpack(NULL, in.n, in.p);
        if (p == NULL) {
            rv = gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT, "bad Point");
            break;
        }
        if (sum.point_count++ > 0)
            dist += distance_m(prev.latitude, prev.longitude, p->latitude, p->longitude);
        sum.feature_count += db_find(db, p->latitude, p->longitude) != NULL;
        prev.latitude = p->latitude;
        prev.longitude = p->longitude;
        routeguide__point__free_unpacked(p, NULL);
    }
    gb_buf_free(&in);
    sum.distance = (int32_t)dist;
    sum.elapsed_time = (int32_t)(time(NULL) - start);
    if (rv == 0 && example_write_msg(call, &sum) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
}

static bool same_place(const Routeguide__Point *a, const Routeguide__Point *b)
{
    int32_t alat = a ? a->latitude : 0, alon = a ? a->longitude : 0;
    int32_t blat = b ? b->latitude : 0, blon = b ? b->longitude : 0;
    return alat == blat && alon == blon;
}

static void route_chat(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    Routeguide__RouteNote **notes = NULL;
    size_t n = 0;
    gb_buf in;
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        Routeguide__RouteNote *note = routeguide__route_note__unpack(NULL, in.n, in.p);
        Routeguide__RouteNote **grown = note ? realloc(notes, (n + 1) * sizeof *notes) : NULL;
        if (grown == NULL) {
            routeguide__route_note__free_unpacked(note, NULL);
            rv = gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT, "bad note");
            break;
        }
        notes = grown;
        for (size_t i = 0; i < n && rv == 1; i++) {
            if (same_place(notes[i]->location, note->location))
                rv = example_write_msg(call, notes[i]) == 0 ? 1 : -1;
        }
        notes[n++] = note;
        if (rv != 1)
            break;
    }
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    for (size_t i = 0; i < n; i++)
        routeguide__route_note__free_unpacked(notes[i], NULL);
    free(notes);
    gb_buf_free(&in);
}

static int add_methods(gcore_server *s, void *user_data)
{
    static const struct {
        const char *path;
        gcore_method_kind kind;
        gcore_server_handler fn;
    } methods[] = {
        {"/routeguide.RouteGuide/GetFeature", GCORE_METHOD_UNARY, get_feature},
        {"/routeguide.RouteGuide/ListFeatures", GCORE_METHOD_SERVER_STREAMING, list_features},
        {"/routeguide.RouteGuide/RecordRoute", GCORE_METHOD_CLIENT_STREAMING, record_route},
        {"/routeguide.RouteGuide/RouteChat", GCORE_METHOD_BIDI_STREAMING, route_chat},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int rv =
            gcore_server_register(s, methods[i].path, methods[i].kind, methods[i].fn, user_data);
        if (rv != 0)
            return rv;
    }
    return 0;
}

int main(int argc, char **argv)
{
    example_opts o;
    if (example_parse(argc, argv, &o) != 0)
        return 2;
    const char *path = o.db != NULL ? o.db : db_default_path();
    feature_db db = {0};
    if (db_load(&db, path) != 0) {
        fprintf(stderr, "error: %s: cannot load the feature database\n", path);
        db_free(&db);
        return 1;
    }
    static const char *const services[] = {"routeguide.RouteGuide", NULL};
    int code = example_run(&o, add_methods, &db, services);
    db_free(&db);
    return code;
}

/* The RouteGuide tutorial's feature database (route_guide_db.json). */
#ifndef ROUTE_GUIDE_DB_H
#define ROUTE_GUIDE_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct feature {
    char *name;
    int32_t lat, lon;
} feature;

typedef struct feature_db {
    feature *v;
    size_t n;
} feature_db;

/* Loads [{"location": {"latitude": .., "longitude": ..}, "name": ..}, ...] from |path| into
 * |db| (zeroed). Returns 0, or -1 (unreadable or not a JSON array); free with db_free(). */
int db_load(feature_db *db, const char *path);

void db_free(feature_db *db);

/*
 * The tutorial's own database when Debian's golang-google-grpc-dev ships it, else
 * the small copy in examples/data. Returns a static path.
 */
const char *db_default_path(void);

/* The feature at exactly |lat|, |lon|, or NULL. */
const feature *db_find(const feature_db *db, int32_t lat, int32_t lon);

#endif

/*
 * The RouteGuide feature database: the tutorial's route_guide_db.json, shared by
 * route_guide_server and route_guide_client.
 */
#include "route_guide_db.h"

#include <base/buf.h>

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int32_t json_int(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? (int32_t)v->valuedouble : 0;
}

/* Loads [{"location": {"latitude": .., "longitude": ..}, "name": ..}, ...]. */
int db_load(feature_db *db, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    gb_buf b;
    gb_buf_init(&b, 16 << 20);
    uint8_t chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && gb_buf_append(&b, chunk, n) == 0)
        ;
    fclose(f);
    cJSON *root = cJSON_ParseWithLength((const char *)b.p, b.n);
    gb_buf_free(&b);
    int count = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : -1;
    db->v = count > 0 ? calloc((size_t)count, sizeof *db->v) : NULL;
    const cJSON *items = db->v != NULL ? root : NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        const cJSON *loc = cJSON_GetObjectItemCaseSensitive(item, "location");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        feature *ft = &db->v[db->n];
        ft->name = strdup(cJSON_IsString(name) ? name->valuestring : "");
        ft->lat = json_int(loc, "latitude");
        ft->lon = json_int(loc, "longitude");
        if (ft->name != NULL)
            db->n++;
    }
    cJSON_Delete(root);
    return count >= 0 ? 0 : -1;
}

void db_free(feature_db *db)
{
    for (size_t i = 0; i < db->n; i++)
        free(db->v[i].name);
    free(db->v);
}

const feature *db_find(const feature_db *db, int32_t lat, int32_t lon)
{
    for (size_t i = 0; i < db->n; i++) {
        if (db->v[i].lat == lat && db->v[i].lon == lon)
            return &db->v[i];
    }
    return NULL;
}

const char *db_default_path(void)
{
    static const char tutorial_db[] = GW_TUTORIAL_ROUTE_GUIDE_DB;
    return access(tutorial_db, R_OK) == 0 ? tutorial_db : GW_ROUTE_GUIDE_DB;
}

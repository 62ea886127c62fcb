/*
 * The standard health service, grpc.health.v1.Health (Check and Watch), on a
 * gcore_server. The application sets each service's status at any time; Watch
 * streams every change. The empty service name "" stands for the whole server and
 * starts as SERVING.
 *
 *     gcore_health *h;
 *     gcore_health_enable(srv, &h);                       // before gcore_server_start()
 *     gcore_health_set(h, "helloworld.Greeter", GCORE_HEALTH_SERVING);
 *     ...
 *     gcore_server_free(srv);
 *     gcore_health_free(h);                               // after the server
 */
#ifndef GCORE_HEALTH_H
#define GCORE_HEALTH_H

#include <grpc-core/server.h>

/* grpc.health.v1.HealthCheckResponse.ServingStatus; values are on the wire. */
typedef enum gcore_health_status {
    GCORE_HEALTH_UNKNOWN = 0,
    GCORE_HEALTH_SERVING = 1,
    GCORE_HEALTH_NOT_SERVING = 2,
    GCORE_HEALTH_SERVICE_UNKNOWN = 3, /* sent by Watch only */
} gcore_health_status;

typedef struct gcore_health gcore_health;

/**
 * Registers /grpc.health.v1.Health/Check and /Watch on |s|.
 * Ownership: caller frees |*out| with gcore_health_free() after gcore_server_free().
 * Thread: before gcore_server_start().
 * Returns 0, GCORE_ERR_NOMEM, GCORE_ERR_STATE (server started) or GCORE_ERR_INVALID
 * (already registered).
 */
int gcore_health_enable(gcore_server *s, gcore_health **out);

/**
 * Sets |service|'s status (copied; "" for the server as a whole) and tells its
 * watchers. Check answers NOT_FOUND for a service never set.
 * Thread: any. Returns 0, GCORE_ERR_INVALID (status out of range) or GCORE_ERR_NOMEM.
 */
int gcore_health_set(gcore_health *h, const char *service, gcore_health_status status);

/** Frees |h| (NULL allowed). Thread: after the server it was enabled on is freed. */
void gcore_health_free(gcore_health *h);

#endif

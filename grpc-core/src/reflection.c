/*
 * The ServerReflectionInfo bidi stream: one response per request, until the client
 * half-closes. v1 and v1alpha messages are identical on the wire (only the package
 * differs), so both services are served with the v1 generated code.
 */
#include <grpc-core/reflection.h>

#include "reflection_int.h"
#include "server_int.h"

#include "grpc/reflection/v1/reflection.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef Grpc__Reflection__V1__ServerReflectionRequest refl_request;
typedef Grpc__Reflection__V1__ServerReflectionResponse refl_response;

struct gcore_reflection {
    gcore_server *server;
    refl_index ix;
};

/* The services to list: the set's, then the server's own not already named. */
static size_t list_services(const gcore_reflection *r, const char **names, size_t cap, gb_arena *a)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ix.n_services && n < cap; i++)
        names[n++] = r->ix.services[i];
    const gcore_server *s = r->server;
    for (size_t i = 0; i < s->n_methods && n < cap; i++) {
        const char *path = s->methods[i].path + 1;
        size_t len = (size_t)(strchr(path, '/') - path);
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strlen(names[j]) == len && memcmp(names[j], path, len) == 0;
        if (!seen && (names[n] = gb_arena_strndup(a, path, len)) != NULL)
            n++;
    }
    return n;
}

static void answer_services(const gcore_reflection *r, refl_response *resp, gb_arena *a)
{
    size_t cap = r->ix.n_services + r->server->n_methods;
    const char **names = gb_arena_calloc(a, cap + 1, sizeof *names);
    Grpc__Reflection__V1__ListServiceResponse *list = gb_arena_alloc(a, sizeof *list);
    Grpc__Reflection__V1__ServiceResponse *items = gb_arena_calloc(a, cap + 1, sizeof *items);
    Grpc__Reflection__V1__ServiceResponse **ptrs = gb_arena_calloc(a, cap + 1, sizeof *ptrs);
    if (names == NULL || list == NULL || items == NULL || ptrs == NULL)
        return;
    grpc__reflection__v1__list_service_response__init(list);
    size_t n = list_services(r, names, cap, a);
    for (size_t i = 0; i < n; i++) {
        grpc__reflection__v1__service_response__init(&items[i]);
        items[i].name = (char *)(uintptr_t)names[i];
        ptrs[i] = &items[i];
    }
    list->n_service = n;
    list->service = ptrs;
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
    resp->list_services_response = list;
}

static void answer_error(refl_response *resp, const char *msg, gb_arena *a)
{
    Grpc__Reflection__V1__ErrorResponse *e = gb_arena_alloc(a, sizeof *e);
    if (e == NULL)
        return;
    grpc__reflection__v1__error_response__init(e);
    e->error_code = GCORE_STATUS_NOT_FOUND;
    e->error_message = (char *)(uintptr_t)msg;
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
    resp->error_response = e;
}

static void answer_file(const gcore_reflection *r, long file, refl_response *resp, gb_arena *a,
                        const char *not_found)
{
    if (file < 0) {
        answer_error(resp, not_found, a);
        return;
    }
    size_t *order = gb_arena_calloc(a, r->ix.n_files, sizeof *order);
    Grpc__Reflection__V1__FileDescriptorResponse *fdr = gb_arena_alloc(a, sizeof *fdr);
    ProtobufCBinaryData *v = gb_arena_calloc(a, r->ix.n_files, sizeof *v);
    if (order == NULL || fdr == NULL || v == NULL)
        return;
    grpc__reflection__v1__file_descriptor_response__init(fdr);
    size_t n = refl_closure(&r->ix, (size_t)file, order);
    for (size_t i = 0; i < n; i++) {
        gb_slice b = r->ix.files[order[i]].bytes;
        v[i] = (ProtobufCBinaryData){b.n, (uint8_t *)(uintptr_t)b.p};
    }
    fdr->n_file_descriptor_proto = n;
    fdr->file_descriptor_proto = v;
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
    resp->file_descriptor_response = fdr;
}

static void answer_ext_numbers(const gcore_reflection *r, const char *type, refl_response *resp,
                               gb_arena *a)
{
    size_t first;
    size_t n = refl_extensions_of(&r->ix, type, &first);
    if (n == 0 && refl_find_symbol(&r->ix, type) < 0) {
        answer_error(resp, "type not found", a);
        return;
    }
    Grpc__Reflection__V1__ExtensionNumberResponse *en = gb_arena_alloc(a, sizeof *en);
    int32_t *nums = gb_arena_calloc(a, n + 1, sizeof *nums);
    if (en == NULL || nums == NULL)
        return;
    grpc__reflection__v1__extension_number_response__init(en);
    for (size_t i = 0; i < n; i++)
        nums[i] = r->ix.exts[first + i].number;
    en->base_type_name = (char *)(uintptr_t)(type[0] == '.' ? type + 1 : type);
    en->n_extension_number = n;
    en->extension_number = nums;
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
    resp->all_extension_numbers_response = en;
}

static void answer(const gcore_reflection *r, refl_request *req, refl_response *resp, gb_arena *a)
{
    resp->valid_host = req->host;
    resp->original_request = req;
    switch (req->message_request_case) {
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES:
        answer_services(r, resp, a);
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
        answer_file(r, refl_find_file(&r->ix, req->file_by_filename), resp, a, "file not found");
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
        answer_file(r, refl_find_symbol(&r->ix, req->file_containing_symbol), resp, a,
                    "symbol not found");
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION: {
        const Grpc__Reflection__V1__ExtensionRequest *e = req->file_containing_extension;
        long f = e != NULL && e->containing_type != NULL
                     ? refl_find_extension(&r->ix, e->containing_type, e->extension_number)
                     : -1;
        answer_file(r, f, resp, a, "extension not found");
        break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
        answer_ext_numbers(r, req->all_extension_numbers_of_type, resp, a);
        break;
    default:
        answer_error(resp, "no request", a);
        break;
    }
}

/* Answers one request; returns 0 or the write's error. */
static int serve_one(const gcore_reflection *r, gcore_server_call *call, refl_request *req)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    refl_response resp;
    grpc__reflection__v1__server_reflection_response__init(&resp);
    answer(r, req, &resp, &a);
    int rv = GCORE_ERR_NOMEM;
    if (resp.message_response_case !=
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE__NOT_SET) {
        size_t n = grpc__reflection__v1__server_reflection_response__get_packed_size(&resp);
        uint8_t *buf = gb_arena_alloc(&a, n);
        if (buf != NULL) {
            grpc__reflection__v1__server_reflection_response__pack(&resp, buf);
            rv = gcore_server_call_write(call, gb_slice_of(buf, n));
        }
    }
    gb_arena_clear(&a);
    return rv;
}

static void on_reflection(gcore_server_call *call, void *user_data)
{
    const gcore_reflection *r = user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        refl_request *req =
            grpc__reflection__v1__server_reflection_request__unpack(NULL, in.n, in.p);
        if (req == NULL) {
            gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                          "malformed ServerReflectionRequest");
            break;
        }
        rv = serve_one(r, call, req);
        grpc__reflection__v1__server_reflection_request__free_unpacked(req, NULL);
        if (rv == GCORE_ERR_NOMEM)
            gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        if (rv != 0)
            break;
    }
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    gb_buf_free(&in);
}

int gcore_reflection_enable(gcore_server *s, gb_slice fds, gcore_reflection **out, gb_err *err)
{
    if (atomic_load(&s->state) != SERVER_NEW)
        return gb_err_set(err, GCORE_ERR_STATE, "reflection: server already started");
    gcore_reflection *r = calloc(1, sizeof *r);
    if (r == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "reflection: out of memory");
    r->server = s;
    size_t before = s->n_methods;
    int rv = refl_index_build(&r->ix, fds, err);
    if (rv == 0)
        rv = gcore_server_register(s, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                   GCORE_METHOD_BIDI_STREAMING, on_reflection, r);
    if (rv == 0)
        rv = gcore_server_register(s,
                                   "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                   GCORE_METHOD_BIDI_STREAMING, on_reflection, r);
    if (rv != 0) {
        if (err != NULL && err->code == 0)
            gb_err_set(err, rv, "reflection: cannot register the services");
        server_methods_truncate(s, before);
        gcore_reflection_free(r);
        return rv;
    }
    *out = r;
    return 0;
}

void gcore_reflection_free(gcore_reflection *r)
{
    if (r == NULL)
        return;
    refl_index_free(&r->ix);
    free(r);
}

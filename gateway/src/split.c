/* A byte-at-a-time state machine (split.h), so that any chunking gives the same objects. */
#include "split.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void gw_split_init(gw_split *s, size_t max_object)
{
    *s = (gw_split){.state = GW_SPLIT_START};
    gb_buf_init(&s->cur, max_object);
}

void gw_split_free(gw_split *s)
{
    gb_buf_free(&s->cur);
}

static int bad(gw_split *s, gb_err *err, const char *what)
{
    return gb_err_set(err, GB_ERR_INVALID, "request stream: byte %zu: %s", s->offset, what);
}

/* One byte inside an object: track strings and nesting; returns 1 when it closes. */
static int object_byte(gw_split *s, char c)
{
    if (s->in_string) {
        if (s->escape)
            s->escape = false;
        else if (c == '\\')
            s->escape = true;
        else if (c == '"')
            s->in_string = false;
        return 0;
    }
    if (c == '"')
        s->in_string = true;
    else if (c == '{' || c == '[')
        s->depth++;
    else if (c == '}' || c == ']')
        s->depth--;
    return s->depth == 0;
}

static int start_object(gw_split *s, char c, gb_err *err)
{
    if (c != '{')
        return bad(s, err, "expected '{' (a JSON object per message)");
    s->state = GW_SPLIT_OBJECT;
    s->depth = 1;
    gb_buf_reset(&s->cur);
    return gb_buf_putc(&s->cur, (uint8_t)c);
}

static int step(gw_split *s, char c, gw_split_emit emit, void *ud, gb_err *err)
{
    int rc = 0;
    switch (s->state) {
    case GW_SPLIT_START:
        if (blank(c))
            return 0;
        if (c == '[') {
            s->array = true;
            s->state = GW_SPLIT_BETWEEN;
            return 0;
        }
        return start_object(s, c, err);
    case GW_SPLIT_BETWEEN:
        if (blank(c) || (!s->array && c == ','))
            return 0;
        if (s->array && c == ']' && s->count == 0) {
            s->state = GW_SPLIT_END;
            return 0;
        }
        return start_object(s, c, err);
    case GW_SPLIT_OBJECT:
        rc = gb_buf_putc(&s->cur, (uint8_t)c);
        if (rc != 0)
            return gb_err_set(err, rc, "request stream: message %zu: too large", s->count + 1);
        if (object_byte(s, c) == 0)
            return 0;
        s->count++;
        s->state = s->array ? GW_SPLIT_AFTER : GW_SPLIT_BETWEEN;
        return emit(ud, (const char *)s->cur.p, s->cur.n);
    case GW_SPLIT_AFTER:
        if (blank(c))
            return 0;
        if (c == ',')
            s->state = GW_SPLIT_BETWEEN;
        else if (c == ']')
            s->state = GW_SPLIT_END;
        else
            return bad(s, err, "expected ',' or ']'");
        return 0;
    case GW_SPLIT_END:
        return blank(c) ? 0 : bad(s, err, "data after the closing ']'");
    }
    return 0;
}

int gw_split_feed(gw_split *s, const char *p, size_t n, gw_split_emit emit, void *user_data,
                  gb_err *err)
{
    for (size_t i = 0; i < n; i++, s->offset++) {
        int rc = step(s, p[i], emit, user_data, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int gw_split_finish(gw_split *s, gb_err *err)
{
    if (s->state == GW_SPLIT_OBJECT)
        return bad(s, err, "the body ends inside a message");
    if (s->array && s->state != GW_SPLIT_END)
        return bad(s, err, "the body ends before the closing ']'");
    return 0;
}

/* Proto comments as summaries and descriptions. */
#include "oas_int.h"

#include <stdlib.h>
#include <string.h>

/* protoc keeps the space after "//" on every line and the final newline: drop one
 * leading space per line (deeper indentation is Markdown's), trailing blanks, and
 * empty lines at both ends. */
char *oas_comment_text(const char *comment)
{
    if (comment == NULL)
        return NULL;
    size_t len = strlen(comment);
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    const char *p = comment;
    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t line = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p;
        if (line > 0 && *s == ' ') {
            s++;
            line--;
        }
        while (line > 0 && (s[line - 1] == ' ' || s[line - 1] == '\t' || s[line - 1] == '\r'))
            line--;
        if (line > 0 || n > 0) {
            memcpy(out + n, s, line);
            n += line;
            out[n++] = '\n';
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    while (n > 0 && out[n - 1] == '\n')
        n--;
    out[n] = '\0';
    if (n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The first paragraph, its lines joined by spaces. */
static char *first_paragraph(const char *text, size_t len)
{
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++)
        s[i] = text[i] == '\n' ? ' ' : text[i];
    s[len] = '\0';
    return s;
}

int oas_comment_split(const char *comment, char **summary, char **description)
{
    *summary = NULL;
    *description = NULL;
    char *text = oas_comment_text(comment);
    if (text == NULL)
        return 0;
    const char *brk = strstr(text, "\n\n");
    size_t first = brk ? (size_t)(brk - text) : strlen(text);
    *summary = first_paragraph(text, first);
    if (*summary == NULL) {
        free(text);
        return OAS_ERR_NOMEM;
    }
    if (brk != NULL) {
        const char *rest = brk;
        while (*rest == '\n')
            rest++;
        memmove(text, rest, strlen(rest) + 1);
        *description = text;
    } else {
        free(text);
    }
    return 0;
}

#include "process_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of the N bytes at TEXT with the five XML entities decoded. */
static char *unescape(const char *text, size_t n)
{
    static const struct { const char *name; char c; } entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
    };
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool done = false;
        if (text[i] == '&') {
            for (size_t e = 0; e < sizeof entities / sizeof entities[0]; e++) {
                size_t en = strlen(entities[e].name);
                if (n - i >= en && memcmp(text + i, entities[e].name, en) == 0) {
                    out[o++] = entities[e].c;
                    i += en;
                    done = true;
                    break;
                }
            }
        }
        if (!done)
            out[o++] = text[i++];
    }
    out[o] = '\0';
    return out;
}

/* Finds NEEDLE in [P, END); NULL if absent. */
static const char *find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p && (size_t)(end - p) >= n; p++)
        if (memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/* The value of column NAME within one item [P, END), unescaped; NULL if absent. */
static char *column(const char *p, const char *end, const char *name)
{
    char open[64];
    size_t n = (size_t)snprintf(open, sizeof open, "<column name=\"%s\">", name);
    const char *start = find(p, end, open);
    if (!start)
        return NULL;
    start += n;
    const char *close = find(start, end, "</column>");
    return close ? unescape(start, (size_t)(close - start)) : NULL;
}

char *process_name_of(const char *command)
{
    if (command[0] == '[')
        return strdup(command);
    size_t n = strcspn(command, " ");
    const char *base = command;
    for (size_t i = 0; i < n; i++)
        if (command[i] == '/')
            base = command + i + 1;
    size_t bn = (size_t)(command + n - base);
    char *name = malloc(bn + 1);
    if (name) {
        memcpy(name, base, bn);
        name[bn] = '\0';
    }
    return name;
}

static bool parse_pid(const char *text, pid_t *pid)
{
    if (!text || !*text)
        return false;
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || v <= 0 || v > 0x7fffffff)
        return false;
    *pid = (pid_t)v;
    return true;
}

bool process_list_parse(const char *xml, size_t len, struct process_list *out)
{
    out->items = NULL;
    out->n = 0;
    const char *end = xml + len;
    if (!find(xml, end, "<osdata"))
        return false;
    size_t cap = 0;
    for (const char *p = find(xml, end, "<item>"); p; p = find(p, end, "<item>")) {
        const char *item_end = find(p, end, "</item>");
        if (!item_end)
            break;
        char *pid_text = column(p, item_end, "pid");
        struct remote_process rp = {0};
        bool ok = parse_pid(pid_text, &rp.pid);
        free(pid_text);
        if (ok) {
            rp.user = column(p, item_end, "user");
            rp.command = column(p, item_end, "command");
            if (!rp.user)
                rp.user = strdup("");
            if (!rp.command)
                rp.command = strdup("");
            rp.name = rp.command ? process_name_of(rp.command) : NULL;
            if (rp.name && out->n == cap) {
                size_t ncap = cap ? 2 * cap : 64;
                struct remote_process *bigger = realloc(out->items, ncap * sizeof *bigger);
                if (bigger) {
                    out->items = bigger;
                    cap = ncap;
                }
            }
            if (!rp.user || !rp.command || !rp.name || out->n == cap) {
                free(rp.user), free(rp.command), free(rp.name);
                process_list_free(out);
                return false;
            }
            out->items[out->n++] = rp;
        }
        p = item_end;
    }
    return true;
}

void process_list_free(struct process_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].user);
        free(list->items[i].command);
        free(list->items[i].name);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

#include "transport_spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The transports of the DbgSrv family that this build does not provide yet.
 * They are recognised so that the user gets "not available" rather than
 * "unknown transport" for a string that is right in form. */
static const char *const planned_kinds[] = {"npipe", "com", "ssl", "spipe", "stdio", NULL};

enum param_id { P_PORT, P_BIND, P_IPVERSION };

struct param_def {
    const char *name;
    enum param_id id;
    bool takes_value;
};

static const struct param_def tcp_params[] = {
    {"port", P_PORT, true},
    {"bind", P_BIND, true},
    {"ipversion", P_IPVERSION, true},
};

static bool fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return false;
}

static bool parse_port(const char *v, unsigned *port)
{
    if (!*v || strlen(v) > 5)
        return false;
    unsigned p = 0;
    for (const char *s = v; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        p = p * 10 + (unsigned)(*s - '0');
    }
    if (p > 65535)
        return false;
    *port = p;
    return true;
}

static bool apply_param(struct transport_spec *spec, const struct param_def *def,
                        const char *value, const char *text, char *err, size_t errlen)
{
    switch (def->id) {
    case P_PORT:
        if (!parse_port(value, &spec->port))
            return fail(err, errlen, "bad port '%s' in '%s' (expected 0 to 65535)", value, text);
        return true;
    case P_BIND:
        if (!*value || strlen(value) >= sizeof spec->bind)
            return fail(err, errlen, "bad bind address '%s' in '%s'", value, text);
        strcpy(spec->bind, value);
        return true;
    case P_IPVERSION:
        if (strcmp(value, "4") && strcmp(value, "6"))
            return fail(err, errlen, "bad ipversion '%s' in '%s' (expected 4 or 6)", value, text);
        spec->ipversion = value[0] - '0';
        return true;
    }
    return false;
}

bool transport_spec_parse(const char *text, struct transport_spec *spec,
                          char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->port = TRANSPORT_DEFAULT_PORT;

    const char *colon = strchr(text, ':');
    size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);
    char kind[16];
    if (kind_len == 0 || kind_len >= sizeof kind)
        return fail(err, errlen, "bad transport '%s': expected KIND:PARAM=VALUE,... such as tcp:port=2159%s",
                    text, "");
    memcpy(kind, text, kind_len);
    kind[kind_len] = '\0';

    if (strcmp(kind, "tcp") != 0) {
        for (int i = 0; planned_kinds[i]; i++)
            if (strcmp(kind, planned_kinds[i]) == 0)
                return fail(err, errlen, "transport '%s' is not available in this version of dbgsrv (use tcp)%s",
                            kind, "");
        return fail(err, errlen, "unknown transport '%s' in '%s' (known: tcp)", kind, text);
    }
    spec->kind = TRANSPORT_TCP;
    if (!colon)
        return true; /* "tcp" alone: defaults */

    bool seen[sizeof tcp_params / sizeof tcp_params[0]] = {false};
    const char *p = colon + 1;
    if (!*p)
        return true;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[256];
        if (len == 0)
            return fail(err, errlen, "empty parameter in '%s'%s", text, "");
        if (len >= sizeof item)
            return fail(err, errlen, "parameter too long in '%s'%s", text, "");
        memcpy(item, p, len);
        item[len] = '\0';
        char *eq = strchr(item, '=');
        const char *value = "";
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        const struct param_def *def = NULL;
        size_t idx = 0;
        for (; idx < sizeof tcp_params / sizeof tcp_params[0]; idx++)
            if (strcmp(tcp_params[idx].name, item) == 0) {
                def = &tcp_params[idx];
                break;
            }
        if (!def)
            return fail(err, errlen, "unknown parameter '%s' in '%s'", item, text);
        if (seen[idx])
            return fail(err, errlen, "parameter '%s' given twice in '%s'", item, text);
        seen[idx] = true;
        if (def->takes_value && !eq)
            return fail(err, errlen, "parameter '%s' needs a value in '%s'", item, text);
        if (!apply_param(spec, def, value, text, err, errlen))
            return false;
        if (!end)
            break;
        p = end + 1;
    }
    if (spec->ipversion && spec->bind[0]) {
        bool is_v6 = strchr(spec->bind, ':') != NULL;
        bool is_v4 = strspn(spec->bind, "0123456789.") == strlen(spec->bind);
        if ((spec->ipversion == 4 && is_v6) || (spec->ipversion == 6 && is_v4))
            return fail(err, errlen, "bind address '%s' does not match ipversion in '%s'", spec->bind, text);
    }
    return true;
}

char *transport_spec_format(const struct transport_spec *spec, char *out, size_t len)
{
    const char *bind = spec->bind[0] ? spec->bind : (spec->ipversion == 6 ? "::1" : "127.0.0.1");
    snprintf(out, len, "tcp:port=%u,bind=%s", spec->port, bind);
    return out;
}

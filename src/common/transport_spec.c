#include "errmsg.h"
#include "transport_spec.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K(kind) (1u << (kind))
#define K_TCP K(TRANSPORT_TCP)
#define K_NPIPE K(TRANSPORT_NPIPE)
#define K_COM K(TRANSPORT_COM)
#define K_SSL K(TRANSPORT_SSL)
#define K_SPIPE K(TRANSPORT_SPIPE)
#define K_STDIO K(TRANSPORT_STDIO)
#define K_ALL (K_TCP | K_NPIPE | K_COM | K_SSL | K_SPIPE | K_STDIO)

static const char *const kind_names[] = {
    [TRANSPORT_TCP] = "tcp", [TRANSPORT_NPIPE] = "npipe", [TRANSPORT_COM] = "com",
    [TRANSPORT_SSL] = "ssl", [TRANSPORT_SPIPE] = "spipe", [TRANSPORT_STDIO] = "stdio",
};

enum value_type { V_NONE, V_STRING, V_PORT, V_UINT, V_IPVERSION, V_CHANNEL, V_PROTO };

struct param_def {
    const char *name;
    unsigned long bit;
    unsigned kinds;           /* the kinds that take it */
    enum value_type type;
    size_t offset;            /* of the string field, for V_STRING */
    size_t size;
};

#define STR(name, bit, kinds, field) \
    {name, bit, kinds, V_STRING, offsetof(struct transport_spec, field), sizeof(((struct transport_spec *)0)->field)}

static const struct param_def params[] = {
    {"port", TSPEC_PORT, K_TCP | K_SSL | K_COM, V_PORT, 0, 0},
    STR("bind", TSPEC_BIND, K_TCP | K_SSL, host),
    STR("server", TSPEC_SERVER, K_TCP | K_SSL | K_NPIPE | K_SPIPE, host),
    {"ipversion", TSPEC_IPVERSION, K_TCP | K_SSL, V_IPVERSION, 0, 0},
    {"hidden", TSPEC_HIDDEN, K_TCP | K_SSL | K_NPIPE | K_SPIPE, V_NONE, 0, 0},
    STR("password", TSPEC_PASSWORD, K_ALL, password),
    STR("password-file", TSPEC_PASSWORD_FILE, K_ALL, password_file),
    STR("clicon", TSPEC_CLICON, K_TCP | K_SSL, clicon),
    STR("pipe", TSPEC_PIPE, K_NPIPE | K_SPIPE, pipe),
    STR("allow", TSPEC_ALLOW, K_NPIPE | K_SPIPE, allow),
    {"baud", TSPEC_BAUD, K_COM, V_UINT, 0, 0},
    {"channel", TSPEC_CHANNEL, K_COM, V_CHANNEL, 0, 0},
    {"proto", TSPEC_PROTO, K_SSL | K_SPIPE, V_PROTO, 0, 0},
    STR("cert", TSPEC_CERT, K_SSL | K_SPIPE, cert),
    STR("key", TSPEC_KEY, K_SSL | K_SPIPE, key),
    STR("ca", TSPEC_CA, K_SSL | K_SPIPE, ca),
    STR("fingerprint", TSPEC_FINGERPRINT, K_SSL | K_SPIPE, fingerprint),
};

#define NPARAMS (sizeof params / sizeof params[0])

const char *transport_kind_name(enum transport_kind kind)
{
    return kind_names[kind];
}

static bool parse_uint(const char *v, unsigned max, unsigned *out)
{
    if (!*v || strlen(v) > 10)
        return false;
    unsigned long n = 0;
    for (const char *s = v; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        n = n * 10 + (unsigned long)(*s - '0');
    }
    if (n > max)
        return false;
    *out = (unsigned)n;
    return true;
}

/* "P" or a range "FIRST:LAST". */
static bool parse_ports(const char *v, struct transport_spec *spec)
{
    const char *colon = strchr(v, ':');
    char first[16];
    if (!colon)
        return parse_uint(v, 65535, &spec->port) && (spec->port_last = spec->port, true);
    size_t n = (size_t)(colon - v);
    if (n == 0 || n >= sizeof first)
        return false;
    memcpy(first, v, n);
    first[n] = '\0';
    spec->port_range = true;
    return parse_uint(first, 65535, &spec->port) && parse_uint(colon + 1, 65535, &spec->port_last) &&
           spec->port >= 1 && spec->port <= spec->port_last;
}

static bool apply_param(struct transport_spec *spec, const struct param_def *def,
                        const char *value, const char *text, char *err, size_t errlen)
{
    unsigned u;
    switch (def->type) {
    case V_NONE:
        spec->hidden = true;
        return true;
    case V_STRING: {
        char *field = (char *)spec + def->offset;
        if (!*value || strlen(value) >= def->size)
            return errmsg_set(err, errlen, "bad value for '%s' in '%s'", def->name, text);
        strcpy(field, value);
        return true;
    }
    case V_PORT:
        if (spec->kind == TRANSPORT_COM) {
            /* For com, port= names the serial line: COM2 or 2 is /dev/ttyS1. */
            const char *num = strncmp(value, "COM", 3) == 0 ? value + 3 : value;
            if (parse_uint(num, 255, &u) && u >= 1)
                snprintf(spec->device, sizeof spec->device, "/dev/ttyS%u", u - 1);
            else if (value[0] == '/' && strlen(value) < sizeof spec->device)
                strcpy(spec->device, value);
            else
                return errmsg_set(err, errlen, "bad serial port '%s' in '%s' (COMn, n or a /dev path)", value, text);
            return true;
        }
        if (!parse_ports(value, spec))
            return errmsg_set(err, errlen, "bad port '%s' in '%s' (expected 0 to 65535, or a range FIRST:LAST)",
                        value, text);
        return true;
    case V_UINT:
        if (!parse_uint(value, 4000000, &spec->baud) || spec->baud == 0)
            return errmsg_set(err, errlen, "bad baud rate '%s' in '%s'", value, text);
        return true;
    case V_IPVERSION:
        if (strcmp(value, "4") && strcmp(value, "6"))
            return errmsg_set(err, errlen, "bad ipversion '%s' in '%s' (expected 4 or 6)", value, text);
        spec->ipversion = value[0] - '0';
        return true;
    case V_CHANNEL:
        if (!parse_uint(value, 254, &u))
            return errmsg_set(err, errlen, "bad channel '%s' in '%s' (expected 0 to 254)", value, text);
        spec->channel = (int)u;
        return true;
    case V_PROTO:
        if (strcmp(value, "tls1.2") && strcmp(value, "tls1.3"))
            return errmsg_set(err, errlen, "bad proto '%s' in '%s' (expected tls1.2 or tls1.3)", value, text);
        strcpy(spec->proto, value);
        return true;
    }
    return false;
}

static bool check_combination(const struct transport_spec *spec, const char *text, char *err, size_t errlen)
{
    unsigned long g = spec->given;
    if ((g & TSPEC_BIND) && (g & TSPEC_SERVER))
        return errmsg_set(err, errlen, "'bind' (server side) and 'server' (client side) together in '%s'%s", text, "");
    if ((g & TSPEC_PASSWORD) && (g & TSPEC_PASSWORD_FILE))
        return errmsg_set(err, errlen, "'password' and 'password-file' together in '%s'%s", text, "");
    if ((g & TSPEC_CLICON) && (g & (TSPEC_BIND | TSPEC_SERVER)))
        return errmsg_set(err, errlen, "'clicon' names the other side itself; no 'bind' or 'server' with it in '%s'%s",
                    text, "");
    if ((spec->kind == TRANSPORT_NPIPE || spec->kind == TRANSPORT_SPIPE) && !(g & TSPEC_PIPE))
        return errmsg_set(err, errlen, "'%s' needs pipe=NAME in '%s'", kind_names[spec->kind], text);
    if (spec->kind == TRANSPORT_COM && !(g & TSPEC_PORT))
        return errmsg_set(err, errlen, "'com' needs port=DEVICE in '%s'%s", text, "");
    if (spec->ipversion && spec->host[0]) {
        bool is_v6 = strchr(spec->host, ':') != NULL;
        bool is_v4 = strspn(spec->host, "0123456789.") == strlen(spec->host);
        if ((spec->ipversion == 4 && is_v6) || (spec->ipversion == 6 && is_v4))
            return errmsg_set(err, errlen, "address '%s' does not match ipversion in '%s'", spec->host, text);
    }
    if (spec->pipe[0] && strchr(spec->pipe, '/'))
        return errmsg_set(err, errlen, "pipe name '%s' must not contain '/' in '%s'", spec->pipe, text);
    return true;
}

bool transport_spec_parse(const char *text, struct transport_spec *spec,
                          char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->port = spec->port_last = TRANSPORT_DEFAULT_PORT;
    spec->channel = -1;

    const char *colon = strchr(text, ':');
    size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);
    size_t k = 0;
    for (; k < sizeof kind_names / sizeof kind_names[0]; k++)
        if (strlen(kind_names[k]) == kind_len && memcmp(text, kind_names[k], kind_len) == 0)
            break;
    if (k == sizeof kind_names / sizeof kind_names[0]) {
        char kind[32];
        snprintf(kind, sizeof kind, "%.*s", (int)(kind_len < 31 ? kind_len : 31), text);
        if (kind_len == 0)
            return errmsg_set(err, errlen, "bad transport '%s': expected KIND:PARAM=VALUE,... such as tcp:port=2159%s",
                        text, "");
        return errmsg_set(err, errlen, "unknown transport '%s' in '%s' (known: tcp, npipe, com, ssl, spipe, stdio)",
                    kind, text);
    }
    spec->kind = (enum transport_kind)k;
    if (!colon || !colon[1])
        return check_combination(spec, text, err, errlen);

    const char *p = colon + 1;
    const struct param_def *last = NULL;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[512];
        if (len == 0)
            return errmsg_set(err, errlen, "empty parameter in '%s'%s", text, "");
        if (len >= sizeof item)
            return errmsg_set(err, errlen, "parameter too long in '%s'%s", text, "");
        memcpy(item, p, len);
        item[len] = '\0';
        char *eq = strchr(item, '=');
        const char *value = "";
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        const struct param_def *def = NULL;
        for (size_t i = 0; i < NPARAMS; i++)
            if (strcmp(params[i].name, item) == 0)
                def = &params[i];
        if (!def && !eq && last && last->bit == TSPEC_ALLOW) {
            /* allow=alice,bob: the list goes on until the next parameter. */
            size_t used = strlen(spec->allow);
            if (used + 1 + strlen(item) >= sizeof spec->allow)
                return errmsg_set(err, errlen, "too many users in allow= in '%s'%s", text, "");
            spec->allow[used] = ',';
            strcpy(spec->allow + used + 1, item);
            if (!end)
                break;
            p = end + 1;
            continue;
        }
        if (!def)
            return errmsg_set(err, errlen, "unknown parameter '%s' in '%s'", item, text);
        last = def;
        if (!(def->kinds & K(spec->kind))) {
            snprintf(err, errlen, "parameter '%s' does not apply to transport '%s' in '%s'", item,
                     kind_names[spec->kind], text);
            return false;
        }
        if (spec->given & def->bit)
            return errmsg_set(err, errlen, "parameter '%s' given twice in '%s'", item, text);
        spec->given |= def->bit;
        if (def->type == V_NONE && eq)
            return errmsg_set(err, errlen, "parameter '%s' takes no value in '%s'", item, text);
        if (def->type != V_NONE && !eq)
            return errmsg_set(err, errlen, "parameter '%s' needs a value in '%s'", item, text);
        if (!apply_param(spec, def, value, text, err, errlen))
            return false;
        if (!end)
            break;
        p = end + 1;
    }
    return check_combination(spec, text, err, errlen);
}

char *transport_spec_format(const struct transport_spec *spec, char *out, size_t len)
{
    switch (spec->kind) {
    case TRANSPORT_TCP:
    case TRANSPORT_SSL: {
        const char *host = spec->host[0] ? spec->host : (spec->ipversion == 6 ? "::1" : "127.0.0.1");
        if (spec->port_range)
            snprintf(out, len, "%s:port=%u:%u,bind=%s", kind_names[spec->kind], spec->port, spec->port_last, host);
        else
            snprintf(out, len, "%s:port=%u,bind=%s", kind_names[spec->kind], spec->port, host);
        break;
    }
    case TRANSPORT_NPIPE:
    case TRANSPORT_SPIPE:
        snprintf(out, len, "%s:pipe=%s", kind_names[spec->kind], spec->pipe);
        break;
    case TRANSPORT_COM: {
        int n = snprintf(out, len, "com:port=%s", spec->device);
        if (spec->baud && n > 0 && (size_t)n < len)
            n += snprintf(out + n, len - (size_t)n, ",baud=%u", spec->baud);
        if (spec->channel >= 0 && n > 0 && (size_t)n < len)
            snprintf(out + n, len - (size_t)n, ",channel=%d", spec->channel);
        break;
    }
    case TRANSPORT_STDIO:
        snprintf(out, len, "stdio");
        break;
    }
    return out;
}

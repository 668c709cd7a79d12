/* lldb's process queries: qProcessInfo (the process being debugged),
 * qProcessInfoPID:PID (any process) and qfProcessInfo/qsProcessInfo (a
 * filtered list of the machine's processes). These only read /proc
 * (target/proc_info.c): a pid from these packets is never signalled or
 * traced, so it need not belong to the session. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"
#include "target/proc_info.h"

static void reply_hex_string(struct session *s, const char *key, const char *value, size_t n)
{
    reply_printf(s, "%s:", key);
    reply_hex(s, (const uint8_t *)value, n);
    reply_str(s, ";");
}

/* qProcessInfo: hex numbers, debugserver's key names. */
HANDLER(handle_qProcessInfo)
{
    (void)args, (void)len;
    struct process *p = session_general_process(s);
    struct proc_info info;
    if (!p || !proc_info_read(p->pid, &info)) {
        reply_error(s, "no process");
        return;
    }
    reply_printf(s, "pid:%x;parent-pid:%x;real-uid:%x;real-gid:%x;effective-uid:%x;effective-gid:%x;",
                 (unsigned)info.pid, (unsigned)info.ppid, (unsigned)info.uid, (unsigned)info.gid,
                 (unsigned)info.euid, (unsigned)info.egid);
    const char *triple = arch_triple(p);
    reply_hex_string(s, "triple", triple, strlen(triple));
    reply_printf(s, "ostype:linux;endian:little;ptrsize:%d;", arch_ptr_size(p));
}

/* One process in the form of qProcessInfoPID and qfProcessInfo: decimal
 * numbers, lldb-platform's key names; args is each argument in hex, joined
 * by '-'. */
static void reply_process(struct session *s, const struct proc_info *info)
{
    reply_printf(s, "pid:%d;ppid:%d;uid:%u;gid:%u;euid:%u;egid:%u;", (int)info->pid, (int)info->ppid,
                 (unsigned)info->uid, (unsigned)info->gid, (unsigned)info->euid, (unsigned)info->egid);
    reply_hex_string(s, "name", info->path, strlen(info->path));
    if (info->args_len) {
        reply_str(s, "args:");
        const char *a = info->args, *end = info->args + info->args_len;
        while (a <= end) {
            const char *nul = memchr(a, '\0', (size_t)(end - a));
            size_t n = nul ? (size_t)(nul - a) : (size_t)(end - a);
            reply_hex(s, (const uint8_t *)a, n);
            a += n + 1;
            if (a <= end)
                reply_str(s, "-");
        }
        reply_str(s, ";");
    }
}

/* A decimal number of LEN characters at P, at most MAX. */
static bool parse_decimal(const char *p, size_t len, unsigned long max, unsigned long *out)
{
    if (len == 0 || len > 10)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* qProcessInfoPID:PID (decimal) */
HANDLER(handle_qProcessInfoPID)
{
    unsigned long pid;
    struct proc_info info;
    if (!parse_decimal(args, len, 0x7fffffff, &pid) || pid == 0) {
        reply_error(s, "malformed process id (a decimal number above 0 expected)");
        return;
    }
    if (!proc_info_read((pid_t)pid, &info)) {
        reply_error(s, "no such process: %lu", pid);
        return;
    }
    reply_process(s, &info);
}

/* ---- qfProcessInfo filters ---- */

enum name_match { NAME_EQUALS, NAME_STARTS_WITH, NAME_ENDS_WITH, NAME_CONTAINS, NAME_REGEX };

struct filter {
    char *name;              /* NULL: any */
    enum name_match match;
    bool have_regex;
    regex_t regex;
    long pid, ppid;          /* -1: any */
    long uid, gid, euid, egid;
    bool all_users;          /* else only the processes of the server's user */
    pid_t *found;
    size_t count, cap;
    bool out_of_memory;
};

static bool name_matches(const struct filter *f, const char *name)
{
    if (!f->name)
        return true;
    size_t n = strlen(name), k = strlen(f->name);
    switch (f->match) {
    case NAME_EQUALS:
        return strcmp(name, f->name) == 0;
    case NAME_STARTS_WITH:
        return strncmp(name, f->name, k) == 0;
    case NAME_ENDS_WITH:
        return n >= k && strcmp(name + n - k, f->name) == 0;
    case NAME_CONTAINS:
        return strstr(name, f->name) != NULL;
    case NAME_REGEX:
        return regexec(&f->regex, name, 0, NULL, 0) == 0;
    }
    return false;
}

static bool collect(const struct proc_info *info, void *ctx)
{
    struct filter *f = ctx;
    if ((f->pid >= 0 && info->pid != f->pid) || (f->ppid >= 0 && info->ppid != f->ppid) ||
        (f->uid >= 0 && info->uid != (uid_t)f->uid) || (f->gid >= 0 && info->gid != (gid_t)f->gid) ||
        (f->euid >= 0 && info->euid != (uid_t)f->euid) || (f->egid >= 0 && info->egid != (gid_t)f->egid) ||
        (!f->all_users && info->uid != getuid()) || !name_matches(f, info->name))
        return true;
    if (f->count == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        pid_t *grown = realloc(f->found, cap * sizeof *grown);
        if (!grown) {
            f->out_of_memory = true;
            return false;
        }
        f->found = grown;
        f->cap = cap;
    }
    f->found[f->count++] = info->pid;
    return true;
}

/* Parses one KEY:VALUE of qfProcessInfo into F; false with an error reply. */
static bool parse_filter_key(struct session *s, struct filter *f, const char *key, size_t klen,
                             const char *val, size_t vlen)
{
    static const struct {
        const char *key;
        size_t offset;
    } numbers[] = {
        {"pid", offsetof(struct filter, pid)},   {"parent_pid", offsetof(struct filter, ppid)},
        {"uid", offsetof(struct filter, uid)},   {"gid", offsetof(struct filter, gid)},
        {"euid", offsetof(struct filter, euid)}, {"egid", offsetof(struct filter, egid)},
    };
    static const char *const matches[] = {"equals", "starts_with", "ends_with", "contains", "regex"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        if (klen == strlen(numbers[i].key) && memcmp(key, numbers[i].key, klen) == 0) {
            unsigned long v;
            if (!parse_decimal(val, vlen, 0xffffffffUL, &v)) {
                reply_error(s, "malformed value for %s in qfProcessInfo", numbers[i].key);
                return false;
            }
            *(long *)((char *)f + numbers[i].offset) = (long)v;
            return true;
        }
    if (klen == 4 && memcmp(key, "name", 4) == 0) {
        free(f->name);
        f->name = hex_decode_string(val, vlen);
        if (!f->name) {
            reply_error(s, "malformed name in qfProcessInfo (hex digits expected)");
            return false;
        }
        return true;
    }
    if (klen == 10 && memcmp(key, "name_match", 10) == 0) {
        for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++)
            if (vlen == strlen(matches[i]) && memcmp(val, matches[i], vlen) == 0) {
                f->match = (enum name_match)i;
                return true;
            }
        reply_error(s, "unknown name_match '%.*s' in qfProcessInfo", (int)(vlen > 32 ? 32 : vlen), val);
        return false;
    }
    if (klen == 9 && memcmp(key, "all_users", 9) == 0 && vlen == 1 && (val[0] == '0' || val[0] == '1')) {
        f->all_users = val[0] == '1';
        return true;
    }
    /* A filter we cannot apply (such as triple) must not be dropped
     * silently: the list would show processes it should not. */
    reply_error(s, "unsupported qfProcessInfo filter '%.*s'", (int)(klen > 32 ? 32 : klen), key);
    return false;
}

static bool parse_filter(struct session *s, struct filter *f, const char *args, size_t len)
{
    const char *p = args, *end = args + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *colon = memchr(p, ':', (size_t)(stop - p));
        if (!colon) {
            reply_error(s, "malformed qfProcessInfo filter (KEY:VALUE; expected)");
            return false;
        }
        if (!parse_filter_key(s, f, p, (size_t)(colon - p), colon + 1, (size_t)(stop - colon - 1)))
            return false;
        p = semi ? semi + 1 : end;
    }
    if (f->name && f->match == NAME_REGEX) {
        if (regcomp(&f->regex, f->name, REG_EXTENDED | REG_NOSUB) != 0) {
            reply_error(s, "malformed regular expression in qfProcessInfo");
            return false;
        }
        f->have_regex = true;
    }
    return true;
}

static void reply_next_process(struct session *s)
{
    while (s->proc_list_next < s->proc_list_len) {
        struct proc_info info;
        /* Gone since the listing: skip it. */
        if (proc_info_read(s->proc_list[s->proc_list_next++], &info)) {
            reply_process(s, &info);
            return;
        }
    }
    /* The end of the list: lldb stops at any error reply, and this one
     * must be "Enn" (lldb reads "E.text" as a process). */
    reply_errno(s, ESRCH);
}

/* qfProcessInfo[:KEY:VALUE;...] - the first matching process; qsProcessInfo
 * gives the next ones. */
HANDLER(handle_qfProcessInfo)
{
    struct filter f = {.pid = -1, .ppid = -1, .uid = -1, .gid = -1, .euid = -1, .egid = -1};
    free(s->proc_list);
    s->proc_list = NULL;
    s->proc_list_len = s->proc_list_next = 0;
    if (len && *args == ':') {
        args++;
        len--;
    } else if (len) {
        reply_error(s, "malformed qfProcessInfo packet");
        return;
    }
    if (parse_filter(s, &f, args, len)) {
        proc_info_each(collect, &f);
        if (f.out_of_memory) {
            reply_error(s, "out of memory");
            free(f.found);
        } else {
            s->proc_list = f.found;
            s->proc_list_len = f.count;
            reply_next_process(s);
        }
    }
    free(f.name);
    if (f.have_regex)
        regfree(&f.regex);
}

HANDLER(handle_qsProcessInfo)
{
    (void)args, (void)len;
    reply_next_process(s);
}

#include "thread_id.h"

#include <stdio.h>
#include <string.h>

#include "rsp/hex.h"

bool ptid_parse(const char **p, struct ptid *out)
{
    const char *s = *p;
    if (*s == 'p') {
        s++;
        if (!hex_parse_i64(&s, &out->pid))
            return false;
        if (*s == '.') {
            s++;
            if (!hex_parse_i64(&s, &out->tid))
                return false;
        } else {
            out->tid = -1;
        }
    } else {
        out->pid = 0;
        if (!hex_parse_i64(&s, &out->tid))
            return false;
        if (out->tid == -1)
            out->pid = -1;
    }
    *p = s;
    return true;
}

/* -1 is written as "-1", as gdb writes it, not as a huge hex number. */
static const char *id_text(char *buf, size_t len, int64_t id)
{
    if (id < 0)
        snprintf(buf, len, "-1");
    else
        snprintf(buf, len, "%llx", (unsigned long long)id);
    return buf;
}

size_t ptid_format(char *out, size_t len, int64_t pid, int64_t tid, bool multiprocess)
{
    char a[24], b[24];
    int n = multiprocess ? snprintf(out, len, "p%s.%s", id_text(a, sizeof a, pid), id_text(b, sizeof b, tid))
                         : snprintf(out, len, "%s", id_text(b, sizeof b, tid));
    return n < 0 ? 0 : (size_t)n;
}

bool ptid_matches(struct ptid ptid, int64_t pid, int64_t tid)
{
    if (ptid.pid > 0 && ptid.pid != pid)
        return false;
    if (ptid.tid > 0 && ptid.tid != tid)
        return false;
    return true;
}

int ptid_strip_suffix(const char *args, size_t *len, struct ptid *out)
{
    static const char key[] = ";thread:";
    const size_t klen = sizeof key - 1;
    /* The last one: a value before it (a P packet's hex digits) cannot
     * contain ';', so the first one found from the end is the suffix. */
    const char *found = NULL;
    for (size_t i = 0; i + klen <= *len; i++)
        if (memcmp(args + i, key, klen) == 0)
            found = args + i;
    if (!found)
        return 0;
    const char *p = found + klen;
    const char *end = args + *len;
    struct ptid id;
    if (p == end || !ptid_parse(&p, &id) || p > end)
        return -1;
    if (p < end && *p == ';')
        p++;
    if (p != end)
        return -1;
    *out = id;
    *len = (size_t)(found - args);
    return 1;
}

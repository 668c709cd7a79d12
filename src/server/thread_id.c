#include "thread_id.h"

#include <stdio.h>

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

size_t ptid_format(char *out, size_t len, int64_t pid, int64_t tid, bool multiprocess)
{
    int n = multiprocess ? snprintf(out, len, "p%llx.%llx", (unsigned long long)pid, (unsigned long long)tid)
                         : snprintf(out, len, "%llx", (unsigned long long)tid);
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

/* qXfer:libraries-svr4:read: the shared libraries of the current process
 * (target/solib_list.c), so that gdb follows library loads without walking
 * the dynamic linker's list itself. With augmented-libraries-svr4-read the
 * annex may say "start=LM;prev=LM": list from link_map START on, which gdb
 * asks for at the dynamic linker's probes to read only the new libraries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "session.h"
#include "target/solib_list.h"

static bool put_library(const struct solib *lib, void *ctx)
{
    FILE *f = ctx;
    fputs("  <library name=\"", f);
    xml_put_escaped(f, lib->name);
    fprintf(f, "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" lmid=\"0x%llx\"/>\n", (unsigned long long)lib->lm,
            (unsigned long long)lib->l_addr, (unsigned long long)lib->l_ld, (unsigned long long)lib->lmid);
    return true;
}

/* "lmid=0x...;start=0x...;prev=0x..." -> START and LMID (0 if not
 * given). Unknown names are an error: a request we do not understand must
 * not get a wrong list. */
static bool parse_annex(const char *annex, uint64_t *start, uint64_t *lmid)
{
    *start = 0;
    *lmid = 0;
    for (const char *p = annex; *p;) {
        const char *eq = strchr(p, '=');
        if (!eq)
            return false;
        char *end;
        unsigned long long v = strtoull(eq + 1, &end, 16);
        if (end == eq + 1 || (*end && *end != ';'))
            return false;
        size_t n = (size_t)(eq - p);
        if (n == 5 && memcmp(p, "start", 5) == 0)
            *start = v;
        else if (n == 4 && memcmp(p, "lmid", 4) == 0)
            *lmid = v;
        else if (!(n == 4 && memcmp(p, "prev", 4) == 0))
            return false;
        p = *end ? end + 1 : end;
    }
    return true;
}

struct request {
    struct process *proc;
    uint64_t start, lmid;
};

static bool make_list(struct session *s, FILE *f, void *ctx)
{
    const struct request *rq = ctx;
    char *body = NULL;
    size_t body_len = 0;
    FILE *items = open_memstream(&body, &body_len);
    uint64_t main_lm = 0;
    bool ok = items && solib_each(rq->proc, rq->start, rq->lmid, &main_lm, put_library, items);
    if (items)
        fclose(items);
    if (!ok) {
        free(body);
        /* gdb then reads the list itself, from the dynamic linker's symbols. */
        reply_error(s, "cannot find or read the dynamic linker's list of libraries in process %d",
                    (int)rq->proc->pid);
        return false;
    }
    fputs("<library-list-svr4 version=\"1.0\"", f);
    /* Given main-lm, lldb 14 plants its library-load breakpoint at a wrong
     * address and loads no library (lldb-server sends none): it gets none. */
    if (main_lm && !s->client_lldb)
        fprintf(f, " main-lm=\"0x%llx\"", (unsigned long long)main_lm);
    fputs(">\n", f);
    fwrite(body, 1, body_len, f);
    fputs("</library-list-svr4>\n", f);
    free(body);
    return true;
}

/* qXfer:libraries-svr4:read:ANNEX:OFFSET,LENGTH */
HANDLER(handle_qXfer_libraries_svr4)
{
    (void)len;
    char annex[128], key[160];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    struct request rq = {session_general_process(s), 0, 0};
    if (!rq.proc) {
        reply_error(s, "no process");
        return;
    }
    if (!parse_annex(annex, &rq.start, &rq.lmid)) {
        reply_error(s, "malformed libraries-svr4 annex '%s'", annex);
        return;
    }
    snprintf(key, sizeof key, "libraries-svr4:%d:%s", (int)rq.proc->pid, annex);
    xfer_reply_document(s, key, off, want, make_list, &rq);
}

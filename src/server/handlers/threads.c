/* Thread selection and listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "target/proc_info.h"
#include "target/thread_db.h"
#include "rsp/hex.h"
#include "session.h"

/* The thread PTID names, if it is one the client can select: known, not
 * an exited leader, and in the process named (if any). */
static struct thread *find_live_thread(struct session *s, const struct ptid *ptid)
{
    struct thread *th = ptid->tid > 0 ? target_find_thread(&s->target, (pid_t)ptid->tid) : NULL;
    return th && !th->zombie && (ptid->pid <= 0 || th->proc->pid == ptid->pid) ? th : NULL;
}

/* Hg / Hc followed by a thread id. */
HANDLER(handle_set_thread)
{
    (void)len;
    char op = args[0];
    const char *p = args + 1;
    struct ptid ptid;
    if ((op != 'g' && op != 'c') || !ptid_parse(&p, &ptid) || *p) {
        reply_error(s, "malformed H packet");
        return;
    }
    if (ptid.tid > 0 && !find_live_thread(s, &ptid)) {
        reply_errno(s, 1);   /* no such thread (in that process), or an exited leader */
        return;
    }
    if (op == 'g')
        s->general = ptid;
    else
        s->cont = ptid;
    reply_str(s, "OK");
}

HANDLER(handle_thread_alive)
{
    (void)len;
    const char *p = args;
    struct ptid ptid;
    if (!ptid_parse(&p, &ptid) || *p) {
        reply_error(s, "malformed T packet");
        return;
    }
    if (find_live_thread(s, &ptid))
        reply_str(s, "OK");
    else
        reply_errno(s, 1);
}

HANDLER(handle_qC)
{
    (void)args, (void)len;
    struct thread *th = session_general_thread(s);
    if (!th) {
        /* No process: an error, as gdbserver's and lldb-server's. "QC0"
         * would tell lldb that process 0 is being debugged; gdb keeps
         * its own idea of the thread on any reply but "QC...". */
        reply_error(s, "no process");
        return;
    }
    char id[48];
    ptid_format(id, sizeof id, th->proc->pid, th->tid, s->client_multiprocess);
    reply_printf(s, "QC%s", id);
}

/* The whole list in the first reply: a thread id is short, and one round
 * trip is cheaper than one per thread. */
HANDLER(handle_qfThreadInfo)
{
    (void)args, (void)len;
    bool first = true;
    for (struct process *p = s->target.processes; p; p = p->next)
        for (struct thread *th = p->threads; th && !p->unreported; th = th->next) {
            if (th->zombie)
                continue;   /* a leader that exited before the others: gone for the client */
            char id[48];
            ptid_format(id, sizeof id, p->pid, th->tid, s->client_multiprocess);
            reply_printf(s, "%c%s", first ? 'm' : ',', id);
            first = false;
        }
    if (first && s->client_lldb)
        reply_error(s, "no process");   /* lldb takes an empty "l" for a bare-metal stub's thread 1 */
    else if (first)
        reply_str(s, "l");
}

HANDLER(handle_qsThreadInfo)
{
    (void)args, (void)len;
    reply_str(s, "l");
}

static bool make_thread_list(struct session *s, FILE *f, void *ctx)
{
    (void)ctx;
    fputs("<?xml version=\"1.0\"?>\n<threads>\n", f);
    /* A fork child whose fork the client has not been told of yet is not
     * its to see: gdb would take its thread for a new process of its own. */
    for (struct process *p = s->target.processes; p; p = p->next)
        for (struct thread *th = p->threads; th && !p->unreported; th = th->next) {
            /* A leader that exited (pthread_exit) while its threads run on
             * has no registers, no frame: gdbserver drops it, and gdb then
             * lists only the live threads. */
            if (th->zombie)
                continue;
            char id[48], name[64];
            int core;
            ptid_format(id, sizeof id, p->pid, th->tid, s->client_multiprocess);
            proc_info_read_task(th->tgid, th->tid, name, sizeof name, &core);
            fprintf(f, "<thread id=\"%s\"", id);
            if (core >= 0)
                fprintf(f, " core=\"%d\"", core);
            if (name[0]) {
                fputs(" name=\"", f);
                xml_put_escaped(f, name);
                fputc('"', f);
            }
            fputs("/>\n", f);
        }
    fputs("</threads>\n", f);
    return true;
}

/* qXfer:threads:read::OFFSET,LENGTH - every thread with its name and core in
 * one transfer, which gdb reads at each stop instead of qfThreadInfo plus
 * a qThreadExtraInfo per thread. */
HANDLER(handle_qXfer_threads)
{
    (void)len;
    char annex[8];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    if (annex[0]) {
        reply_error(s, "threads takes no annex");
        return;
    }
    xfer_reply_document(s, "threads", off, want, make_thread_list, NULL);
}

/* qGetTLSAddr:THREAD-ID,OFFSET,LM - where a __thread variable of the
 * module whose link_map is LM lives in that thread (libthread_db knows). */
HANDLER(handle_qGetTLSAddr)
{
    (void)len;
    const char *p = args;
    struct ptid ptid;
    uint64_t offset, lm;
    if (!ptid_parse(&p, &ptid) || *p++ != ',' || !hex_parse_u64(&p, &offset) || *p++ != ',' ||
        !hex_parse_u64(&p, &lm) || *p) {
        reply_error(s, "malformed qGetTLSAddr packet");
        return;
    }
    struct thread *th = ptid.tid > 0 ? target_find_thread(&s->target, (pid_t)ptid.tid) : NULL;
    if (!th || (ptid.pid > 0 && th->proc->pid != ptid.pid) || th->running) {
        reply_error(s, "no such stopped thread in this session");
        return;
    }
    char err[200];
    uint64_t addr;
    if (!thread_db_tls_address(th, lm, offset, &addr, err, sizeof err))
        reply_error(s, "%s", err);
    else
        reply_printf(s, "%llx", (unsigned long long)addr);
}

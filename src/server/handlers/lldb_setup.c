/* lldb's own connection set-up packets (lldb/docs/resources/lldbgdbremote.md):
 * each switches on a protocol behaviour that gdb never asks for, so a gdb
 * session is unchanged. Also qEcho and qThreadStopInfo, which only lldb sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "stop_reply.h"
#include "thread_info_json.h"

/* lldb 14 offers fork-events+ and vfork-events+, but takes a fork stop for
 * a plain SIGTRAP and loses track of its process: an lldb client gets the
 * children let go, as from a server without the events. */
static void mark_lldb(struct session *s)
{
    s->client_lldb = true;
    s->target.report_fork = false;
    s->target.report_vfork = false;
    s->target.report_exec = false;
}

HANDLER(handle_QThreadSuffixSupported)
{
    (void)args, (void)len;
    mark_lldb(s);
    s->thread_suffix = true;
    reply_str(s, "OK");
}

HANDLER(handle_QListThreadsInStopReply)
{
    (void)args, (void)len;
    mark_lldb(s);
    s->threads_in_stop_reply = true;
    reply_str(s, "OK");
}

HANDLER(handle_QEnableErrorStrings)
{
    (void)args, (void)len;
    mark_lldb(s);
    s->error_strings = true;
    reply_str(s, "OK");
}

/* qEcho:TEXT - the packet comes back as it is; lldb uses it to find its
 * place again after a reply timed out. */
HANDLER(handle_qEcho)
{
    reply_str(s, "qEcho:");
    reply_append(s, args, len);
}

/* qThreadStopInfoTID: why thread TID stopped, as a stop reply. Only the
 * thread of the last stop reply has a reason; the others were stopped by
 * the server to keep all-stop, which is signal 0. */
HANDLER(handle_qThreadStopInfo)
{
    const char *p = args;
    uint64_t tid;
    if (!hex_parse_u64(&p, &tid) || p != args + len || tid == 0 || tid > 0x7fffffff) {
        reply_error(s, "malformed qThreadStopInfo packet");
        return;
    }
    struct thread *th = target_find_thread(&s->target, (pid_t)tid);
    if (!th) {
        reply_error(s, "no thread %llx in this session", (unsigned long long)tid);
        return;
    }
    if (th->running) {
        reply_error(s, "thread %llx is running", (unsigned long long)tid);
        return;
    }
    struct stop_event none = {.kind = STOP_NONE};
    stop_reply_thread(s, th, th->tid == s->last_stop_tid ? &th->last : &none);
}

/* jThreadsInfo: every thread of the process, with its stop reason and its
 * frame registers, in one JSON reply: what lldb would otherwise learn with
 * a qThreadStopInfo and register reads per thread. */
HANDLER(handle_jThreadsInfo)
{
    (void)args, (void)len;
    struct process *p = session_general_process(s);
    if (!p) {
        reply_error(s, "no process");
        return;
    }
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->running) {
            reply_error(s, "the process is running");
            return;
        }
    struct thread *stopped = target_find_thread(&s->target, s->last_stop_tid);
    size_t n;
    char *json = thread_info_json(s, p, stopped, stopped ? &stopped->last : NULL, true, &n);
    if (!json) {
        reply_error(s, "out of memory");
        return;
    }
    reply_append(s, json, n);
    free(json);
}

#include "packet_table.h"

#include <string.h>

#include "gdbserver_cli.h"
#include "handlers/handlers.h"
#include "log.h"
#include "rsp/packet.h"
#include "session.h"

enum match {
    MATCH_EXACT,   /* the whole packet is the name */
    MATCH_PREFIX,  /* the packet starts with the name; the rest are arguments */
    MATCH_FEATURE, /* not a packet: a qSupported feature of the server */
};

struct packet_entry {
    const char *name;
    enum match match;
    void (*handler)(struct session *s, const char *args, size_t len);
    const char *feature;
    bool before_auth;   /* allowed before a password server authenticated the client */
};

/* Events a client must know how to handle: gdbserver offers them only to
 * a client that offered them. */
static bool offered_fork_events(const struct session *s)
{
    return s->target.report_fork;
}

static bool offered_vfork_events(const struct session *s)
{
    return s->target.report_vfork;
}

static bool offered_exec_events(const struct session *s)
{
    return s->target.report_exec;
}

/* Longer names come before names they start with ("vCont?" before "vCont;"). */
static const struct packet_entry table[] = {
    /* dbg's handshake: not features, never in qSupported */
    {"qDbgsrvHello:", MATCH_PREFIX, handle_hello, NULL, true},
    {"qDbgsrvAuth:", MATCH_PREFIX, handle_auth, NULL, true},
    /* Connection and queries */
    {"qSupported", MATCH_PREFIX, handle_qSupported, NULL, false},
    {"QStartNoAckMode", MATCH_EXACT, handle_QStartNoAckMode, "QStartNoAckMode+", false},
    {"!", MATCH_EXACT, handle_extended_mode, NULL, false},
    {"qXfer:features:read:", MATCH_PREFIX, handle_qXfer_features, "qXfer:features:read+", false},
    {"qXfer:auxv:read:", MATCH_PREFIX, handle_qXfer_auxv, "qXfer:auxv:read+", false},
    {"qXfer:exec-file:read:", MATCH_PREFIX, handle_qXfer_exec_file, "qXfer:exec-file:read+", false},
    {"qXfer:libraries-svr4:read:", MATCH_PREFIX, handle_qXfer_libraries_svr4, "qXfer:libraries-svr4:read+",
     false},
    {"qXfer:threads:read:", MATCH_PREFIX, handle_qXfer_threads, "qXfer:threads:read+", false},
    {"qXfer:osdata:read:", MATCH_PREFIX, handle_qXfer_osdata, "qXfer:osdata:read+", false},
    {"qRcmd,", MATCH_PREFIX, handle_monitor, NULL, false},
    {"qSymbol:", MATCH_PREFIX, handle_qSymbol, NULL, false},
    {"qAttached", MATCH_PREFIX, handle_qAttached, NULL, false},
    /* lldb's extensions (lldb/docs/resources/lldbgdbremote.md) */
    {"QThreadSuffixSupported", MATCH_EXACT, handle_QThreadSuffixSupported, "QThreadSuffixSupported+", false},
    {"QListThreadsInStopReply", MATCH_EXACT, handle_QListThreadsInStopReply, "QListThreadsInStopReply+", false},
    {"QEnableErrorStrings", MATCH_EXACT, handle_QEnableErrorStrings, NULL, false},
    {"qEcho:", MATCH_PREFIX, handle_qEcho, "qEcho+", false},
    {"qHostInfo", MATCH_EXACT, handle_qHostInfo, NULL, false},
    {"qThreadStopInfo", MATCH_PREFIX, handle_qThreadStopInfo, NULL, false},
    {"jThreadsInfo", MATCH_EXACT, handle_jThreadsInfo, NULL, false},
    {"qProcessInfoPID:", MATCH_PREFIX, handle_qProcessInfoPID, NULL, false},
    {"qProcessInfo", MATCH_EXACT, handle_qProcessInfo, NULL, false},
    {"qfProcessInfo", MATCH_PREFIX, handle_qfProcessInfo, NULL, false},
    {"qsProcessInfo", MATCH_EXACT, handle_qsProcessInfo, NULL, false},
    /* How vRun starts programs */
    {"QSetSTDIN:", MATCH_PREFIX, handle_QSetSTDIN, NULL, false},
    {"QSetSTDOUT:", MATCH_PREFIX, handle_QSetSTDOUT, NULL, false},
    {"QSetSTDERR:", MATCH_PREFIX, handle_QSetSTDERR, NULL, false},
    {"QSetWorkingDir:", MATCH_PREFIX, handle_QSetWorkingDir, "QSetWorkingDir+", false},
    {"qGetWorkingDir", MATCH_EXACT, handle_qGetWorkingDir, NULL, false},
    {"QSetDisableASLR:", MATCH_PREFIX, handle_QSetDisableASLR, NULL, false},
    {"QEnvironmentHexEncoded:", MATCH_PREFIX, handle_QEnvironmentHexEncoded, "QEnvironmentHexEncoded+", false},
    {"QEnvironmentUnset:", MATCH_PREFIX, handle_QEnvironmentUnset, "QEnvironmentUnset+", false},
    {"QEnvironmentReset", MATCH_EXACT, handle_QEnvironmentReset, "QEnvironmentReset+", false},
    {"QDisableRandomization:", MATCH_PREFIX, handle_QDisableRandomization, "QDisableRandomization+", false},
    {"QStartupWithShell:", MATCH_PREFIX, handle_QStartupWithShell, "QStartupWithShell+", false},
    {"QEnvironment:", MATCH_PREFIX, handle_QEnvironment, NULL, false},
    {"QLaunchArch:", MATCH_PREFIX, handle_QLaunchArch, NULL, false},
    {"qLaunchSuccess", MATCH_EXACT, handle_qLaunchSuccess, NULL, false},
    /* lldb's platform mode */
    {"qLaunchGDBServer", MATCH_PREFIX, handle_qLaunchGDBServer, NULL, false},
    {"qKillSpawnedProcess:", MATCH_PREFIX, handle_qKillSpawnedProcess, NULL, false},
    {"qPlatform_mkdir:", MATCH_PREFIX, handle_qPlatform_mkdir, NULL, false},
    {"qPlatform_chmod:", MATCH_PREFIX, handle_qPlatform_chmod, NULL, false},
    /* Processes */
    {"vRun;", MATCH_PREFIX, handle_vRun, NULL, false},
    {"vAttach;", MATCH_PREFIX, handle_vAttach, NULL, false},
    {"vKill;", MATCH_PREFIX, handle_vKill, NULL, false},
    {"D", MATCH_PREFIX, handle_detach, NULL, false},
    {"k", MATCH_EXACT, handle_kill, NULL, false},
    {"R", MATCH_PREFIX, handle_restart, NULL, false},
    {"?", MATCH_EXACT, handle_status_query, NULL, false},
    /* Files on the target (Host I/O) */
    {"vFile:setfs:", MATCH_PREFIX, handle_vFile_setfs, NULL, false},
    {"vFile:open:", MATCH_PREFIX, handle_vFile_open, NULL, false},
    {"vFile:close:", MATCH_PREFIX, handle_vFile_close, NULL, false},
    {"vFile:pread:", MATCH_PREFIX, handle_vFile_pread, NULL, false},
    {"vFile:pwrite:", MATCH_PREFIX, handle_vFile_pwrite, NULL, false},
    {"vFile:fstat:", MATCH_PREFIX, handle_vFile_fstat, NULL, false},
    {"vFile:unlink:", MATCH_PREFIX, handle_vFile_unlink, NULL, false},
    {"vFile:readlink:", MATCH_PREFIX, handle_vFile_readlink, NULL, false},
    {"vFile:size:", MATCH_PREFIX, handle_vFile_size, NULL, false},
    {"vFile:mode:", MATCH_PREFIX, handle_vFile_mode, NULL, false},
    {"vFile:exists:", MATCH_PREFIX, handle_vFile_exists, NULL, false},
    /* Signals */
    {"QPassSignals:", MATCH_PREFIX, handle_QPassSignals, "QPassSignals+", false},
    {"QProgramSignals:", MATCH_PREFIX, handle_QProgramSignals, "QProgramSignals+", false},
    {"qXfer:siginfo:read:", MATCH_PREFIX, handle_qXfer_siginfo_read, "qXfer:siginfo:read+", false},
    {"qXfer:siginfo:write:", MATCH_PREFIX, handle_qXfer_siginfo_write, "qXfer:siginfo:write+", false},
    /* Run control */
    {"vCont?", MATCH_EXACT, handle_vCont_query, "vContSupported+", false},
    {"vCont;", MATCH_PREFIX, handle_vCont, NULL, false},
    /* Non-stop mode */
    {"QNonStop:", MATCH_PREFIX, handle_QNonStop, "QNonStop+", false},
    {"vStopped", MATCH_PREFIX, handle_vStopped, NULL, false},
    {"vCtrlC", MATCH_PREFIX, handle_vCtrlC, NULL, false},
    {"QThreadEvents:", MATCH_PREFIX, handle_QThreadEvents, "QThreadEvents+", false},
    {"c", MATCH_PREFIX, handle_continue, NULL, false},
    {"C", MATCH_PREFIX, handle_continue_signal, NULL, false},
    {"s", MATCH_PREFIX, handle_step, NULL, false},
    {"S", MATCH_PREFIX, handle_step_signal, NULL, false},
    /* Threads */
    {"H", MATCH_PREFIX, handle_set_thread, NULL, false},
    {"T", MATCH_PREFIX, handle_thread_alive, NULL, false},
    {"qC", MATCH_EXACT, handle_qC, NULL, false},
    {"qGetTLSAddr:", MATCH_PREFIX, handle_qGetTLSAddr, NULL, false},
    {"qfThreadInfo", MATCH_EXACT, handle_qfThreadInfo, NULL, false},
    {"qsThreadInfo", MATCH_EXACT, handle_qsThreadInfo, NULL, false},
    /* Registers */
    {"g", MATCH_PREFIX, handle_read_registers, NULL, false},   /* "g;thread:ID;" for lldb */
    {"G", MATCH_PREFIX, handle_write_registers, NULL, false},
    {"p", MATCH_PREFIX, handle_read_register, NULL, false},
    {"P", MATCH_PREFIX, handle_write_register, NULL, false},
    /* Memory */
    {"m", MATCH_PREFIX, handle_read_memory, NULL, false},
    {"M", MATCH_PREFIX, handle_write_memory, NULL, false},
    {"X", MATCH_PREFIX, handle_write_memory_binary, NULL, false},
    {"x", MATCH_PREFIX, handle_read_memory_binary, "binary-upload+", false},
    /* Breakpoints */
    {"Z0,", MATCH_PREFIX, handle_insert_breakpoint, "ConditionalBreakpoints+", false},
    {"z0,", MATCH_PREFIX, handle_remove_breakpoint, NULL, false},
    {"Z1,", MATCH_PREFIX, handle_insert_hw_break, NULL, false},
    {"z1,", MATCH_PREFIX, handle_remove_hw_break, NULL, false},
    {"Z2,", MATCH_PREFIX, handle_insert_write_watch, NULL, false},
    {"z2,", MATCH_PREFIX, handle_remove_write_watch, NULL, false},
    {"Z4,", MATCH_PREFIX, handle_insert_access_watch, NULL, false},
    {"z4,", MATCH_PREFIX, handle_remove_access_watch, NULL, false},
    /* catch syscall */
    {"QCatchSyscalls:", MATCH_PREFIX, handle_QCatchSyscalls, "QCatchSyscalls+", false},
    /* Features that are protocol behaviour rather than packets */
    {"multiprocess", MATCH_FEATURE, NULL, "multiprocess+", false},
    {"swbreak", MATCH_FEATURE, NULL, "swbreak+", false},
    {"hwbreak", MATCH_FEATURE, NULL, "hwbreak+", false},
    {"augmented-libraries-svr4-read", MATCH_FEATURE, NULL, "augmented-libraries-svr4-read+", false},
    {"no-resumed", MATCH_FEATURE, NULL, "no-resumed+", false},
    {"BreakpointCommands", MATCH_FEATURE, NULL, "BreakpointCommands+", false},   /* Z0's cmds: (dprintf) */
};

/* Features offered only to a client that offered them too. */
static const struct {
    const char *feature;
    bool (*client_offered)(const struct session *s);
} client_features[] = {
    {"fork-events+", offered_fork_events},
    {"vfork-events+", offered_vfork_events},
    {"exec-events+", offered_exec_events},
};

/* gdbserver's --disable-packet: these get the empty "not supported" reply. */
static bool disabled(const struct session *s, const struct packet_entry *e)
{
    unsigned d = s->config.disabled;
    if ((s->config.flags & SESSION_UNRELIABLE_LINE) && strcmp(e->name, "QStartNoAckMode") == 0)
        return true;
    return ((d & DISABLE_VCONT) && strncmp(e->name, "vCont", 5) == 0) ||
           ((d & DISABLE_QC) && strcmp(e->name, "qC") == 0) ||
           ((d & DISABLE_QFTHREADINFO) && (strcmp(e->name, "qfThreadInfo") == 0 ||
                                           strcmp(e->name, "qsThreadInfo") == 0));
}

void packet_dispatch(struct session *s, const char *pkt, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct packet_entry *e = &table[i];
        size_t n = strlen(e->name);
        if (e->match == MATCH_FEATURE)
            continue;
        if (e->match == MATCH_EXACT ? (len == n && memcmp(pkt, e->name, n) == 0)
                                    : (len >= n && memcmp(pkt, e->name, n) == 0)) {
            if (!e->before_auth && !session_authenticated(s))
                break;
            if (disabled(s, e)) {
                log_debug("'%.20s' is disabled (--disable-packet)", pkt);
                return;
            }
            e->handler(s, pkt + n, len - n);
            return;
        }
    }
    if (!session_authenticated(s)) {
        /* Stock gdb cannot answer a challenge: tell the user what to use. */
        log_warn("client %s sent '%.20s' without authenticating; closing", s->peer, pkt);
        reply_error(s, "this process server requires a password: connect through "
                       "'dbg bridge TRANSPORT,password-file=FILE'");
        s->ending = true;
        return;
    }
    log_debug("unsupported packet '%.40s'", pkt);
    /* The empty reply: "not supported", which every client understands. */
}

void packet_append_features(struct session *s)
{
    reply_printf(s, "PacketSize=%x", RSP_PACKET_SIZE);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].feature && !disabled(s, &table[i]))
            reply_printf(s, ";%s", table[i].feature);
    for (size_t i = 0; i < sizeof client_features / sizeof client_features[0]; i++)
        if (client_features[i].client_offered(s))
            reply_printf(s, ";%s", client_features[i].feature);
}

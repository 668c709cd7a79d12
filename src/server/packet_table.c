#include "packet_table.h"

#include <string.h>

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
};

/* Longer names come before names they start with ("vCont?" before "vCont;"). */
static const struct packet_entry table[] = {
    /* Connection and queries */
    {"qSupported", MATCH_PREFIX, handle_qSupported, NULL},
    {"QStartNoAckMode", MATCH_EXACT, handle_QStartNoAckMode, "QStartNoAckMode+"},
    {"!", MATCH_EXACT, handle_extended_mode, NULL},
    {"qXfer:features:read:", MATCH_PREFIX, handle_qXfer_features, "qXfer:features:read+"},
    {"qXfer:auxv:read:", MATCH_PREFIX, handle_qXfer_auxv, "qXfer:auxv:read+"},
    {"qSymbol:", MATCH_PREFIX, handle_qSymbol, NULL},
    {"qAttached", MATCH_PREFIX, handle_qAttached, NULL},
    /* Processes */
    {"vRun;", MATCH_PREFIX, handle_vRun, NULL},
    {"vAttach;", MATCH_PREFIX, handle_vAttach, NULL},
    {"vKill;", MATCH_PREFIX, handle_vKill, NULL},
    {"D", MATCH_PREFIX, handle_detach, NULL},
    {"k", MATCH_EXACT, handle_kill, NULL},
    {"?", MATCH_EXACT, handle_status_query, NULL},
    /* Run control */
    {"vCont?", MATCH_EXACT, handle_vCont_query, "vContSupported+"},
    {"vCont;", MATCH_PREFIX, handle_vCont, NULL},
    {"c", MATCH_PREFIX, handle_continue, NULL},
    {"C", MATCH_PREFIX, handle_continue_signal, NULL},
    {"s", MATCH_PREFIX, handle_step, NULL},
    {"S", MATCH_PREFIX, handle_step_signal, NULL},
    /* Threads */
    {"H", MATCH_PREFIX, handle_set_thread, NULL},
    {"T", MATCH_PREFIX, handle_thread_alive, NULL},
    {"qC", MATCH_EXACT, handle_qC, NULL},
    {"qfThreadInfo", MATCH_EXACT, handle_qfThreadInfo, NULL},
    {"qsThreadInfo", MATCH_EXACT, handle_qsThreadInfo, NULL},
    /* Registers */
    {"g", MATCH_EXACT, handle_read_registers, NULL},
    {"G", MATCH_PREFIX, handle_write_registers, NULL},
    {"p", MATCH_PREFIX, handle_read_register, NULL},
    {"P", MATCH_PREFIX, handle_write_register, NULL},
    /* Memory */
    {"m", MATCH_PREFIX, handle_read_memory, NULL},
    {"M", MATCH_PREFIX, handle_write_memory, NULL},
    {"X", MATCH_PREFIX, handle_write_memory_binary, NULL},
    /* Breakpoints */
    {"Z0,", MATCH_PREFIX, handle_insert_breakpoint, NULL},
    {"z0,", MATCH_PREFIX, handle_remove_breakpoint, NULL},
    /* Features that are protocol behaviour rather than packets */
    {"multiprocess", MATCH_FEATURE, NULL, "multiprocess+"},
    {"swbreak", MATCH_FEATURE, NULL, "swbreak+"},
    {"no-resumed", MATCH_FEATURE, NULL, "no-resumed+"},
};

void packet_dispatch(struct session *s, const char *pkt, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct packet_entry *e = &table[i];
        size_t n = strlen(e->name);
        if (e->match == MATCH_FEATURE)
            continue;
        if (e->match == MATCH_EXACT ? (len == n && memcmp(pkt, e->name, n) == 0)
                                    : (len >= n && memcmp(pkt, e->name, n) == 0)) {
            e->handler(s, pkt + n, len - n);
            return;
        }
    }
    log_debug("unsupported packet '%.40s'", pkt);
    /* The empty reply: "not supported", which every client understands. */
}

void packet_append_features(struct session *s)
{
    reply_printf(s, "PacketSize=%x", RSP_PACKET_SIZE);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].feature)
            reply_printf(s, ";%s", table[i].feature);
}

/* QPassSignals and QProgramSignals: which signals the client wants passed
 * to the program without a stop report, and which the program may get at
 * all from the server on its own. Lists of signal numbers in the client's
 * numbering, hex, separated by ';'. */
#include <stdbool.h>
#include <string.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"

/* Parses ARGS into SET (host numbers); false on a malformed list. Signals
 * without a host equivalent are left out. */
static bool parse_signal_list(const struct session *s, const char *args, size_t len, bool set[TARGET_NSIG])
{
    bool parsed[TARGET_NSIG] = {false};
    const char *p = args, *end = args + len;
    while (p < end) {
        uint64_t v;
        if (!hex_parse_u64(&p, &v) || v > 255 || (p < end && *p != ';'))
            return false;
        int host = session_signal_from_client(s, (int)v);
        if (host > 0 && host < TARGET_NSIG)
            parsed[host] = true;
        if (p < end)
            p++;
    }
    memcpy(set, parsed, sizeof parsed);
    return true;
}

HANDLER(handle_QPassSignals)
{
    if (!parse_signal_list(s, args, len, s->target.pass_signals))
        reply_error(s, "malformed QPassSignals list");
    else
        reply_str(s, "OK");
}

HANDLER(handle_QProgramSignals)
{
    if (!parse_signal_list(s, args, len, s->target.program_signals)) {
        reply_error(s, "malformed QProgramSignals list");
        return;
    }
    s->target.program_signals_set = true;
    reply_str(s, "OK");
}

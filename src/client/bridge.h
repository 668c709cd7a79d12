/* dbg bridge: carries stock gdb/lldb over the transports and the
 * authentication they cannot do themselves. dbg connects (handshake,
 * password) and then relays the debugger's RSP bytes unchanged. */
#ifndef DBG_BRIDGE_H
#define DBG_BRIDGE_H

#include <stdbool.h>

#include "transport_spec.h"

struct bridge_options {
    const struct transport_spec *upstream;   /* the process server */
    const char *password;                    /* NULL if none */
    unsigned major, minor;                   /* protocol version we speak */
    const char *listen;                      /* NULL: relay stdin/stdout */
    bool insecure;                           /* allow a non-loopback --listen */
};

/* Relays bytes between LOCAL_IN/LOCAL_OUT and UP until either side closes. */
void bridge_relay(int local_in, int local_out, int up);

/* Runs the bridge; returns the exit status. */
int bridge_run(const struct bridge_options *opt);

#endif

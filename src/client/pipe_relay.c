#include "pipe_relay.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "transport/transport_client.h"

int pipe_relay(const char *name)
{
    char text[200], err[512];
    struct transport_spec spec;
    snprintf(text, sizeof text, "npipe:pipe=%s", name);
    if (!transport_spec_parse(text, &spec, err, sizeof err)) {
        fprintf(stderr, "dbg pipe-relay: %s\n", err);
        return 2;
    }
    int fd = transport_client_connect(&spec, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "dbg pipe-relay: %s\n", err);
        return 1;
    }
    bridge_relay(STDIN_FILENO, STDOUT_FILENO, fd);
    return 0;
}

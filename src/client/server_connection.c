#include "server_connection.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsp_client.h"
#include "transport/transport_client.h"

int server_connect(const struct transport_spec *spec, const char *password, unsigned major, unsigned minor)
{
    char err[512];
    int fd = transport_client_connect(spec, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "dbg: %s\n", err);
        return -1;
    }
    struct rsp_client c;
    bool ok = rsp_client_init(&c, fd) && rsp_client_handshake(&c, password, major, minor, err, sizeof err);
    /* The server says nothing after the handshake until the debugger
     * speaks, so nothing is left in the client's buffer to pass on. */
    rsp_client_free(&c);
    if (!ok) {
        /* A close before any answer has two usual causes; name the likely one. */
        bool tls = spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE;
        const char *hint = "";
        if (strstr(err, "closed the connection during the handshake"))
            hint = tls ? (spec->cert[0] ? " (was the client certificate accepted? see the server's log)"
                                        : " (the server may require a client certificate: cert=FILE,key=FILE)")
                       : " (is it a TLS server? then use ssl: or spipe:)";
        fprintf(stderr, "dbg: %s%s\n", err, hint);
        close(fd);
        return -1;
    }
    return fd;
}

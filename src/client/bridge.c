#include "bridge.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "server_connection.h"
#include "transport/transport_client.h"
#include "transport/transport_server.h"

static bool copy_some(int from, int to)
{
    char buf[65536];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return true;
    return n > 0 && io_write_all(to, buf, (size_t)n);
}

void bridge_relay(int local_in, int local_out, int up)
{
    for (;;) {
        struct pollfd fds[2] = {{local_in, POLLIN, 0}, {up, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_some(local_in, up))
            return;
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_some(up, local_out))
            return;
    }
}

static int bridge_stdio(const struct bridge_options *opt)
{
    int up = server_connect(opt->upstream, opt->password, opt->major, opt->minor);
    if (up < 0)
        return 1;
    bridge_relay(STDIN_FILENO, STDOUT_FILENO, up);
    close(up);
    return 0;
}

/* "[HOST:]PORT", "[V6ADDR]:PORT" -> a tcp transport spec to listen on. */
static bool parse_listen(const char *text, struct transport_spec *spec, char *err, size_t errlen)
{
    char buf[300];
    const char *colon = strrchr(text, ':');
    if (!colon)
        snprintf(buf, sizeof buf, "tcp:port=%s", text);
    else if (text[0] == '[' && colon > text && colon[-1] == ']')
        snprintf(buf, sizeof buf, "tcp:bind=%.*s,port=%s", (int)(colon - text - 2), text + 1, colon + 1);
    else
        snprintf(buf, sizeof buf, "tcp:bind=%.*s,port=%s", (int)(colon - text), text, colon + 1);
    return transport_spec_parse(buf, spec, err, errlen);
}

static int bridge_listen(const struct bridge_options *opt)
{
    struct transport_spec spec;
    char err[512];
    struct transport_server srv;
    if (!parse_listen(opt->listen, &spec, err, sizeof err) ||
        !transport_server_open(&srv, &spec, opt->insecure, err, sizeof err)) {
        fprintf(stderr, "dbg: --listen %s: %s\n", opt->listen, err);
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);   /* relays end on their own; no zombies */
    printf("Listening on %s\n", srv.description);
    fflush(stdout);
    for (;;) {
        char peer[80];
        int fd = transport_server_accept(&srv, peer, sizeof peer);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            fprintf(stderr, "dbg: accept: %s\n", strerror(errno));
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            transport_server_close_inherited(&srv);
            int up = server_connect(opt->upstream, opt->password, opt->major, opt->minor);
            if (up >= 0)
                bridge_relay(fd, fd, up);
            _exit(up >= 0 ? 0 : 1);
        }
        close(fd);
    }
}

int bridge_run(const struct bridge_options *opt)
{
    signal(SIGPIPE, SIG_IGN);
    return opt->listen ? bridge_listen(opt) : bridge_stdio(opt);
}

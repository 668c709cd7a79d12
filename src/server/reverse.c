#include "reverse.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "transport/tls.h"
#include "transport/transport_client.h"

#define RETRY_MS 1000

int reverse_run(const struct transport_spec *spec, const struct session_config *config)
{
    struct tls_config tls;
    bool use_tls = spec->kind == TRANSPORT_SSL;
    char err[512];
    if (use_tls && !tls_config_server(&tls, spec, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 1;
    }
    sigset_t set;
    server_signal_set(&set);
    sigdelset(&set, SIGCHLD);   /* no children yet; only the order to stop */
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    char target[300];
    snprintf(target, sizeof target, "%s port %u", spec->clicon, spec->port);
    printf("Connecting to %s\n", target);
    fflush(stdout);
    bool told = false;
    int fd;
    while ((fd = transport_dial(spec->clicon, spec->port, spec->ipversion, err, sizeof err)) < 0) {
        if (!told)
            log_info("%s; retrying every second until the client is there", err);
        told = true;
        struct pollfd p = {sigfd, POLLIN, 0};
        if (poll(&p, 1, RETRY_MS) > 0) {
            log_info("stopped before the client was there");
            if (use_tls)
                tls_config_free(&tls);
            return 0;
        }
    }
    close(sigfd);
    char info[256] = "", who[sizeof target + sizeof info + 4];
    if (use_tls) {
        fd = tls_wrap(&tls, fd, info, sizeof info, err, sizeof err);
        tls_config_free(&tls);
        if (fd < 0) {
            log_warn("%s: %s", target, err);
            return 1;
        }
    }
    printf("Connected to %s\n", target);
    fflush(stdout);
    snprintf(who, sizeof who, "%s%s%s%s", target, info[0] ? " [" : "", info, info[0] ? "]" : "");
    session_run(fd, fd, who, 1, config);
}

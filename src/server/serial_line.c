#include "serial_line.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "transport/serial.h"

int serial_line_run(const struct transport_spec *spec, const struct session_config *base)
{
    struct session_config config = *base;
    config.server_pid = getpid();
    config.flags |= SESSION_UNRELIABLE_LINE;
    sigset_t set;
    server_signal_set(&set);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    char err[300], desc[200];
    transport_spec_format(spec, desc, sizeof desc);
    bool announced = false;
    for (int id = 1;; id++) {
        int fd = serial_open(spec->device, spec->baud, err, sizeof err);
        if (fd < 0) {
            fprintf(stderr, "dbgsrv: %s\n", err);
            return 1;
        }
        if (!announced) {
            printf("Listening on %s\n", desc);
            fflush(stdout);
            log_info("dbgsrv %s listening on %s", DBGSRV_VERSION, desc);
            announced = true;
        }
        pid_t pid = fork();
        if (pid < 0) {
            log_error("fork: %s", strerror(errno));
            return 1;
        }
        if (pid == 0) {
            close(sigfd);
            session_run(fd, fd, spec->device, id, &config);
        }
        close(fd);
        /* Wait for this session to end, or for the order to stop. */
        for (;;) {
            struct pollfd p = {sigfd, POLLIN, 0};
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                return 1;
            struct signalfd_siginfo si;
            bool stop = false, child = false;
            while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGCHLD)
                    child = true;
                else if (si.ssi_signo != SIGHUP)
                    stop = true;
            }
            int status;
            if (stop) {
                log_info("shutting down");
                kill(pid, SIGTERM);
                waitpid(pid, &status, 0);
                log_info("stopped");
                return 0;
            }
            if (child && waitpid(pid, &status, WNOHANG) == pid)
                break;
        }
        /* A line that hangs up at once would spin: pause briefly. */
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Joining a line multiplexer: connect to the device's socket, starting the
 * multiplexer first if none runs, and make one request. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "transport/linemux.h"

#define JOIN_ATTEMPTS 100   /* of 50 ms: how long a starting or ending multiplexer may take */

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Forks the multiplexer. Returns 1 when it runs, 0 when another one owns
 * the line already (try connecting again), -1 with ERR. */
static int spawn_mux(const char *device, unsigned baud, char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the line multiplexer: fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        /* Keep only stderr (the log) and the pipe: the starter's stdout
         * may be a debugger's protocol pipe or a script waiting for EOF. */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        if (dup2(p[1], 3) != 3)
            _exit(1);
        close_range(4, ~0u, 0);
        linemux_main(device, baud, 3);
    }
    close(p[1]);
    char msg[400];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof msg - 1 && ((r = read(p[0], msg + n, sizeof msg - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            n += (size_t)r;
    close(p[0]);
    msg[n] = '\0';
    if (strcmp(msg, "OK") == 0)
        return 1;   /* it lives on; whoever is its parent reaps it when it ends */
    waitpid(pid, NULL, 0);
    if (strcmp(msg, "BUSY") == 0)
        return 0;
    snprintf(err, errlen, "%s", strncmp(msg, "ERR ", 4) == 0 ? msg + 4 : "the line multiplexer failed to start");
    return -1;
}

/* Reads the answer line byte by byte (what follows it is the session's)
 * within TIMEOUT_MS. Returns 1 for OK, 0 for a closed connection (an
 * ending multiplexer), -1 with ERR. */
static int read_answer(int fd, int timeout_ms, char *err, size_t errlen)
{
    char line[400];
    size_t n = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            snprintf(err, errlen, "the line multiplexer did not answer");
            return -1;
        }
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return n == 0 ? 0 : -1;
        if (c == '\n')
            break;
        if (n < sizeof line - 1)
            line[n++] = c;
    }
    line[n] = '\0';
    if (strcmp(line, "OK") == 0)
        return 1;
    snprintf(err, errlen, "%s", strncmp(line, "ERR ", 4) == 0 ? line + 4 : line);
    return -1;
}

static int join(const char *device, unsigned baud, const char *verb, int channel, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!linemux_socket_path(device, sa.sun_path, sizeof sa.sun_path, err, errlen))
        return -1;
    for (int attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            snprintf(err, errlen, "socket: %s", strerror(errno));
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(fd);
            if (errno != ENOENT && errno != ECONNREFUSED) {
                snprintf(err, errlen, "cannot reach the line multiplexer of %s (%s): %s", device, sa.sun_path,
                         strerror(errno));
                return -1;
            }
            int s = spawn_mux(device, baud, err, errlen);
            if (s < 0)
                return -1;
            if (s == 0)
                pause_ms(50);
            continue;
        }
        char req[32];
        int n = snprintf(req, sizeof req, "%s %d\n", verb, channel);
        if (!io_write_all(fd, req, (size_t)n)) {
            close(fd);   /* it is ending: the next one will take its place */
            pause_ms(50);
            continue;
        }
        /* An OPEN waits for the far side, which the multiplexer bounds. */
        int a = read_answer(fd, LINEMUX_OPEN_TIMEOUT_MS + 5000, err, errlen);
        if (a == 1)
            return fd;
        close(fd);
        if (a < 0)
            return -1;
        pause_ms(50);
    }
    snprintf(err, errlen, "the line multiplexer of %s did not start", device);
    return -1;
}

int linemux_open(const char *device, unsigned baud, int channel, char *err, size_t errlen)
{
    return join(device, baud, "OPEN", channel, err, errlen);
}

int linemux_serve(const char *device, unsigned baud, int channel, char *err, size_t errlen)
{
    return join(device, baud, "SERVE", channel, err, errlen);
}

int linemux_take_session(int serve_fd)
{
    char byte;
    ssize_t n;
    int fd = io_recv_fd(serve_fd, &byte, 1, &n);
    if (n <= 0)
        return -1;
    if (fd < 0)
        log_warn("the line multiplexer sent no session socket");
    return fd < 0 ? -2 : fd;
}

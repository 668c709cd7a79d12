#include "transport/unix_socket.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static bool runtime_dir(char *out, size_t len)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (geteuid() == 0)
        n = snprintf(out, len, "/run/dbgsrv");
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, len, "%s/dbgsrv", xdg);
    else
        n = snprintf(out, len, "/tmp/dbgsrv-%d", (int)geteuid());
    return n > 0 && (size_t)n < len;
}

bool npipe_path(const char *name, pid_t pid, char *out, size_t len, char *err, size_t errlen)
{
    char dir[80], expanded[96];
    size_t o = 0;
    for (const char *p = name; *p && o + 12 < sizeof expanded; p++) {
        if (p[0] == '%' && (p[1] == 'd' || p[1] == 'x')) {
            o += (size_t)snprintf(expanded + o, sizeof expanded - o, p[1] == 'd' ? "%d" : "%x", (int)pid);
            p++;
        } else {
            expanded[o++] = *p;
        }
    }
    expanded[o] = '\0';
    if (!runtime_dir(dir, sizeof dir) || strlen(dir) + 1 + o >= len || strlen(dir) + 1 + o >= 108) {
        snprintf(err, errlen, "pipe name '%s' is too long", name);
        return false;
    }
    snprintf(out, len, "%s/%s", dir, expanded);
    return true;
}

static bool parse_allow(struct npipe_server *ns, const char *allow, char *err, size_t errlen)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", allow);
    char *save = NULL;
    for (char *user = strtok_r(buf, ",", &save); user; user = strtok_r(NULL, ",", &save)) {
        if (ns->nallow == NPIPE_MAX_ALLOW) {
            snprintf(err, errlen, "too many users in allow=");
            return false;
        }
        struct passwd *pw = getpwnam(user);
        char *end;
        unsigned long uid = strtoul(user, &end, 10);
        if (pw)
            ns->allow[ns->nallow++] = pw->pw_uid;
        else if (*user && !*end)
            ns->allow[ns->nallow++] = (uid_t)uid;
        else {
            snprintf(err, errlen, "allow=: no such user '%s'", user);
            return false;
        }
    }
    return true;
}

bool npipe_listen(struct npipe_server *ns, const char *name, const char *allow, char *err, size_t errlen)
{
    memset(ns, 0, sizeof *ns);
    ns->fd = -1;
    if (!parse_allow(ns, allow, err, errlen))
        return false;
    if (!npipe_path(name, getpid(), ns->path, sizeof ns->path, err, errlen))
        return false;
    char dir[80];
    runtime_dir(dir, sizeof dir);
    /* Searchable by all (allow= may name other users), listable by none;
     * who may connect is decided per connection from its credentials. */
    if (mkdir(dir, 0711) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return false;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return false;
    }
    /* A socket file that accepts a connection belongs to a live server; one
     * that refuses is left over from a server that died. */
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        close(fd);
        snprintf(err, errlen, "pipe '%s' is already served by a running process server (%s)", name, ns->path);
        return false;
    }
    if (errno == ECONNREFUSED)
        unlink(ns->path);
    close(fd);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(ns->path, 0666) != 0 ||
        listen(fd, 64) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", ns->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    ns->fd = fd;
    return true;
}

int npipe_accept(struct npipe_server *ns, char *peer, size_t peerlen)
{
    int fd = accept4(ns->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        snprintf(peer, peerlen, "unknown peer");
        close(fd);
        return -2;
    }
    snprintf(peer, peerlen, "uid %d pid %d", (int)cred.uid, (int)cred.pid);
    bool ok = cred.uid == 0 || cred.uid == geteuid();
    for (size_t i = 0; i < ns->nallow && !ok; i++)
        ok = cred.uid == ns->allow[i];
    if (!ok) {
        close(fd);
        return -2;
    }
    return fd;
}

void npipe_close(struct npipe_server *ns)
{
    if (ns->fd >= 0) {
        close(ns->fd);
        unlink(ns->path);
        ns->fd = -1;
    }
}

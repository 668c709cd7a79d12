#include "transport/unix_socket.h"

#include "runtime_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

bool npipe_path(const char *name, pid_t pid, char *out, size_t len, char *err, size_t errlen)
{
    char dir[108], expanded[128];
    size_t o = 0;
    for (const char *p = name; *p; p++) {
        if (o + 12 >= sizeof expanded) {
            snprintf(err, errlen, "pipe name '%s' is too long", name);
            return false;
        }
        if (p[0] == '%' && (p[1] == 'd' || p[1] == 'x')) {
            o += (size_t)snprintf(expanded + o, sizeof expanded - o, p[1] == 'd' ? "%d" : "%x", (int)pid);
            p++;
        } else {
            expanded[o++] = *p;
        }
    }
    expanded[o] = '\0';
    if (strcmp(expanded, ".") == 0 || strcmp(expanded, "..") == 0) {
        snprintf(err, errlen, "'%s' is not a pipe name", name);
        return false;
    }
    /* The path must fit a socket address (108 bytes with its NUL) and OUT,
     * and leave room for the ".lock" beside it. */
    if (!runtime_dir(dir, sizeof dir) || strlen(dir) + 1 + o + 5 >= len || strlen(dir) + 1 + o >= 108) {
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
    ns->lock_fd = -1;
    if (!parse_allow(ns, allow, err, errlen))
        return false;
    if (!npipe_path(name, getpid(), ns->path, sizeof ns->path, err, errlen))
        return false;
    char dir[108];
    runtime_dir(dir, sizeof dir);
    if (!runtime_dir_make(dir, 0711, err, errlen))
        return false;
    /* A lock held for the server's whole life says "served": no race
     * between two servers starting at once, and a socket left by a server
     * that died (its lock died with it) is simply replaced. */
    char lock[sizeof ns->path + 8];
    snprintf(lock, sizeof lock, "%s.lock", ns->path);
    ns->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (ns->lock_fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", lock, strerror(errno));
        return false;
    }
    if (flock(ns->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "pipe '%s' is already served by a running process server (%s)", name, ns->path);
        close(ns->lock_fd);
        ns->lock_fd = -1;
        return false;
    }
    struct stat st;
    if (lstat(ns->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket; not touching it", ns->path);
            npipe_close(ns);
            return false;
        }
        unlink(ns->path);   /* left by a server that is gone */
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(ns->path, 0666) != 0 ||
        listen(fd, 64) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", ns->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        npipe_close(ns);
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
    if (ns->lock_fd >= 0) {
        char lock[sizeof ns->path + 8];
        snprintf(lock, sizeof lock, "%s.lock", ns->path);
        unlink(lock);
        close(ns->lock_fd);   /* releases the lock */
        ns->lock_fd = -1;
    }
}

void npipe_close_inherited(struct npipe_server *ns)
{
    if (ns->fd >= 0)
        close(ns->fd);
    if (ns->lock_fd >= 0)
        close(ns->lock_fd);
    ns->fd = ns->lock_fd = -1;
}

#include "hostio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void hostio_init(struct hostio *h)
{
    for (size_t i = 0; i < HOSTIO_MAX_FILES; i++)
        h->files[i] = -1;
    h->root_fd = -1;
    h->root_pid = 0;
}

void hostio_close_all(struct hostio *h)
{
    for (size_t i = 0; i < HOSTIO_MAX_FILES; i++)
        if (h->files[i] >= 0)
            close(h->files[i]);
    if (h->root_fd >= 0)
        close(h->root_fd);
    hostio_init(h);
}

int hostio_set_filesystem(struct hostio *h, pid_t pid)
{
    if (pid < 0) {
        errno = EINVAL;
        return -1;
    }
    int fd = -1;
    if (pid > 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return -1;
    }
    if (h->root_fd >= 0)
        close(h->root_fd);
    h->root_fd = fd;
    h->root_pid = pid;
    return 0;
}

/* Opens PATH in the chosen filesystem. openat2's RESOLVE_IN_ROOT keeps
 * absolute symbolic links (common in containers: /lib -> /usr/lib) inside
 * that root; without openat2 (kernels before 5.6) the path goes through
 * /proc/PID/root, where such links would escape to our own root. */
static int open_in_root(const struct hostio *h, const char *path, int flags, mode_t mode)
{
    flags |= O_CLOEXEC;
    if (h->root_fd < 0)
        return open(path, flags, mode);
    struct open_how how = {
        .flags = (unsigned long long)flags,
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT,
    };
    long fd = syscall(SYS_openat2, h->root_fd, path, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return (int)fd;
    char full[4096 + 64];
    int n = snprintf(full, sizeof full, "/proc/%d/root/%s", (int)h->root_pid, path);
    if (n < 0 || (size_t)n >= sizeof full) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(full, flags, mode);
}

int hostio_open(struct hostio *h, const char *path, int flags, mode_t mode)
{
    int handle = 0;
    while (handle < HOSTIO_MAX_FILES && h->files[handle] >= 0)
        handle++;
    if (handle == HOSTIO_MAX_FILES) {
        errno = EMFILE;
        return -1;
    }
    int fd = open_in_root(h, path, flags, mode);
    if (fd < 0)
        return -1;
    h->files[handle] = fd;
    return handle;
}

int hostio_fd(const struct hostio *h, int handle)
{
    if (handle < 0 || handle >= HOSTIO_MAX_FILES || h->files[handle] < 0) {
        errno = EBADF;
        return -1;
    }
    return h->files[handle];
}

int hostio_close(struct hostio *h, int handle)
{
    int fd = hostio_fd(h, handle);
    if (fd < 0)
        return -1;
    h->files[handle] = -1;
    return close(fd);
}

/* The directory holding PATH, opened in the chosen root (O_PATH), and the
 * last component of PATH in *BASE. */
static int open_parent(const struct hostio *h, const char *path, char *base, size_t baselen)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        snprintf(dir, sizeof dir, ".");
        slash = path - 1;
    } else if ((size_t)(slash - path) >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    } else {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (!dir[0])
            snprintf(dir, sizeof dir, "/");
    }
    if (strlen(slash + 1) >= baselen || !slash[1]) {
        errno = slash[1] ? ENAMETOOLONG : EISDIR;
        return -1;
    }
    snprintf(base, baselen, "%s", slash + 1);
    return open_in_root(h, dir, O_PATH | O_DIRECTORY, 0);
}

int hostio_unlink(struct hostio *h, const char *path)
{
    if (h->root_fd < 0)
        return unlink(path);
    char base[256];
    int dir = open_parent(h, path, base, sizeof base);
    if (dir < 0)
        return -1;
    int r = unlinkat(dir, base, 0);
    int saved = errno;
    close(dir);
    errno = saved;
    return r;
}

ssize_t hostio_readlink(struct hostio *h, const char *path, char *buf, size_t len)
{
    if (h->root_fd < 0)
        return readlink(path, buf, len);
    char base[256];
    int dir = open_parent(h, path, base, sizeof base);
    if (dir < 0)
        return -1;
    ssize_t n = readlinkat(dir, base, buf, len);
    int saved = errno;
    close(dir);
    errno = saved;
    return n;
}

int hostio_stat(struct hostio *h, const char *path, struct stat *st)
{
    int fd = open_in_root(h, path, O_PATH, 0);
    if (fd < 0)
        return -1;
    int r = fstat(fd, st);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

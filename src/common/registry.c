#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_dir.h"

#define ENTRY_SUFFIX ".srv"

static bool servers_dir(char *out, size_t len)
{
    char dir[128];
    if (!runtime_dir(dir, sizeof dir))
        return false;
    int n = snprintf(out, len, "%s/servers", dir);
    return n > 0 && (size_t)n < len;
}

bool registry_format(const struct registry_entry *e, char *out, size_t len)
{
    int n = snprintf(out, len, "pid=%d\ntransport=%s\nreach=%s\n", (int)e->pid, e->transport, e->reach);
    return n > 0 && (size_t)n < len;
}

/* Copies the value of KEY= (up to its line's end) into OUT. */
static bool field(const char *text, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, klen) != 0 || line[klen] != '=')
            continue;
        const char *v = line + klen + 1;
        size_t n = strcspn(v, "\n");
        if (n == 0 || n >= len)
            return false;
        memcpy(out, v, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

bool registry_parse(const char *text, struct registry_entry *e)
{
    memset(e, 0, sizeof *e);
    char pid[16];
    if (!field(text, "pid", pid, sizeof pid) || !field(text, "transport", e->transport, sizeof e->transport) ||
        !field(text, "reach", e->reach, sizeof e->reach))
        return false;
    char *end;
    long v = strtol(pid, &end, 10);
    if (*end || v <= 0 || v > 0x7fffffff)
        return false;
    e->pid = (pid_t)v;
    for (const char *p = e->transport; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;   /* shown to users: no control characters */
    return true;
}

bool registry_add(struct registry_handle *h, const struct registry_entry *e, char *err, size_t errlen)
{
    h->fd = -1;
    char rdir[128], dir[140], tmp[192], text[512];
    if (!runtime_dir(rdir, sizeof rdir) || !servers_dir(dir, sizeof dir)) {
        snprintf(err, errlen, "the runtime directory's path is too long");
        return false;
    }
    /* Readable by everyone: entries hold nothing secret, and other users'
     * searches list root's servers. */
    if (!runtime_dir_make(rdir, 0711, err, errlen) || !runtime_dir_make(dir, 0755, err, errlen))
        return false;
    if (!registry_format(e, text, sizeof text)) {
        snprintf(err, errlen, "the registry entry is too long");
        return false;
    }
    snprintf(h->path, sizeof h->path, "%s/%d" ENTRY_SUFFIX, dir, (int)getpid());
    snprintf(tmp, sizeof tmp, "%s/.%d.tmp", dir, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    /* Locked before it is visible: no reader ever sees it unlocked. */
    size_t n = strlen(text);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fchmod(fd, 0644) != 0 || write(fd, text, n) != (ssize_t)n ||
        rename(tmp, h->path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", h->path, strerror(errno));
        unlink(tmp);
        close(fd);
        return false;
    }
    h->fd = fd;
    return true;
}

void registry_remove(struct registry_handle *h)
{
    if (h->fd < 0)
        return;
    unlink(h->path);
    close(h->fd);
    h->fd = -1;
}

void registry_close_inherited(struct registry_handle *h)
{
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
}

size_t registry_dirs(char dirs[][160], size_t max)
{
    size_t n = 0;
    if (max > 0 && servers_dir(dirs[0], 160))
        n++;
    if (n < max && !runtime_dir_overridden() && strcmp(dirs[0], "/run/dbgsrv/servers") != 0)
        snprintf(dirs[n++], 160, "/run/dbgsrv/servers");
    return n;
}

/* Reads one entry file. Returns false if it is not one (or vanished). */
static bool read_entry(int dfd, const char *name, struct registry_entry *e, bool *alive)
{
    *alive = true;   /* unless shown otherwise: never remove what we could not check */
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return false;
    char text[512];
    ssize_t n = read(fd, text, sizeof text - 1);
    struct stat st;
    bool ok = n > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok) {
        text[n] = '\0';
        ok = registry_parse(text, e);
    }
    /* Our shared lock is refused while the server holds its exclusive one. */
    *alive = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return ok;
}

size_t registry_read(const char *dir, struct registry_entry *out, size_t max)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d)) && count < max) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= strlen(ENTRY_SUFFIX) ||
            strcmp(de->d_name + len - strlen(ENTRY_SUFFIX), ENTRY_SUFFIX) != 0)
            continue;
        bool alive;
        struct registry_entry e;
        if (!read_entry(dirfd(d), de->d_name, &e, &alive)) {
            if (!alive)
                unlinkat(dirfd(d), de->d_name, 0);   /* garbage nobody holds */
            continue;
        }
        if (!alive) {
            if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
                continue;   /* pruned: provably dead */
            e.stale = true;
        }
        out[count++] = e;
    }
    closedir(d);
    return count;
}

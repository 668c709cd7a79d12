/* Host I/O (vFile:*): files on the target machine for gdb ("set sysroot
 * target:", "remote get/put/delete", "info proc") and lldb. Replies are
 * "F" RESULT [",ERRNO"] [";" DATA], numbers in hex, errno and open flags
 * in GDB's File-I/O numbering (not the host's). The state (open handles,
 * the chosen filesystem) and the file operations are in hostio.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "hostio.h"
#include "rsp/hex.h"
#include "rsp/packet.h"
#include "session.h"

/* GDB's File-I/O errno values (the remote protocol's "Errno Values"). */
static int fileio_errno(int e)
{
    switch (e) {
    case EPERM: return 1;
    case ENOENT: return 2;
    case EINTR: return 4;
    case EBADF: return 9;
    case EACCES: return 13;
    case EFAULT: return 14;
    case EBUSY: return 16;
    case EEXIST: return 17;
    case ENODEV: return 19;
    case ENOTDIR: return 20;
    case EISDIR: return 21;
    case EINVAL: return 22;
    case ENFILE: return 23;
    case EMFILE: return 24;
    case EFBIG: return 27;
    case ENOSPC: return 28;
    case ESPIPE: return 29;
    case EROFS: return 30;
    case ENOSYS: return 88;
    case ENAMETOOLONG: return 91;
    default: return 9999;   /* EUNKNOWN */
    }
}

static void reply_fail(struct session *s, int e)
{
    reply_printf(s, "F-1,%x", fileio_errno(e));
}

/* The protocol's open flags. GDB's are O_RDONLY 0, O_WRONLY 1, O_RDWR 2,
 * O_APPEND 8, O_CREAT 0x200, O_TRUNC 0x400, O_EXCL 0x800; lldb (14) adds
 * non-blocking 1<<28, don't-follow-symlinks 1<<29 and close-on-exec 1<<30. */
#define LLDB_NONBLOCK (1u << 28)
#define LLDB_NOFOLLOW (1u << 29)
#define LLDB_CLOEXEC (1u << 30)
static bool host_open_flags(uint64_t f, int *out)
{
    const uint64_t known = 0x3 | 0x8 | 0x200 | 0x400 | 0x800 | LLDB_NONBLOCK | LLDB_NOFOLLOW | LLDB_CLOEXEC;
    if ((f & ~known) || (f & 3) == 3)
        return false;
    int flags = (f & 3) == 0 ? O_RDONLY : (f & 3) == 1 ? O_WRONLY : O_RDWR;
    if (f & LLDB_NONBLOCK)
        flags |= O_NONBLOCK;
    if (f & 0x8)
        flags |= O_APPEND;
    if (f & 0x200)
        flags |= O_CREAT;
    if (f & 0x400)
        flags |= O_TRUNC;
    if (f & 0x800)
        flags |= O_EXCL;
    if (f & LLDB_NOFOLLOW)
        flags |= O_NOFOLLOW;
    *out = flags;   /* close-on-exec is always on */
    return true;
}

/* Parses comma-separated hex numbers from *P; the last one may end the
 * packet or be followed by ','. */
static bool parse_number(const char **p, const char *end, uint64_t *v, bool last)
{
    if (!hex_parse_u64(p, v))
        return false;
    if (last)
        return *p == end;
    if (*p >= end || **p != ',')
        return false;
    (*p)++;
    return true;
}

/* A hex-encoded file name up to the next ',' (or the end); NUL-terminated
 * into NAME. Names with NUL bytes are refused. */
static bool parse_name(const char **p, const char *end, char *name, size_t namelen, bool last)
{
    const char *stop = memchr(*p, ',', (size_t)(end - *p));
    if (!stop)
        stop = end;
    if (last != (stop == end))
        return false;
    size_t n = (size_t)(stop - *p);
    if (n == 0 || n % 2 || n / 2 >= namelen || !hex_decode((uint8_t *)name, *p, n / 2))
        return false;
    name[n / 2] = '\0';
    if (strlen(name) != n / 2)
        return false;
    *p = stop == end ? end : stop + 1;
    return true;
}

#define NAME_MAX_LEN 4096

/* The real fd of a client's handle, or -1 (errno EBADF). */
static int fd_of(struct session *s, uint64_t handle)
{
    errno = EBADF;
    return handle < HOSTIO_MAX_FILES ? hostio_fd(&s->hostio, (int)handle) : -1;
}

HANDLER(handle_vFile_setfs)
{
    const char *p = args;
    uint64_t pid;
    if (!parse_number(&p, args + len, &pid, true) || pid > 0x7fffffff) {
        reply_fail(s, EINVAL);
        return;
    }
    /* Only a debuggee of this session, or the server's own (0). */
    if (pid != 0 && !target_find_process(&s->target, (pid_t)pid)) {
        reply_fail(s, EPERM);
        return;
    }
    if (hostio_set_filesystem(&s->hostio, (pid_t)pid) < 0)
        reply_fail(s, errno);
    else
        reply_str(s, "F0");
}

HANDLER(handle_vFile_open)
{
    const char *p = args, *end = args + len;
    char name[NAME_MAX_LEN];
    uint64_t flags, mode;
    int host_flags;
    if (!parse_name(&p, end, name, sizeof name, false) || !parse_number(&p, end, &flags, false) ||
        !parse_number(&p, end, &mode, true) || !host_open_flags(flags, &host_flags)) {
        reply_fail(s, EINVAL);
        return;
    }
    int handle = hostio_open(&s->hostio, name, host_flags, (mode_t)(mode & 07777));
    if (handle < 0)
        reply_fail(s, errno);
    else
        reply_printf(s, "F%x", handle);
}

HANDLER(handle_vFile_close)
{
    const char *p = args;
    uint64_t handle;
    if (!parse_number(&p, args + len, &handle, true) || handle >= HOSTIO_MAX_FILES) {
        reply_fail(s, EBADF);
        return;
    }
    if (hostio_close(&s->hostio, (int)handle) < 0)
        reply_fail(s, errno);
    else
        reply_str(s, "F0");
}

/* The largest read that fits a reply even if every byte needs escaping. */
#define PREAD_MAX (RSP_PACKET_SIZE / 2 - 32)

HANDLER(handle_vFile_pread)
{
    const char *p = args, *end = args + len;
    uint64_t handle, count, offset;
    if (!parse_number(&p, end, &handle, false) || !parse_number(&p, end, &count, false) ||
        !parse_number(&p, end, &offset, true) || offset > INT64_MAX) {
        reply_fail(s, EINVAL);
        return;
    }
    int fd = fd_of(s, handle);
    if (fd < 0) {
        reply_fail(s, EBADF);
        return;
    }
    if (count > PREAD_MAX)
        count = PREAD_MAX;
    static char buf[PREAD_MAX];
    ssize_t n = pread(fd, buf, (size_t)count, (off_t)offset);
    if (n < 0) {
        reply_fail(s, errno);
        return;
    }
    reply_printf(s, "F%zx;", (size_t)n);
    reply_append(s, buf, (size_t)n);
}

HANDLER(handle_vFile_pwrite)
{
    const char *p = args, *end = args + len;
    uint64_t handle, offset;
    if (!parse_number(&p, end, &handle, false) || !parse_number(&p, end, &offset, false) ||
        offset > INT64_MAX) {
        reply_fail(s, EINVAL);
        return;
    }
    int fd = fd_of(s, handle);
    if (fd < 0) {
        reply_fail(s, EBADF);
        return;
    }
    ssize_t n = pwrite(fd, p, (size_t)(end - p), (off_t)offset);
    if (n < 0)
        reply_fail(s, errno);
    else
        reply_printf(s, "F%zx", (size_t)n);
}

static void put_be(uint8_t *out, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* GDB's struct stat for File-I/O: big-endian, 32-bit fields but for the
 * three 64-bit sizes, 64 bytes in all. */
static void reply_stat(struct session *s, const struct stat *st)
{
    uint8_t out[64];
    put_be(out + 0, (uint64_t)st->st_dev, 4);
    put_be(out + 4, (uint64_t)st->st_ino, 4);
    put_be(out + 8, st->st_mode, 4);
    put_be(out + 12, st->st_nlink, 4);
    put_be(out + 16, st->st_uid, 4);
    put_be(out + 20, st->st_gid, 4);
    put_be(out + 24, (uint64_t)st->st_rdev, 4);
    put_be(out + 28, (uint64_t)st->st_size, 8);
    put_be(out + 36, (uint64_t)st->st_blksize, 8);
    put_be(out + 44, (uint64_t)st->st_blocks, 8);
    put_be(out + 52, (uint64_t)st->st_atime, 4);
    put_be(out + 56, (uint64_t)st->st_mtime, 4);
    put_be(out + 60, (uint64_t)st->st_ctime, 4);
    reply_printf(s, "F%zx;", sizeof out);
    reply_append(s, out, sizeof out);
}

HANDLER(handle_vFile_fstat)
{
    const char *p = args;
    uint64_t handle;
    int fd = -1;
    if (parse_number(&p, args + len, &handle, true))
        fd = fd_of(s, handle);
    struct stat st;
    if (fd < 0)
        reply_fail(s, EBADF);
    else if (fstat(fd, &st) < 0)
        reply_fail(s, errno);
    else
        reply_stat(s, &st);
}

HANDLER(handle_vFile_unlink)
{
    const char *p = args;
    char name[NAME_MAX_LEN];
    if (!parse_name(&p, args + len, name, sizeof name, true))
        reply_fail(s, EINVAL);
    else if (hostio_unlink(&s->hostio, name) < 0)
        reply_fail(s, errno);
    else
        reply_str(s, "F0");
}

HANDLER(handle_vFile_readlink)
{
    const char *p = args;
    char name[NAME_MAX_LEN], target[4096];
    ssize_t n;
    if (!parse_name(&p, args + len, name, sizeof name, true)) {
        reply_fail(s, EINVAL);
        return;
    }
    if ((n = hostio_readlink(&s->hostio, name, target, sizeof target)) < 0) {
        reply_fail(s, errno);
        return;
    }
    reply_printf(s, "F%zx;", (size_t)n);
    reply_append(s, target, (size_t)n);
}

/* lldb's platform asks for a file's size, mode or existence by name. */
static bool stat_by_name(struct session *s, const char *args, size_t len, struct stat *st, bool quiet)
{
    const char *p = args;
    char name[NAME_MAX_LEN];
    if (!parse_name(&p, args + len, name, sizeof name, true)) {
        reply_fail(s, EINVAL);
        return false;
    }
    if (hostio_stat(&s->hostio, name, st) < 0) {
        if (!quiet)
            reply_fail(s, errno);
        return false;
    }
    return true;
}

HANDLER(handle_vFile_size)
{
    struct stat st;
    if (stat_by_name(s, args, len, &st, false))
        reply_printf(s, "F%llx", (unsigned long long)st.st_size);
}

HANDLER(handle_vFile_mode)
{
    struct stat st;
    if (stat_by_name(s, args, len, &st, false))
        reply_printf(s, "F%x", (unsigned)st.st_mode);
}

HANDLER(handle_vFile_exists)
{
    struct stat st;
    bool found = stat_by_name(s, args, len, &st, true);
    if (found || s->reply.len == 0)
        reply_str(s, found ? "F,1" : "F,0");
}

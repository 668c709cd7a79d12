#include "target/proc_info.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool read_ids(pid_t pid, struct proc_info *out)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    int found = 0;
    unsigned a, b;
    while (fgets(line, sizeof line, f)) {
        int ppid;
        if (sscanf(line, "PPid: %d", &ppid) == 1) {
            out->ppid = ppid;
            found |= 1;
        } else if (sscanf(line, "Uid: %u %u", &a, &b) == 2) {
            out->uid = a;
            out->euid = b;
            found |= 2;
        } else if (sscanf(line, "Gid: %u %u", &a, &b) == 2) {
            out->gid = a;
            out->egid = b;
            found |= 4;
        }
    }
    fclose(f);
    return found == 7;
}

static void read_program(pid_t pid, struct proc_info *out)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, out->path, sizeof out->path - 1);
    if (n > 0) {
        out->path[n] = '\0';
    } else {
        /* Kernel threads and processes we may not look into: their name. */
        char comm[64] = "";
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        FILE *f = fopen(path, "re");
        if (f) {
            if (!fgets(comm, sizeof comm, f))
                comm[0] = '\0';
            fclose(f);
        }
        comm[strcspn(comm, "\n")] = '\0';
        snprintf(out->path, sizeof out->path, "[%s]", comm);
    }
    /* A bracketed kernel thread name may hold '/' ("[kworker/0:1]"). */
    const char *slash = out->path[0] == '/' ? strrchr(out->path, '/') : NULL;
    out->name = slash ? slash + 1 : out->path;

    out->args_len = 0;
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got = read(fd, out->args, sizeof out->args);
        close(fd);
        if (got > 0)
            out->args_len = (size_t)got;
    }
    /* Drop the terminating NUL so that NULs only separate arguments. */
    if (out->args_len && out->args[out->args_len - 1] == '\0')
        out->args_len--;
}

bool proc_info_read(pid_t pid, struct proc_info *out)
{
    memset(out, 0, sizeof *out);
    if (pid <= 0)
        return false;
    out->pid = pid;
    if (!read_ids(pid, out))
        return false;
    read_program(pid, out);
    return true;
}

void proc_info_each(bool (*fn)(const struct proc_info *info, void *ctx), void *ctx)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    struct proc_info *info = malloc(sizeof *info);
    while (info && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid > 0x7fffffff)
            continue;
        if (proc_info_read((pid_t)pid, info) && !fn(info, ctx))
            break;
    }
    free(info);
    closedir(d);
}

/* /proc/PID/task/TID/stat into BUF ("TID (NAME) STATE ...", where NAME
 * may hold spaces and ')'); the ')' that ends NAME, or NULL if the thread
 * is gone. */
static char *read_task_stat(pid_t pid, pid_t tid, char *buf, size_t size)
{
    char path[80];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    return open && close && close > open && close[1] == ' ' ? close : NULL;
}

char proc_info_task_state(pid_t pid, pid_t tid)
{
    char buf[1024];
    const char *close = read_task_stat(pid, tid, buf, sizeof buf);
    return close ? close[2] : 0;
}

/* A thread's name (its comm) and the CPU it last ran on, from /proc. */
void proc_info_read_task(pid_t pid, pid_t tid, char *name, size_t namelen, int *core)
{
    char buf[1024];
    name[0] = '\0';
    *core = -1;
    char *close = read_task_stat(pid, tid, buf, sizeof buf);
    if (!close)
        return;
    char *open = strchr(buf, '(');
    size_t len = (size_t)(close - open - 1);
    if (len >= namelen)
        len = namelen - 1;
    memcpy(name, open + 1, len);
    name[len] = '\0';
    int field = 2;   /* the state, field 3, follows ") " */
    for (char *p = close + 1; *p; p++)
        if (*p == ' ' && ++field == 39) {
            *core = atoi(p + 1);
            break;
        }
}


void proc_info_command(const struct proc_info *pi, char *out, size_t outlen)
{
    if (!pi->args_len) {
        snprintf(out, outlen, "%s", pi->path);
        return;
    }
    size_t n = pi->args_len < outlen ? pi->args_len : outlen - 1;
    memcpy(out, pi->args, n);
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\0')
            out[i] = ' ';
    out[n] = '\0';
}

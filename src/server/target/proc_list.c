#include "target/proc_list.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads a whole small /proc file into a fresh NUL-terminated buffer. */
static char *read_proc_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == cap) {
            char *bigger = cap < (1u << 20) ? realloc(buf, 2 * cap + 1) : NULL;
            if (!bigger)
                break;   /* a huge command line is cut, not an error */
            buf = bigger;
            cap *= 2;
        }
    }
    close(fd);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* The command name and last CPU from /proc/PID/stat. The name is in
 * parentheses and may itself hold ')' and spaces, so the fields after it
 * are counted from the last ')'. */
static bool read_stat(pid_t pid, char *comm, size_t commlen, int *core)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    size_t len;
    char *stat = read_proc_file(path, &len);
    if (!stat)
        return false;
    char *open = strchr(stat, '('), *close = strrchr(stat, ')');
    if (!open || !close || close < open) {
        free(stat);
        return false;
    }
    size_t n = (size_t)(close - open - 1);
    if (n >= commlen)
        n = commlen - 1;
    memcpy(comm, open + 1, n);
    comm[n] = '\0';
    /* Field 39 is "processor"; the state (field 3) follows ") ". */
    *core = -1;
    int field = 2;
    for (char *p = close + 1; *p; p++) {
        if (*p == ' ' && ++field == 39) {
            *core = atoi(p + 1);
            break;
        }
    }
    free(stat);
    return true;
}

static bool read_one(pid_t pid, struct proc_info *pi)
{
    char path[64], comm[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    struct stat st;
    if (stat(path, &st) != 0 || !read_stat(pid, comm, sizeof comm, &pi->core))
        return false;
    pi->pid = pid;
    struct passwd pw, *found = NULL;
    char pwbuf[1024];
    if (getpwuid_r(st.st_uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 && found)
        snprintf(pi->user, sizeof pi->user, "%s", found->pw_name);
    else
        snprintf(pi->user, sizeof pi->user, "%u", (unsigned)st.st_uid);
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *cmd = read_proc_file(path, &len);
    if (cmd && len > 0) {
        /* Arguments are NUL-separated, with a final NUL. */
        while (len > 0 && cmd[len - 1] == '\0')
            len--;
        for (size_t i = 0; i < len; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        cmd[len] = '\0';
        pi->command = cmd;
    } else {
        free(cmd);
        size_t n = strlen(comm) + 3;
        pi->command = malloc(n);
        if (pi->command)
            snprintf(pi->command, n, "[%s]", comm);
    }
    return pi->command != NULL;
}

static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const struct proc_info *)a)->pid, y = ((const struct proc_info *)b)->pid;
    return (x > y) - (x < y);
}

bool proc_list_read(struct proc_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return false;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        long pid = strtol(e->d_name, NULL, 10);
        if (pid <= 0)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            struct proc_info *bigger = realloc(*out, ncap * sizeof **out);
            if (!bigger)
                break;
            *out = bigger;
            cap = ncap;
        }
        if (read_one((pid_t)pid, &(*out)[*n]))
            (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(*out, *n, sizeof **out, by_pid);
    return true;
}

void proc_list_free(struct proc_info *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].command);
    free(list);
}

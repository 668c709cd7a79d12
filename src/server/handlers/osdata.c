/* qXfer:osdata:read: what gdb's "info os" shows, and what dbg's .tlist and
 * -pn read. The "types" document (empty annex) lists the kinds this server
 * has; "processes" lists the target machine's processes (columns pid, user,
 * command line, cores), "threads" every thread (pid, command, tid, core)
 * and "files" every open file descriptor (pid, command, file descriptor,
 * name), in gdbserver's columns; the machine-wide tables are in
 * osdata_system.c.
 * The document is made once for all the windows gdb reads it in
 * (xfer_reply_document), so a process that starts or ends meanwhile cannot
 * tear the XML. */
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/osdata.h"
#include "session.h"
#include "target/proc_info.h"

static void put_column(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<column name=\"%s\">", name);
    xml_put_escaped(f, value);
    fputs("</column>\n", f);
}

/* Every entry of /proc/PID/DIR that is a number, in order. */
static size_t numbered_entries(pid_t pid, const char *dir, long *out, size_t max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, dir);
    DIR *d = opendir(path);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < max) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (e->d_name[0] && !*end && v >= 0)
            out[n++] = v;
    }
    if (d)
        closedir(d);
    return n;
}

#define MAX_ENTRIES 65536

/* The CPUs the threads of PID last ran on, as "0,3" (gdbserver's cores). */
static void put_cores(FILE *f, pid_t pid)
{
    static long tids[MAX_ENTRIES];
    bool seen[1024] = {false};
    char text[4096] = "", name[64];
    size_t used = 0, n = numbered_entries(pid, "task", tids, MAX_ENTRIES);
    for (size_t i = 0; i < n; i++) {
        int core;
        proc_info_read_task(pid, (pid_t)tids[i], name, sizeof name, &core);
        if (core < 0 || core >= 1024 || seen[core] || used + 8 >= sizeof text)
            continue;
        seen[core] = true;
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%d", used ? "," : "", core);
    }
    put_column(f, "cores", text);
}

static bool put_threads_of(const struct proc_info *pi, void *ctx)
{
    FILE *f = ctx;
    static long tids[MAX_ENTRIES];
    char command[64], num[24], name[64];
    int unused;
    proc_info_read_task(pi->pid, pi->pid, command, sizeof command, &unused);
    size_t n = numbered_entries(pi->pid, "task", tids, MAX_ENTRIES);
    for (size_t i = 0; i < n; i++) {
        int core;
        proc_info_read_task(pi->pid, (pid_t)tids[i], name, sizeof name, &core);
        fputs("<item>\n", f);
        snprintf(num, sizeof num, "%d", (int)pi->pid);
        put_column(f, "pid", num);
        put_column(f, "command", command);
        snprintf(num, sizeof num, "%ld", tids[i]);
        put_column(f, "tid", num);
        if (core >= 0)
            snprintf(num, sizeof num, "%d", core);
        else
            num[0] = '\0';
        put_column(f, "core", num);
        fputs("</item>\n", f);
    }
    return true;
}

static bool put_files_of(const struct proc_info *pi, void *ctx)
{
    FILE *f = ctx;
    static long fds[MAX_ENTRIES];
    char command[64], num[24], path[64], target[4096];
    int unused;
    proc_info_read_task(pi->pid, pi->pid, command, sizeof command, &unused);
    size_t n = numbered_entries(pi->pid, "fd", fds, MAX_ENTRIES);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pi->pid, fds[i]);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len < 0)
            continue;   /* closed meanwhile */
        target[len] = '\0';
        fputs("<item>\n", f);
        snprintf(num, sizeof num, "%d", (int)pi->pid);
        put_column(f, "pid", num);
        put_column(f, "command", command);
        snprintf(num, sizeof num, "%ld", fds[i]);
        put_column(f, "file descriptor", num);
        put_column(f, "name", target);
        fputs("</item>\n", f);
    }
    return true;
}

static bool put_process(const struct proc_info *pi, void *ctx)
{
    FILE *f = ctx;
    char num[24], user[64];
    struct passwd pw, *found = NULL;
    char pwbuf[1024];
    if (getpwuid_r(pi->uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 && found)
        snprintf(user, sizeof user, "%s", found->pw_name);
    else
        snprintf(user, sizeof user, "%u", (unsigned)pi->uid);
    char command[sizeof pi->args + 1];
    proc_info_command(pi, command, sizeof command);
    fputs("<item>\n", f);
    snprintf(num, sizeof num, "%d", (int)pi->pid);
    put_column(f, "pid", num);
    put_column(f, "user", user);
    put_column(f, "command", command);
    put_cores(f, pi->pid);
    fputs("</item>\n", f);
    return true;
}

/* Every type: per process (EACH) or machine-wide (ALL). */
static const struct osdata_type {
    const char *type, *description, *title;
    bool (*each)(const struct proc_info *, void *);
    void (*all)(FILE *);
} types[] = {
    {"files", "Listing of all file descriptors", "File descriptors", put_files_of, NULL},
    {"msg", "Listing of all message queues", "Message queues", NULL, osdata_put_msg},
    {"processes", "Listing of all processes", "Processes", put_process, NULL},
    {"procgroups", "Listing of all process groups", "Process groups", NULL, osdata_put_procgroups},
    {"semaphores", "Listing of all semaphores", "Semaphores", NULL, osdata_put_semaphores},
    {"shm", "Listing of all shared-memory regions", "Shared-memory regions", NULL, osdata_put_shm},
    {"sockets", "Listing of all internet-domain sockets", "Sockets", NULL, osdata_put_sockets},
    {"threads", "Listing of all threads", "Threads", put_threads_of, NULL},
};

static void put_types(FILE *f)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        fputs("<item>\n", f);
        put_column(f, "Type", types[i].type);
        put_column(f, "Description", types[i].description);
        put_column(f, "Title", types[i].title);
        fputs("</item>\n", f);
    }
}

/* Writes the document for ANNEX (the type) into F. An unknown type gets
 * an empty document, as from gdbserver (gdb then says the type is wrong). */
static bool make_document(struct session *s, FILE *f, void *ctx)
{
    (void)s;
    const char *annex = ctx;
    const struct osdata_type *t = NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(annex, types[i].type) == 0)
            t = &types[i];
    if (annex[0] && !t)
        return true;
    fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"%s\">\n",
            t ? annex : "types");
    if (!t)
        put_types(f);
    else if (t->each)
        proc_info_each(t->each, f);
    else
        t->all(f);
    fputs("</osdata>\n", f);
    return true;
}

/* qXfer:osdata:read:ANNEX:OFFSET,LENGTH */
HANDLER(handle_qXfer_osdata)
{
    (void)len;
    char annex[32], key[48];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    snprintf(key, sizeof key, "osdata:%s", annex);
    xfer_reply_document(s, key, off, want, make_document, annex);
}

/* The machine-wide tables of qXfer:osdata besides processes, threads and
 * files (osdata.c): process groups, internet sockets and the SysV IPC
 * objects (shared memory, semaphores, message queues), read from /proc in
 * gdbserver's columns, so that gdb's "info os TYPE" shows the same. */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/osdata.h"
#include "target/proc_info.h"

static void put_column(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<column name=\"%s\">", name);
    xml_put_escaped(f, value);
    fputs("</column>\n", f);
}

static void user_name(unsigned long uid, char *out, size_t len)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(out, len, "%s", found->pw_name);
    else
        snprintf(out, len, "%lu", uid);
}

static void group_name(unsigned long gid, char *out, size_t len)
{
    struct group gr, *found = NULL;
    char buf[1024];
    if (getgrgid_r((gid_t)gid, &gr, buf, sizeof buf, &found) == 0 && found)
        snprintf(out, len, "%s", found->gr_name);
    else
        snprintf(out, len, "%lu", gid);
}

static void time_text(long t, char *out, size_t len)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (t == 0 || !localtime_r(&tt, &tm))
        snprintf(out, len, "%s", t == 0 ? "" : "?");
    else
        strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void comm_of(long pid, char *out, size_t len)
{
    int core;
    out[0] = '\0';
    if (pid > 0)
        proc_info_read_task((pid_t)pid, (pid_t)pid, out, len, &core);
}

/* --- procgroups: pgid, the leader's name, pid, command line --- */

struct member {
    long pgid, pid;
    char command[1024];
};

struct members {
    struct member *items;
    size_t n, cap;
};

static bool collect_member(const struct proc_info *pi, void *ctx)
{
    struct members *m = ctx;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pi->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    long ppid, pgid;
    char *close = strrchr(buf, ')');
    if (!close || sscanf(close + 1, " %*c %ld %ld", &ppid, &pgid) != 2)
        return true;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        struct member *bigger = realloc(m->items, cap * sizeof *bigger);
        if (!bigger)
            return false;
        m->items = bigger;
        m->cap = cap;
    }
    struct member *e = &m->items[m->n++];
    e->pgid = pgid;
    e->pid = pi->pid;
    proc_info_command(pi, e->command, sizeof e->command);
    return true;
}

static int by_group(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    if (x->pgid != y->pgid)
        return x->pgid < y->pgid ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

void osdata_put_procgroups(FILE *f)
{
    struct members m = {0};
    proc_info_each(collect_member, &m);
    if (m.n > 1)
        qsort(m.items, m.n, sizeof *m.items, by_group);
    for (size_t i = 0; i < m.n; i++) {
        char num[24], leader[64];
        comm_of(m.items[i].pgid, leader, sizeof leader);
        fputs("<item>\n", f);
        snprintf(num, sizeof num, "%ld", m.items[i].pgid);
        put_column(f, "pgid", num);
        put_column(f, "leader command", leader);
        snprintf(num, sizeof num, "%ld", m.items[i].pid);
        put_column(f, "pid", num);
        put_column(f, "command line", m.items[i].command);
        fputs("</item>\n", f);
    }
    free(m.items);
}

/* --- sockets: /proc/net/{tcp,udp,tcp6,udp6} --- */

static const char *tcp_state(unsigned st)
{
    static const char *const names[] = {
        [1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1", [5] = "FIN_WAIT2",
        [6] = "TIME_WAIT",   [7] = "CLOSE",    [8] = "CLOSE_WAIT", [9] = "LAST_ACK", [10] = "LISTEN",
        [11] = "CLOSING",
    };
    return st < sizeof names / sizeof names[0] && names[st] ? names[st] : "?";
}

/* The kernel prints addresses as the bytes in memory, in hex. */
static bool address_text(const char *hex, bool v6, char *out, size_t len)
{
    unsigned char bytes[16];
    size_t n = v6 ? 16 : 4;
    if (strlen(hex) != 2 * n)
        return false;
    for (size_t i = 0; i < n / 4; i++) {
        unsigned w;
        if (sscanf(hex + 8 * i, "%8x", &w) != 1)
            return false;
        memcpy(bytes + 4 * i, &w, 4);   /* the word as the kernel stored it */
    }
    return inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, (socklen_t)len) != NULL;
}

static void put_sockets(FILE *f, const char *file, bool v6, bool tcp)
{
    FILE *in = fopen(file, "re");
    if (!in)
        return;
    char line[512];
    if (!fgets(line, sizeof line, in)) {   /* the header */
        fclose(in);
        return;
    }
    while (fgets(line, sizeof line, in)) {
        char local[64], remote[64], laddr[64], raddr[64];
        unsigned lport, rport, st;
        unsigned long uid;
        if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%x %x %*s %*s %*s %lu", local, &lport, remote,
                   &rport, &st, &uid) != 6 ||
            !address_text(local, v6, laddr, sizeof laddr) || !address_text(remote, v6, raddr, sizeof raddr))
            continue;
        char num[24], user[64];
        user_name(uid, user, sizeof user);
        fputs("<item>\n", f);
        put_column(f, "local address", laddr);
        snprintf(num, sizeof num, "%u", lport);
        put_column(f, "local port", num);
        put_column(f, "remote address", raddr);
        snprintf(num, sizeof num, "%u", rport);
        put_column(f, "remote port", num);
        put_column(f, "state", tcp ? tcp_state(st) : "");
        put_column(f, "user", user);
        put_column(f, "family", v6 ? "INET6" : "INET");
        put_column(f, "protocol", tcp ? "STREAM" : "DGRAM");
        fputs("</item>\n", f);
    }
    fclose(in);
}

void osdata_put_sockets(FILE *f)
{
    put_sockets(f, "/proc/net/tcp", false, true);
    put_sockets(f, "/proc/net/udp", false, false);
    put_sockets(f, "/proc/net/tcp6", true, true);
    put_sockets(f, "/proc/net/udp6", true, false);
}

/* --- SysV IPC: /proc/sysvipc/{shm,sem,msg} --- */

/* Calls PUT for each line of FILE after its header, with its numbers. */
static void each_ipc_line(const char *file, FILE *f, size_t want, void (*put)(FILE *, const long *))
{
    FILE *in = fopen(file, "re");
    if (!in)
        return;
    char line[512];
    if (!fgets(line, sizeof line, in)) {
        fclose(in);
        return;
    }
    while (fgets(line, sizeof line, in)) {
        long v[16];
        size_t n = 0;
        char *p = line, *end;
        while (n < want && n < 16) {
            long x = strtol(p, &end, 10);
            if (end == p)
                break;
            v[n++] = x;
            p = end;
        }
        if (n == want)
            put(f, v);
    }
    fclose(in);
}

static void put_number(FILE *f, const char *name, long v)
{
    char num[24];
    snprintf(num, sizeof num, "%ld", v);
    put_column(f, name, num);
}

/* /proc/sysvipc prints the mode in octal already ("666"). */
static void put_perms(FILE *f, long perms)
{
    put_number(f, "permissions", perms);
}

static void put_owners(FILE *f, const long *ids)
{
    char name[64];
    user_name((unsigned long)ids[0], name, sizeof name);
    put_column(f, "user", name);
    group_name((unsigned long)ids[1], name, sizeof name);
    put_column(f, "group", name);
    user_name((unsigned long)ids[2], name, sizeof name);
    put_column(f, "creator user", name);
    group_name((unsigned long)ids[3], name, sizeof name);
    put_column(f, "creator group", name);
}

static void put_time(FILE *f, const char *name, long t)
{
    char text[32];
    time_text(t, text, sizeof text);
    put_column(f, name, text);
}

static void put_command(FILE *f, const char *name, long pid)
{
    char comm[64];
    comm_of(pid, comm, sizeof comm);
    put_column(f, name, comm);
}

/* key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime */
static void put_shm(FILE *f, const long *v)
{
    fputs("<item>\n", f);
    put_number(f, "key", v[0]);
    put_number(f, "shmid", v[1]);
    put_perms(f, v[2]);
    put_number(f, "size", v[3]);
    put_command(f, "creator command", v[4]);
    put_command(f, "last op. command", v[5]);
    put_number(f, "num attached", v[6]);
    put_owners(f, v + 7);
    put_time(f, "last shmat() time", v[11]);
    put_time(f, "last shmdt() time", v[12]);
    put_time(f, "last shmctl() time", v[13]);
    fputs("</item>\n", f);
}

/* key semid perms nsems uid gid cuid cgid otime ctime */
static void put_sem(FILE *f, const long *v)
{
    fputs("<item>\n", f);
    put_number(f, "key", v[0]);
    put_number(f, "semid", v[1]);
    put_perms(f, v[2]);
    put_number(f, "num semaphores", v[3]);
    put_owners(f, v + 4);
    put_time(f, "last semop() time", v[8]);
    put_time(f, "last semctl() time", v[9]);
    fputs("</item>\n", f);
}

/* key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
static void put_msg(FILE *f, const long *v)
{
    fputs("<item>\n", f);
    put_number(f, "key", v[0]);
    put_number(f, "msqid", v[1]);
    put_perms(f, v[2]);
    put_number(f, "num used bytes", v[3]);
    put_number(f, "num messages", v[4]);
    put_command(f, "last msgsnd() command", v[5]);
    put_command(f, "last msgrcv() command", v[6]);
    put_owners(f, v + 7);
    put_time(f, "last msgsnd() time", v[11]);
    put_time(f, "last msgrcv() time", v[12]);
    put_time(f, "last msgctl() time", v[13]);
    fputs("</item>\n", f);
}

void osdata_put_shm(FILE *f)
{
    each_ipc_line("/proc/sysvipc/shm", f, 14, put_shm);
}

void osdata_put_semaphores(FILE *f)
{
    each_ipc_line("/proc/sysvipc/sem", f, 10, put_sem);
}

void osdata_put_msg(FILE *f)
{
    each_ipc_line("/proc/sysvipc/msg", f, 14, put_msg);
}

#include "session_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct slot {
    unsigned seq;          /* odd while being written */
    struct session_info info;
};

struct session_table {
    struct slot slots[SESSION_TABLE_SLOTS];
};

struct session_table *session_table_create(void)
{
    void *p = mmap(NULL, sizeof(struct session_table), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static struct slot *slot_of(struct session_table *t, int slot)
{
    return t && slot >= 0 && slot < SESSION_TABLE_SLOTS ? &t->slots[slot] : NULL;
}

static void begin_write(struct slot *s)
{
    __atomic_add_fetch(&s->seq, 1, __ATOMIC_ACQ_REL);
}

static void end_write(struct slot *s)
{
    __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELEASE);
}

int session_table_claim(struct session_table *t, int id, const char *peer)
{
    if (!t)
        return -1;
    for (int i = 0; i < SESSION_TABLE_SLOTS; i++) {
        struct slot *s = &t->slots[i];
        if (s->info.id)
            continue;
        begin_write(s);
        memset(&s->info, 0, sizeof s->info);
        s->info.id = id;
        s->info.since = time(NULL);
        snprintf(s->info.peer, sizeof s->info.peer, "%s", peer);
        snprintf(s->info.auth, sizeof s->info.auth, "connecting");
        end_write(s);
        return i;
    }
    return -1;
}

void session_table_set_pid(struct session_table *t, int slot, pid_t pid)
{
    struct slot *s = slot_of(t, slot);
    if (!s)
        return;
    begin_write(s);
    s->info.pid = pid;
    end_write(s);
}

void session_table_free(struct session_table *t, int slot)
{
    struct slot *s = slot_of(t, slot);
    if (!s)
        return;
    begin_write(s);
    memset(&s->info, 0, sizeof s->info);
    end_write(s);
}

void session_table_set_peer(struct session_table *t, int slot, const char *peer)
{
    struct slot *s = slot_of(t, slot);
    if (!s)
        return;
    begin_write(s);
    snprintf(s->info.peer, sizeof s->info.peer, "%s", peer);
    end_write(s);
}

void session_table_set_auth(struct session_table *t, int slot, const char *auth)
{
    struct slot *s = slot_of(t, slot);
    if (!s)
        return;
    begin_write(s);
    snprintf(s->info.auth, sizeof s->info.auth, "%s", auth);
    end_write(s);
}

void session_table_set_debuggees(struct session_table *t, int slot, const pid_t *pids, const bool *attached, int n)
{
    struct slot *s = slot_of(t, slot);
    if (!s)
        return;
    int keep = n < SESSION_TABLE_DEBUGGEES ? n : SESSION_TABLE_DEBUGGEES;
    if (s->info.ndebuggees == n && memcmp(s->info.debuggees, pids, (size_t)keep * sizeof *pids) == 0 &&
        memcmp(s->info.attached, attached, (size_t)keep * sizeof *attached) == 0)
        return;   /* unchanged: the common case, after every packet */
    begin_write(s);
    s->info.ndebuggees = n;
    memcpy(s->info.debuggees, pids, (size_t)keep * sizeof *pids);
    memcpy(s->info.attached, attached, (size_t)keep * sizeof *attached);
    end_write(s);
}

static int by_id(const void *a, const void *b)
{
    const struct session_info *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

size_t session_table_snapshot(struct session_table *t, struct session_info *out, size_t max)
{
    size_t n = 0;
    for (int i = 0; t && i < SESSION_TABLE_SLOTS && n < max; i++) {
        struct slot *s = &t->slots[i];
        for (int tries = 0; tries < 100; tries++) {
            unsigned before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
            if (before & 1)
                continue;
            struct session_info copy;
            memcpy(&copy, (const void *)&s->info, sizeof copy);
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != before)
                continue;
            if (copy.id) {
                copy.peer[sizeof copy.peer - 1] = copy.auth[sizeof copy.auth - 1] = '\0';
                out[n++] = copy;
            }
            break;
        }
    }
    qsort(out, n, sizeof *out, by_id);
    return n;
}

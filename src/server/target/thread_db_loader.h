/* Where the server's libthread_db comes from: gdbserver's
 * libthread-db-search-path, a ':'-separated list of directories searched
 * for libthread_db.so.1 in order, where "$sdir" is the system's search
 * (dlopen by name) and "$pdir" the directory of the thread library the
 * process itself loaded (inside its root), so that a process with its own
 * glibc (a container, a chroot) gets the libthread_db that matches it.
 * The default is gdbserver's, "$sdir:$pdir". The setting and the library
 * are the session process's. */
#ifndef DBGSRV_THREAD_DB_LOADER_H
#define DBGSRV_THREAD_DB_LOADER_H

#include <proc_service.h>
#include <stdbool.h>
#include <stddef.h>
#include <thread_db.h>

#include "target/target.h"

#define THREAD_DB_DEFAULT_PATH "$sdir:$pdir"

/* A loaded libthread_db: the functions the server calls. */
struct thread_db_lib {
    void *handle;
    char file[4200];   /* where it was loaded from, for messages */
    td_err_e (*ta_new)(struct ps_prochandle *ph, td_thragent_t **ta);
    td_err_e (*ta_delete)(td_thragent_t *ta);
    td_err_e (*ta_map_lwp2thr)(const td_thragent_t *ta, lwpid_t lwp, td_thrhandle_t *th);
    td_err_e (*thr_tls_get_addr)(const td_thrhandle_t *th, psaddr_t map_address, size_t offset,
                                 psaddr_t *address);
    /* The TLS block of module MODID (NULL when the library lacks it). */
    td_err_e (*thr_tlsbase)(const td_thrhandle_t *th, unsigned long modid, psaddr_t *base);
};

/* PATH NULL or empty: back to the default. The library loaded from the
 * old path is unloaded; the next question searches again. False when out
 * of memory (the old setting stays). */
bool thread_db_set_search_path(const char *path);
const char *thread_db_search_path(void);

/* Each libthread_db of the search path that loads for process P, in
 * order, is offered to ACCEPT; the first it accepts stays loaded and is
 * returned, the others are unloaded. The loaded one is offered again
 * first the next time. NULL with ERR when none was accepted. */
const struct thread_db_lib *thread_db_find(struct process *p, bool (*accept)(const struct thread_db_lib *lib, void *ctx),
                                           void *ctx, char *err, size_t errlen);

#endif

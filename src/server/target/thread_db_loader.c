#include "target/thread_db_loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/solib_list.h"

static char *search_path;            /* NULL: THREAD_DB_DEFAULT_PATH */
static struct thread_db_lib loaded;  /* handle NULL: none */

static void unload(struct thread_db_lib *lib)
{
    if (lib->handle)
        dlclose(lib->handle);
    memset(lib, 0, sizeof *lib);
}

bool thread_db_set_search_path(const char *path)
{
    char *copy = NULL;
    if (path && path[0] && !(copy = strdup(path)))
        return false;
    free(search_path);
    search_path = copy;
    unload(&loaded);
    return true;
}

const char *thread_db_search_path(void)
{
    return search_path ? search_path : THREAD_DB_DEFAULT_PATH;
}

/* Loads FILE (a path, or a bare name for the system's search) and finds
 * its functions; td_init must succeed too. */
static bool load(const char *file, struct thread_db_lib *lib)
{
    memset(lib, 0, sizeof *lib);
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return false;
    td_err_e (*init)(void) = (td_err_e (*)(void))dlsym(h, "td_init");
    lib->ta_new = (td_err_e (*)(struct ps_prochandle *, td_thragent_t **))dlsym(h, "td_ta_new");
    lib->ta_delete = (td_err_e (*)(td_thragent_t *))dlsym(h, "td_ta_delete");
    lib->ta_map_lwp2thr = (td_err_e (*)(const td_thragent_t *, lwpid_t, td_thrhandle_t *))dlsym(h, "td_ta_map_lwp2thr");
    lib->thr_tls_get_addr =
        (td_err_e (*)(const td_thrhandle_t *, psaddr_t, size_t, psaddr_t *))dlsym(h, "td_thr_tls_get_addr");
    lib->thr_tlsbase = (td_err_e (*)(const td_thrhandle_t *, unsigned long, psaddr_t *))dlsym(h, "td_thr_tlsbase");
    if (!init || !lib->ta_new || !lib->ta_delete || !lib->ta_map_lwp2thr || !lib->thr_tls_get_addr ||
        init() != TD_OK) {
        dlclose(h);
        memset(lib, 0, sizeof *lib);
        return false;
    }
    lib->handle = h;
    snprintf(lib->file, sizeof lib->file, "%s", file);
    return true;
}

struct pdir {
    char dir[4096];
    bool found;
};

/* The directory of the process's thread library: libpthread.so.0, or
 * libc.so.6, which holds the threads since glibc 2.34. */
static bool find_pdir(const struct solib *lib, void *ctx)
{
    struct pdir *pd = ctx;
    const char *base = strrchr(lib->name, '/');
    if (lib->name[0] != '/' || !base)
        return true;
    bool pthread = strcmp(base + 1, "libpthread.so.0") == 0;
    if (!pthread && strcmp(base + 1, "libc.so.6") != 0)
        return true;
    if (pd->found && !pthread)
        return true;   /* libpthread, when there is one, decides */
    snprintf(pd->dir, sizeof pd->dir, "%.*s", (int)(base - lib->name), lib->name);
    pd->found = true;
    return !pthread;
}

/* Tries one search path entry; true when ACCEPT took its library. */
static bool try_entry(struct process *p, const char *entry, size_t n,
                      bool (*accept)(const struct thread_db_lib *, void *), void *ctx)
{
    char file[sizeof loaded.file];
    if (n == 5 && memcmp(entry, "$sdir", 5) == 0) {
        snprintf(file, sizeof file, "libthread_db.so.1");
    } else if (n == 5 && memcmp(entry, "$pdir", 5) == 0) {
        struct pdir pd = {.found = false};
        uint64_t main_lm;
        solib_each(p, 0, 0, &main_lm, find_pdir, &pd);
        if (!pd.found)
            return false;
        /* The process's own files, as it sees them (its root may not be ours). */
        snprintf(file, sizeof file, "/proc/%d/root%s/libthread_db.so.1", (int)p->pid, pd.dir);
    } else if (n > 0 && entry[0] == '/') {
        snprintf(file, sizeof file, "%.*s/libthread_db.so.1", (int)n, entry);
    } else {
        return false;   /* a relative directory: relative to what, on the server? */
    }
    if (loaded.handle && strcmp(loaded.file, file) == 0)
        return false;   /* offered already */
    struct thread_db_lib lib;
    if (!load(file, &lib))
        return false;
    if (!accept(&lib, ctx)) {
        unload(&lib);
        return false;
    }
    unload(&loaded);
    loaded = lib;
    return true;
}

const struct thread_db_lib *thread_db_find(struct process *p, bool (*accept)(const struct thread_db_lib *, void *),
                                           void *ctx, char *err, size_t errlen)
{
    if (loaded.handle && accept(&loaded, ctx))
        return &loaded;
    const char *path = thread_db_search_path();
    for (const char *e = path; *e;) {
        size_t n = strcspn(e, ":");
        if (try_entry(p, e, n, accept, ctx))
            return &loaded;
        e += n;
        if (*e == ':')
            e++;
    }
    snprintf(err, errlen, "no libthread_db that knows this process in libthread-db-search-path `%s'", path);
    return NULL;
}

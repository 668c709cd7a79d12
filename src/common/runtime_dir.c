#include "runtime_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool runtime_dir_overridden(void)
{
    const char *own = getenv("DBGSRV_RUNTIME_DIR");
    return own && own[0] == '/';
}

bool runtime_dir(char *out, size_t len)
{
    const char *own = getenv("DBGSRV_RUNTIME_DIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (runtime_dir_overridden())
        n = snprintf(out, len, "%s", own);
    else if (geteuid() == 0)
        n = snprintf(out, len, "/run/dbgsrv");
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, len, "%s/dbgsrv", xdg);
    else
        n = snprintf(out, len, "/tmp/dbgsrv-%d", (int)geteuid());
    return n > 0 && (size_t)n < len;
}

bool runtime_dir_make(const char *dir, unsigned mode, char *err, size_t errlen)
{
    if (mkdir(dir, (mode_t)mode) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return false;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
        snprintf(err, errlen, "%s is not a directory of this user that only it can write to; remove it "
                 "(or set XDG_RUNTIME_DIR or DBGSRV_RUNTIME_DIR)", dir);
        return false;
    }
    return true;
}

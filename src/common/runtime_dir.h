/* The runtime directory: where a server keeps what exists only while it
 * runs (npipe sockets, its registry entry). /run/dbgsrv for root,
 * $XDG_RUNTIME_DIR/dbgsrv otherwise; $DBGSRV_RUNTIME_DIR (an absolute path)
 * replaces either, so that a test or a container can have its own. */
#ifndef DBGSRV_RUNTIME_DIR_H
#define DBGSRV_RUNTIME_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* The runtime directory's path (not created). False if it does not fit. */
bool runtime_dir(char *out, size_t len);

/* True when $DBGSRV_RUNTIME_DIR chose the directory. */
bool runtime_dir_overridden(void);

/* Creates DIR (mode MODE) if needed and checks that it belongs to this user
 * and nobody else can write to it: otherwise another user could plant files
 * there and pose as a server. On failure returns false with ERR. */
bool runtime_dir_make(const char *dir, unsigned mode, char *err, size_t errlen);

#endif

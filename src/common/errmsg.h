/* The one way parsers report a failure: a message for the user into the
 * caller's buffer, and false, so that "return errmsg_set(...)" reads as
 * what it does. */
#ifndef DBGSRV_ERRMSG_H
#define DBGSRV_ERRMSG_H

#include <stdbool.h>
#include <stddef.h>

/* Formats the message into ERR (ERRLEN bytes; nothing if 0); returns false. */
bool errmsg_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

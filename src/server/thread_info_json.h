/* The threads of a process as lldb's JSON thread infos: an array of
 * {"tid", "name", "signal", "reason", "registers"} objects. It is the reply
 * to jThreadsInfo (with registers), and, hex-encoded, the "jstopinfo" of a
 * stop reply (without), which tells lldb at once which threads have a stop
 * reason, instead of a qThreadStopInfo round trip per thread. */
#ifndef DBGSRV_THREAD_INFO_JSON_H
#define DBGSRV_THREAD_INFO_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* The JSON text of P's threads (malloc'ed, *LEN bytes), or NULL when out
 * of memory. STOPPED, if not NULL, is the thread whose stop EV the client
 * is told (or was told last); the other threads have no stop reason. */
char *thread_info_json(struct session *s, struct process *p, const struct thread *stopped,
                       const struct stop_event *ev, bool registers, size_t *len);

#endif

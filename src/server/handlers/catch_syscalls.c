/* QCatchSyscalls:1[;NR]... and QCatchSyscalls:0 - which system calls stop
 * the current process (gdb's catch syscall). NR are hex; "1" alone catches
 * every call. The new set replaces the old one only if the whole packet is
 * well formed. */
#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"

HANDLER(handle_QCatchSyscalls)
{
    const char *p = args;
    const char *end = args + len;
    struct syscall_catch c;
    syscall_catch_clear(&c);
    if (len == 1 && *p == '0') {
        /* off: the cleared set */
    } else if (len >= 1 && *p == '1') {
        c.on = true;
        c.all = len == 1;
        p++;
        while (p < end) {
            uint64_t nr;
            if (*p++ != ';' || !hex_parse_u64(&p, &nr) || (p < end && *p != ';')) {
                reply_error(s, "malformed QCatchSyscalls packet");
                return;
            }
            if (!syscall_catch_add(&c, nr)) {
                reply_error(s, "system call number %#llx is out of range", (unsigned long long)nr);
                return;
            }
        }
    } else {
        reply_error(s, "malformed QCatchSyscalls packet: 0 or 1[;NR]... expected");
        return;
    }
    struct process *proc = session_general_process(s);
    if (!proc) {
        reply_error(s, "no process to catch system calls in");
        return;
    }
    proc->catch_syscalls = c;
    reply_str(s, "OK");
}

/* qHostInfo: what lldb asks first about the machine the server runs on. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "handlers/handlers.h"
#include "session.h"
#include "target/arch.h"

static void reply_hex_string(struct session *s, const char *key, const char *value)
{
    reply_printf(s, "%s:", key);
    reply_hex(s, (const uint8_t *)value, strlen(value));
    reply_str(s, ";");
}

HANDLER(handle_qHostInfo)
{
    (void)args, (void)len;
    reply_hex_string(s, "triple", ARCH_TRIPLE);
    reply_printf(s, "ptrsize:%d;endian:little;", ARCH_PTR_SIZE);
    struct utsname u;
    if (uname(&u) == 0) {
        /* os_version is numbers only ("6.1.0" of "6.1.0-18-amd64"). */
        unsigned major, minor, patch;
        int n = sscanf(u.release, "%u.%u.%u", &major, &minor, &patch);
        if (n == 3)
            reply_printf(s, "os_version:%u.%u.%u;", major, minor, patch);
        else if (n == 2)
            reply_printf(s, "os_version:%u.%u;", major, minor);
        reply_hex_string(s, "os_build", u.release);
        reply_hex_string(s, "os_kernel", u.version);
        reply_hex_string(s, "hostname", u.nodename);
    }
}

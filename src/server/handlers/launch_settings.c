/* How the next programs launch (lldb sends these before vRun): standard
 * streams, working directory, environment, ASLR, architecture; and
 * qLaunchSuccess, lldb's question after vRun. The settings live in the
 * target (target/launch_settings.c) and apply to every later launch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"

static void set_stdio(struct session *s, int fd, const char *args, size_t len)
{
    char *path = hex_decode_string(args, len);
    if (!path || !path[0])
        reply_error(s, "malformed file name (hex digits expected)");
    else if (!launch_settings_set_stdio(&s->target.settings, fd, path))
        reply_error(s, "out of memory");
    else
        reply_str(s, "OK");
    free(path);
}

/* QSetSTDIN:HEX-PATH (and STDOUT, STDERR) */
HANDLER(handle_QSetSTDIN)
{
    set_stdio(s, 0, args, len);
}

HANDLER(handle_QSetSTDOUT)
{
    set_stdio(s, 1, args, len);
}

HANDLER(handle_QSetSTDERR)
{
    set_stdio(s, 2, args, len);
}

/* QSetWorkingDir:HEX-PATH; with no path (gdb sends that when the user set
 * none), the server's own directory again. Whether the directory exists
 * is found at the next launch, which fails if it does not. */
HANDLER(handle_QSetWorkingDir)
{
    if (len == 0) {
        launch_settings_set_working_dir(&s->target.settings, NULL);
        reply_str(s, "OK");
        return;
    }
    char *dir = hex_decode_string(args, len);
    int e;
    if (!dir || !dir[0])
        reply_error(s, "malformed working directory (a path in hex expected)");
    else if ((e = launch_settings_set_working_dir(&s->target.settings, dir)) == ENOENT)
        reply_error(s, "working directory %s: no such user", dir);
    else if (e)
        reply_error(s, "working directory: %s", strerror(e));
    else
        reply_str(s, "OK");
    free(dir);
}

/* qGetWorkingDir: the directory programs start in, hex-encoded. */
HANDLER(handle_qGetWorkingDir)
{
    (void)args, (void)len;
    const char *dir = s->target.settings.working_dir;
    char buf[4096];
    if (!dir)
        dir = getcwd(buf, sizeof buf);
    if (!dir) {
        reply_error(s, "cannot tell the working directory: %s", strerror(errno));
        return;
    }
    reply_hex(s, (const uint8_t *)dir, strlen(dir));
}

static bool set_flag(struct session *s, const char *args, size_t len, int *flag, const char *packet);

/* QSetDisableASLR:0 or :1 (lldb's) */
HANDLER(handle_QSetDisableASLR)
{
    set_flag(s, args, len, &s->target.settings.disable_aslr, "QSetDisableASLR");
}

static void set_env(struct session *s, const char *name_value)
{
    const char *eq = strchr(name_value, '=');
    if (!eq || eq == name_value)
        reply_error(s, "malformed environment entry (NAME=VALUE expected)");
    else if (!launch_settings_set_env(&s->target.settings, name_value))
        reply_error(s, "out of memory");
    else
        reply_str(s, "OK");
}

/* QEnvironment:NAME=VALUE (lldb, plain text) */
HANDLER(handle_QEnvironment)
{
    if (memchr(args, '\0', len)) {
        reply_error(s, "malformed environment entry");
        return;
    }
    set_env(s, args);
}

/* QEnvironmentHexEncoded:HEX(NAME=VALUE) (gdb, and lldb for values with
 * characters the protocol reserves) */
HANDLER(handle_QEnvironmentHexEncoded)
{
    char *entry = hex_decode_string(args, len);
    if (!entry)
        reply_error(s, "malformed environment entry (hex digits expected)");
    else
        set_env(s, entry);
    free(entry);
}

/* QEnvironmentUnset:HEX(NAME) */
HANDLER(handle_QEnvironmentUnset)
{
    char *name = hex_decode_string(args, len);
    if (!name || !name[0] || strchr(name, '='))
        reply_error(s, "malformed variable name (hex digits expected)");
    else if (!launch_settings_unset_env(&s->target.settings, name))
        reply_error(s, "out of memory");
    else
        reply_str(s, "OK");
    free(name);
}

/* QEnvironmentReset: the server's own environment again. */
HANDLER(handle_QEnvironmentReset)
{
    (void)args, (void)len;
    launch_settings_reset_env(&s->target.settings);
    reply_str(s, "OK");
}

/* A "0" or "1" argument into *FLAG; false after an error reply. */
static bool set_flag(struct session *s, const char *args, size_t len, int *flag, const char *packet)
{
    if (len != 1 || (args[0] != '0' && args[0] != '1')) {
        reply_error(s, "malformed %s packet (0 or 1 expected)", packet);
        return false;
    }
    *flag = args[0] == '1';
    reply_str(s, "OK");
    return true;
}

/* QDisableRandomization:0|1 (gdb's "set disable-randomization") */
HANDLER(handle_QDisableRandomization)
{
    set_flag(s, args, len, &s->target.settings.disable_aslr, "QDisableRandomization");
}

/* QStartupWithShell:0|1 (gdb's "set startup-with-shell"): with 1 the
 * program starts as "$SHELL -c 'exec PROGRAM ARGS'", so the shell expands
 * the arguments, as gdbserver does. */
HANDLER(handle_QStartupWithShell)
{
    set_flag(s, args, len, &s->target.settings.startup_with_shell, "QStartupWithShell");
}

/* QLaunchArch:ARCH - the server runs programs of its own architecture only. */
HANDLER(handle_QLaunchArch)
{
    size_t n = strlen(ARCH_NAME);
    if (len >= n && memcmp(args, ARCH_NAME, n) == 0 && (len == n || args[n] == '-'))
        reply_str(s, "OK");
    else
        reply_error(s, "cannot launch programs for '%.*s': this server runs %s programs",
                    (int)(len > 64 ? 64 : len), args, ARCH_NAME);
}

/* qLaunchSuccess: did the last vRun start the program? */
HANDLER(handle_qLaunchSuccess)
{
    (void)args, (void)len;
    if (s->launch_error)
        reply_error(s, "%s", s->launch_error);
    else
        reply_str(s, "OK");
}

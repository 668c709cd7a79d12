/* The client's settings for the programs it launches: where their standard
 * streams go, their working directory, extra environment, ASLR. The session
 * keeps them; the forked child applies them just before exec. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/target.h"

void launch_settings_init(struct launch_settings *ls)
{
    memset(ls, 0, sizeof *ls);
    ls->disable_aslr = -1;
    ls->startup_with_shell = -1;
}

static bool replace_string(char **slot, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

bool launch_settings_set_stdio(struct launch_settings *ls, int fd, const char *path)
{
    if (fd < 0 || fd > 2)
        return false;
    return replace_string(&ls->stdio_path[fd], path);
}

/* "~" or "~/..." with the server's $HOME (its programs inherit it), or
 * "~USER..." with USER's home; anything else as it is. NULL: no such user
 * (errno ENOENT) or no memory. */
static char *expand_tilde(const char *dir)
{
    if (dir[0] != '~')
        return strdup(dir);
    size_t name_len = strcspn(dir + 1, "/");
    const char *home = NULL;
    if (name_len == 0) {
        home = getenv("HOME");
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
    } else {
        char name[256];
        if (name_len < sizeof name) {
            memcpy(name, dir + 1, name_len);
            name[name_len] = 0;
            struct passwd *pw = getpwnam(name);
            home = pw ? pw->pw_dir : NULL;
        }
    }
    if (!home) {
        errno = ENOENT;
        return NULL;
    }
    const char *rest = dir + 1 + name_len;
    char *out = malloc(strlen(home) + strlen(rest) + 1);
    if (out) {
        strcpy(out, home);
        strcat(out, rest);
    }
    return out;
}

int launch_settings_set_working_dir(struct launch_settings *ls, const char *dir)
{
    if (!dir) {
        replace_string(&ls->working_dir, NULL);
        return 0;
    }
    /* gdb sends the directory as the user typed it (set cwd ~/src), and
     * gdbserver expands the tilde as a shell would: so does dbgsrv. A
     * relative one is relative to the server's own directory, as there. */
    errno = ENOMEM;
    char *expanded = expand_tilde(dir);
    if (!expanded)
        return errno;
    free(ls->working_dir);
    ls->working_dir = expanded;
    return 0;
}

/* Removes the entry of LIST (NAME=VALUE or NAME) whose name is NAME_LEN
 * bytes of NAME, if there is one. */
static void remove_name(char **list, size_t *count, const char *name, size_t name_len)
{
    for (size_t i = 0; i < *count; i++)
        if (strncmp(list[i], name, name_len) == 0 && (list[i][name_len] == '=' || list[i][name_len] == '\0')) {
            free(list[i]);
            list[i] = list[--*count];
            return;
        }
}

bool launch_settings_unset_env(struct launch_settings *ls, const char *name)
{
    size_t n = strlen(name);
    remove_name(ls->env, &ls->env_count, name, n);
    remove_name(ls->unset, &ls->unset_count, name, n);
    char **grown = realloc(ls->unset, (ls->unset_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    ls->unset = grown;
    if (!(ls->unset[ls->unset_count] = strdup(name)))
        return false;
    ls->unset_count++;
    return true;
}

void launch_settings_reset_env(struct launch_settings *ls)
{
    for (size_t i = 0; i < ls->env_count; i++)
        free(ls->env[i]);
    for (size_t i = 0; i < ls->unset_count; i++)
        free(ls->unset[i]);
    free(ls->env);
    free(ls->unset);
    ls->env = ls->unset = NULL;
    ls->env_count = ls->unset_count = 0;
}

bool launch_settings_set_env(struct launch_settings *ls, const char *name_value)
{
    const char *eq = strchr(name_value, '=');
    size_t name_len = eq ? (size_t)(eq - name_value) : strlen(name_value);
    remove_name(ls->unset, &ls->unset_count, name_value, name_len);
    for (size_t i = 0; i < ls->env_count; i++)
        if (strncmp(ls->env[i], name_value, name_len) == 0 && ls->env[i][name_len] == '=')
            return replace_string(&ls->env[i], name_value);
    char **grown = realloc(ls->env, (ls->env_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    ls->env = grown;
    ls->env[ls->env_count] = strdup(name_value);
    if (!ls->env[ls->env_count])
        return false;
    ls->env_count++;
    return true;
}

void launch_settings_free(struct launch_settings *ls)
{
    for (int i = 0; i < 3; i++)
        free(ls->stdio_path[i]);
    free(ls->working_dir);
    launch_settings_reset_env(ls);
    launch_settings_init(ls);
}

/* In the forked child, before exec. Returns 0 or the errno that stops the
 * launch (the parent reports it). */
int launch_settings_apply(const struct launch_settings *ls)
{
    for (int fd = 0; fd < 3; fd++) {
        if (!ls->stdio_path[fd])
            continue;
        /* O_NOCTTY: a terminal given here (lldb passes its pty) must not
         * become the program's controlling terminal by accident. */
        int flags = fd == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND;
        int f = open(ls->stdio_path[fd], flags | O_NOCTTY, 0644);
        if (f < 0)
            return errno;
        if (f != fd) {
            if (dup2(f, fd) < 0)
                return errno;
            close(f);
        }
    }
    if (ls->working_dir && chdir(ls->working_dir) != 0)
        return errno;
    for (size_t i = 0; i < ls->unset_count; i++)
        if (unsetenv(ls->unset[i]) != 0)
            return errno;
    for (size_t i = 0; i < ls->env_count; i++)
        if (putenv(ls->env[i]) != 0)
            return errno;
    return 0;
}

/* qXfer:osdata:read: what gdb's "info os" shows, and what dbg's .tlist and
 * -pn read. The "types" document (empty annex) lists the kinds this server
 * has; "processes" lists the target machine's processes (columns pid, user,
 * command, as gdbserver's, less its cores).
 * The document is made once for all the windows gdb reads it in
 * (xfer_reply_document), so a process that starts or ends meanwhile cannot
 * tear the XML. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "session.h"
#include "target/proc_info.h"

static void put_column(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<column name=\"%s\">", name);
    xml_put_escaped(f, value);
    fputs("</column>\n", f);
}

static void put_types(FILE *f)
{
    fputs("<item>\n", f);
    put_column(f, "Type", "processes");
    put_column(f, "Description", "Listing of all processes");
    put_column(f, "Title", "Processes");
    fputs("</item>\n", f);
}

static bool put_process(const struct proc_info *pi, void *ctx)
{
    FILE *f = ctx;
    char num[24], user[64];
    struct passwd pw, *found = NULL;
    char pwbuf[1024];
    if (getpwuid_r(pi->uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 && found)
        snprintf(user, sizeof user, "%s", found->pw_name);
    else
        snprintf(user, sizeof user, "%u", (unsigned)pi->uid);
    /* The command line with spaces between the arguments; a process
     * without one (a kernel thread) shows its bracketed name. */
    char command[sizeof pi->args + 1];
    if (pi->args_len) {
        memcpy(command, pi->args, pi->args_len);
        for (size_t i = 0; i < pi->args_len; i++)
            if (command[i] == '\0')
                command[i] = ' ';
        command[pi->args_len] = '\0';
    } else {
        snprintf(command, sizeof command, "%s", pi->path);
    }
    fputs("<item>\n", f);
    snprintf(num, sizeof num, "%d", (int)pi->pid);
    put_column(f, "pid", num);
    put_column(f, "user", user);
    put_column(f, "command", command);
    fputs("</item>\n", f);
    return true;
}

/* Writes the document for ANNEX (the type) into F; false after an error reply. */
static bool make_document(struct session *s, FILE *f, void *ctx)
{
    const char *annex = ctx;
    bool types = annex[0] == '\0';
    if (!types && strcmp(annex, "processes") != 0) {
        reply_error(s, "no os data of type '%s' (this server has: processes)", annex);
        return false;
    }
    fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"%s\">\n",
            types ? "types" : annex);
    if (types)
        put_types(f);
    else
        proc_info_each(put_process, f);
    fputs("</osdata>\n", f);
    return true;
}

/* qXfer:osdata:read:ANNEX:OFFSET,LENGTH */
HANDLER(handle_qXfer_osdata)
{
    (void)len;
    char annex[32], key[48];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    snprintf(key, sizeof key, "osdata:%s", annex);
    xfer_reply_document(s, key, off, want, make_document, annex);
}

/* qXfer:osdata:read: what gdb's "info os" shows, and what dbg's .tlist and
 * -pn read. The "types" document (empty annex) lists the kinds this server
 * has; "processes" lists the target machine's processes (columns pid, user,
 * command, as gdbserver's, less its cores).
 *
 * A document can span several requests: it is made at offset 0 and the
 * later windows come from that copy, so that a process starting or ending
 * between two requests cannot tear the XML. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "session.h"
#include "target/proc_info.h"

static void put_escaped(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* Control bytes are not allowed in XML 1.0. */
            fputc((unsigned char)*p < 0x20 ? ' ' : *p, f);
        }
    }
}

static void put_column(FILE *f, const char *name, const char *value)
{
    fprintf(f, "<column name=\"%s\">", name);
    put_escaped(f, value);
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

/* Makes the document for ANNEX into S's osdata copy; false with a reply. */
static bool make_document(struct session *s, const char *annex)
{
    bool types = annex[0] == '\0';
    if (!types && strcmp(annex, "processes") != 0) {
        reply_error(s, "no os data of type '%s' (this server has: processes)", annex);
        return false;
    }
    free(s->osdata.data);
    s->osdata = (struct buffer){0};
    FILE *f = open_memstream(&s->osdata.data, &s->osdata.len);
    if (!f) {
        reply_error(s, "out of memory");
        return false;
    }
    fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"%s\">\n",
            types ? "types" : annex);
    if (types)
        put_types(f);
    else
        proc_info_each(put_process, f);
    fputs("</osdata>\n", f);
    if (fclose(f) != 0) {
        reply_error(s, "out of memory");
        return false;
    }
    snprintf(s->osdata_annex, sizeof s->osdata_annex, "%s", annex);
    return true;
}

/* qXfer:osdata:read:ANNEX:OFFSET,LENGTH */
HANDLER(handle_qXfer_osdata)
{
    (void)len;
    char annex[32];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    if (off == 0 || !s->osdata.data || strcmp(annex, s->osdata_annex) != 0) {
        if (!make_document(s, annex))
            return;
    }
    xfer_reply_window(s, s->osdata.data, s->osdata.len, off, want);
}

/* qXfer:osdata:read: what gdb's "info os" shows, and what dbg's .tlist and
 * -pn read. The "types" document (empty annex) lists the kinds this server
 * has; "processes" lists the target machine's processes as gdbserver does
 * (columns pid, user, command, cores).
 *
 * A document can span several requests: it is made at offset 0 and the
 * later windows come from that copy, so that a process starting or ending
 * between two requests cannot tear the XML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "session.h"
#include "target/proc_list.h"

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

static bool put_processes(FILE *f)
{
    struct proc_info *list;
    size_t n;
    if (!proc_list_read(&list, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        char num[24];
        fputs("<item>\n", f);
        snprintf(num, sizeof num, "%d", (int)list[i].pid);
        put_column(f, "pid", num);
        put_column(f, "user", list[i].user);
        put_column(f, "command", list[i].command);
        if (list[i].core >= 0)
            snprintf(num, sizeof num, "%d", list[i].core);
        else
            num[0] = '\0';
        put_column(f, "cores", num);
        fputs("</item>\n", f);
    }
    proc_list_free(list, n);
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
    bool ok = types ? (put_types(f), true) : put_processes(f);
    fputs("</osdata>\n", f);
    if (fclose(f) != 0 || !ok) {
        reply_error(s, "cannot read the process list from /proc");
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

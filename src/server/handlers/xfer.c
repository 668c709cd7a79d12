/* The qXfer machinery every object shares: parsing "ANNEX:OFFSET,LENGTH",
 * replying with a window of an object, and generated XML documents that
 * are made once and then read in windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "rsp/packet.h"
#include "session.h"

/* Splits "ANNEX:OFFSET,LENGTH" (the part after "qXfer:OBJECT:read:"). */
bool xfer_parse_request(struct session *s, const char *args, char *annex, size_t annex_len,
                        uint64_t *off, uint64_t *want)
{
    const char *colon = strchr(args, ':');
    if (!colon || (size_t)(colon - args) >= annex_len) {
        reply_error(s, "malformed qXfer request");
        return false;
    }
    memcpy(annex, args, (size_t)(colon - args));
    annex[colon - args] = '\0';
    const char *p = colon + 1;
    if (!hex_parse_u64(&p, off) || *p != ',') {
        reply_error(s, "malformed qXfer offset or length");
        return false;
    }
    p++;
    if (!hex_parse_u64(&p, want) || *p) {
        reply_error(s, "malformed qXfer offset or length");
        return false;
    }
    return true;
}

/* Replies with the window OFF/WANT of an object of TOTAL bytes: "m" and data
 * if more follows, "l" and data for the last part. Binary-safe. */
void xfer_reply_window(struct session *s, const void *data, size_t total, uint64_t off, uint64_t want)
{
    if (off > total) {
        reply_error(s, "offset past the end of the object");
        return;
    }
    size_t n = total - (size_t)off;
    if (n > want)
        n = (size_t)want;
    /* Binary bytes may need escaping: keep the worst case within a packet. */
    if (n > RSP_PACKET_SIZE / 2 - 1)
        n = RSP_PACKET_SIZE / 2 - 1;
    reply_str(s, off + n < total ? "m" : "l");
    reply_append(s, (const char *)data + off, n);
}

void xfer_reply_document(struct session *s, const char *key, uint64_t off, uint64_t want,
                         bool (*make)(struct session *s, FILE *f, void *ctx), void *ctx)
{
    /* Made at offset 0 (gdb starts every read there) or for another
     * object; the later windows of one read come from this copy. */
    if (off == 0 || !s->xfer_doc.data || strcmp(key, s->xfer_key) != 0) {
        free(s->xfer_doc.data);
        s->xfer_doc = (struct buffer){0};
        s->xfer_key[0] = '\0';
        FILE *f = open_memstream(&s->xfer_doc.data, &s->xfer_doc.len);
        if (!f) {
            reply_error(s, "out of memory");
            return;
        }
        bool ok = make(s, f, ctx);
        if (fclose(f) != 0 && ok) {
            reply_error(s, "out of memory");
            ok = false;
        }
        if (!ok) {
            free(s->xfer_doc.data);
            s->xfer_doc = (struct buffer){0};
            return;
        }
        snprintf(s->xfer_key, sizeof s->xfer_key, "%s", key);
    }
    xfer_reply_window(s, s->xfer_doc.data, s->xfer_doc.len, off, want);
}

void xml_put_escaped(FILE *f, const char *text)
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


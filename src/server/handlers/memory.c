/* m, M, X: memory of the process of the thread selected with Hg.
 * Error replies here must be "Enn": gdb decodes anything else as data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "log.h"
#include "rsp/hex.h"
#include "rsp/packet.h"
#include "session.h"

/* Parses "ADDR,LENGTH" and the character that follows it. */
static bool parse_range(const char **p, uint64_t *addr, uint64_t *length)
{
    if (!hex_parse_u64(p, addr) || **p != ',')
        return false;
    (*p)++;
    return hex_parse_u64(p, length);
}

static struct process *memory_process(struct session *s)
{
    struct process *p = session_general_process(s);
    if (!p || p->mem_fd < 0)
        reply_errno(s, ESRCH);
    return p && p->mem_fd >= 0 ? p : NULL;
}

/* Reads up to LENGTH bytes at ADDR and replies: in hex ('m'), or in binary
 * after PREFIX ('x'; NULL: hex). A partial read returns what could be
 * read; none at all is an error. */
static void read_and_reply(struct session *s, uint64_t addr, uint64_t length, const char *binary_prefix)
{
    struct process *proc = memory_process(s);
    if (!proc)
        return;
    /* Hex takes two characters a byte; binary bytes may need escaping:
     * either way the worst case fits one packet. */
    uint64_t max = binary_prefix ? RSP_PACKET_SIZE / 2 - 2 : RSP_PACKET_SIZE / 2;
    if (length > max)
        length = max;
    uint8_t *buf = malloc(length ? length : 1);
    if (!buf) {
        reply_errno(s, ENOMEM);
        return;
    }
    size_t got = process_read_memory(proc, addr, buf, (size_t)length);
    if (got == 0 && length > 0) {
        reply_errno(s, EIO);
    } else if (binary_prefix) {
        reply_str(s, binary_prefix);
        reply_append(s, buf, got);
    } else {
        reply_hex(s, buf, got);
    }
    free(buf);
}

HANDLER(handle_read_memory)
{
    (void)len;
    const char *p = args;
    uint64_t addr, length;
    if (!parse_range(&p, &addr, &length) || *p)
        reply_errno(s, EINVAL);
    else
        read_and_reply(s, addr, length, NULL);
}

/* x ADDR,LENGTH: memory in binary, half the size of 'm' on the wire. Two
 * dialects: gdb's (16 and later, after binary-upload+) puts a 'b' before
 * the data; lldb's sends the data alone, and first probes "x0,0" for an
 * "OK". */
HANDLER(handle_read_memory_binary)
{
    (void)len;
    const char *p = args;
    uint64_t addr, length;
    if (!parse_range(&p, &addr, &length) || *p) {
        reply_errno(s, EINVAL);
        return;
    }
    bool lldb = s->client_lldb && !s->client_binary_upload;
    if (lldb && addr == 0 && length == 0)
        reply_str(s, "OK");
    else
        read_and_reply(s, addr, length, lldb ? "" : "b");
}

static void write_and_reply(struct session *s, struct process *proc, uint64_t addr,
                            const uint8_t *data, size_t n)
{
    if (process_write_memory(proc, addr, data, n) == n) {
        reply_str(s, "OK");
    } else {
        log_debug("memory write of %zu bytes at %#llx failed", n, (unsigned long long)addr);
        reply_errno(s, EIO);
    }
}

/* M ADDR,LENGTH:HEX */
HANDLER(handle_write_memory)
{
    const char *p = args;
    uint64_t addr, length;
    if (!parse_range(&p, &addr, &length) || *p != ':' ||
        (size_t)(args + len - p - 1) != 2 * length) {
        reply_errno(s, EINVAL);
        return;
    }
    p++;
    struct process *proc = memory_process(s);
    if (!proc)
        return;
    uint8_t *buf = malloc(length ? length : 1);
    if (!buf || !hex_decode(buf, p, (size_t)length))
        reply_errno(s, EINVAL);
    else
        write_and_reply(s, proc, addr, buf, (size_t)length);
    free(buf);
}

/* X ADDR,LENGTH:BINARY (already unescaped by the packet decoder). A zero
 * length is gdb's probe for whether X works at all. */
HANDLER(handle_write_memory_binary)
{
    const char *p = args;
    uint64_t addr, length;
    if (!parse_range(&p, &addr, &length) || *p != ':' ||
        (size_t)(args + len - p - 1) != length) {
        reply_errno(s, EINVAL);
        return;
    }
    p++;
    struct process *proc = memory_process(s);
    if (!proc)
        return;
    if (length == 0)
        reply_str(s, "OK");
    else
        write_and_reply(s, proc, addr, (const uint8_t *)p, (size_t)length);
}

/* The table of packets this server understands: name, how the name is
 * matched, the handler, and the qSupported feature it stands for. Adding a
 * packet is adding a row; qSupported is generated from the same rows, so it
 * advertises exactly what is implemented. */
#ifndef DBGSRV_PACKET_TABLE_H
#define DBGSRV_PACKET_TABLE_H

#include <stddef.h>

struct session;

/* Runs the handler of the packet PKT (LEN bytes, NUL-terminated). Unknown
 * packets get the empty reply. */
void packet_dispatch(struct session *s, const char *pkt, size_t len);

/* Appends the server's qSupported features to the reply. */
void packet_append_features(struct session *s);

#endif

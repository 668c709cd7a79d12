/* dbg -QR: lists the process servers of this machine (from its registry),
 * of another host (a unicast search) or of every host on the local network
 * that answers a multicast search (--lan). See search_protocol.h. */
#ifndef DBG_SEARCH_H
#define DBG_SEARCH_H

/* ARGV holds what follows -QR. Returns the exit status. */
int search_main(int argc, char **argv);

#endif

/* This server's entry in the machine's registry (registry.h): what a search
 * (dbg -QR) shows of it. Hidden servers and reverse connections have none. */
#ifndef DBGSRV_REGISTRATION_H
#define DBGSRV_REGISTRATION_H

#include <stdbool.h>
#include <stddef.h>

#include "registry.h"

struct transport_server;
struct transport_spec;

/* Fills E from a listening server: its public transport string (kind,
 * protocol, port or range with the bound port first, pipe name; nothing
 * secret) and the address it listens on ("local" for pipes). */
void registration_entry(const struct transport_server *ts, struct registry_entry *e);

/* Registers E unless SPEC is hidden; a failure is logged, not fatal. */
void registration_add(struct registry_handle *h, const struct transport_spec *spec,
                      const struct registry_entry *e);

#endif

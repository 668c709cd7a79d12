/* The listener: accepts connections and gives each its own session process
 * (the OpenSSH model). It holds no ptrace state, so a session that crashes or
 * hangs cannot affect the listener or any other session. */
#ifndef DBGSRV_LISTENER_H
#define DBGSRV_LISTENER_H

#include <signal.h>

/* The signals the server's processes handle through a signalfd: SIGCHLD
 * (a child changed state), SIGTERM and SIGINT (stop), SIGHUP. */
void server_signal_set(sigset_t *set);

/* Blocks the signals the listener handles (SIGCHLD, SIGTERM, SIGINT, SIGHUP)
 * so that they wait for listener_run; call before announcing the server. */
void listener_block_signals(void);

struct transport_server;
struct session_config;
struct registry_handle;
struct search_responder;

/* Serves TRANSPORT until SIGTERM or SIGINT, then closes it, ends every
 * session (each by the session-end rules) and returns the exit status (0).
 * Each session starts from BASE (password, implicit command line...).
 * REGISTRY is the server's registry entry, removed as it stops; SEARCH the
 * sockets that answer searches, served alongside. */
int listener_run(struct transport_server *transport, const struct session_config *base,
                 struct registry_handle *registry, struct search_responder *search);

#endif

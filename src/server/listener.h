/* The listener: accepts connections and gives each its own session process
 * (the OpenSSH model). It holds no ptrace state, so a session that crashes or
 * hangs cannot affect the listener or any other session. */
#ifndef DBGSRV_LISTENER_H
#define DBGSRV_LISTENER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

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
struct session_table;

struct listener_options {
    struct registry_handle *registry;   /* the server's entry, removed as it stops */
    struct search_responder *search;    /* answers searches alongside (may be closed) */
    struct session_table *table;        /* NULL: the listener makes one */
    bool once;                          /* accept one connection, end with it */
    bool gdbserver_messages;            /* "Remote debugging from host H, port P" */
    /* A session made before any client came (gdbserver's COMM PROG): the
     * first connection goes to it over FIRST_SOCK. */
    pid_t first_pid;                    /* 0: none */
    int first_sock;
    int first_slot;
    bool end_with_first;                /* the server ends when that session does */
    bool hup_stops;                     /* SIGHUP stops the server as SIGTERM does (gdbserver's
                                           command line: it dies with its terminal) */
};

/* Serves TRANSPORT until SIGTERM or SIGINT, then closes it, ends every
 * session (each by the session-end rules) and returns the exit status (0).
 * Each session starts from BASE (password, implicit command line...).
 * OPTS: see above. */
int listener_run(struct transport_server *transport, const struct session_config *base,
                 const struct listener_options *opts);

/* Hands connection FD (and PEER, who it is) to a session process over SOCK. */
bool listener_hand_over(int sock, int fd, const char *peer);
/* The other end: waits for it; returns the fd (-1 if none came) and PEER. */
int listener_take_over(int sock, char *peer, size_t peerlen);

#endif

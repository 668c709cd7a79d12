/* The target machine's processes as the server lists them: the
 * "processes" document of qXfer:osdata (columns pid, user, command), parsed
 * by the smart client for .tlist and -pn. A pure parser of server bytes. */
#ifndef DBG_PROCESS_LIST_H
#define DBG_PROCESS_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct remote_process {
    pid_t pid;
    char *user;
    char *command;    /* the command line ("[comm]" for kernel threads) */
    char *name;       /* the program's file name: the base name of the
                         command's first word, or the bracketed comm */
};

struct process_list {
    struct remote_process *items;
    size_t n;
};

/* Parses the osdata XML document (LEN bytes). Items without a valid pid
 * are skipped; false only for a document that is not osdata at all or on
 * allocation failure. */
bool process_list_parse(const char *xml, size_t len, struct process_list *out);
void process_list_free(struct process_list *list);

/* The program name of a command line (see struct remote_process). Returns
 * a new string, or NULL on allocation failure. */
char *process_name_of(const char *command);

#endif

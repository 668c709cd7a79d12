/* The tables of qXfer:osdata, each written as <item>s into F. osdata.c
 * has processes, threads and files; osdata_system.c the rest. */
#ifndef DBGSRV_OSDATA_H
#define DBGSRV_OSDATA_H

#include <stdio.h>

#include "handlers/handlers.h"

void osdata_put_procgroups(FILE *f);
void osdata_put_sockets(FILE *f);
void osdata_put_shm(FILE *f);
void osdata_put_semaphores(FILE *f);
void osdata_put_msg(FILE *f);

#endif

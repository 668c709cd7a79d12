/* Like spin, but with NTHREADS extra threads (argument 1, default 3) that
 * each touch their own counter forever. Prints "ready PID" once every thread
 * is running. Used to check that attaching, detaching and ending a session
 * handle every thread of a process, not just the main one. With "busy" as
 * argument 2 the threads call tick() without a pause between calls. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64

volatile unsigned long counters[MAX_THREADS + 1];
static pthread_barrier_t started;
static int pause_us = 1000;

void tick(int id)
{
    counters[id]++;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    pthread_barrier_wait(&started);
    for (;;) {
        tick(id);
        if (pause_us)
            usleep((useconds_t)pause_us);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    if (n < 1 || n > MAX_THREADS)
        n = 3;
    if (argc > 2 && strcmp(argv[2], "busy") == 0)
        pause_us = 0;
    pthread_barrier_init(&started, NULL, (unsigned)n + 1);
    for (int i = 1; i <= n; i++) {
        pthread_t tid;
        pthread_create(&tid, NULL, worker, (void *)(long)i);
    }
    pthread_barrier_wait(&started);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (;;) {
        tick(0);
        usleep(1000);
    }
}

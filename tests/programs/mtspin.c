/* NTHREADS threads (argument 1, default 3) that run until killed, each
 * touching its own counter in counters[]; the main thread waits in
 * pthread_join. With the argument "busy" (argument 2) the threads never
 * sleep. Prints "ready PID" once every thread runs. Used to interrupt a
 * program with several running threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64

volatile unsigned long counters[MAX_THREADS];
static int busy;
static pthread_barrier_t started;

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    pthread_barrier_wait(&started);
    for (;;) {
        counters[id]++;
        if (!busy)
            usleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    busy = argc > 2 && strcmp(argv[2], "busy") == 0;
    if (n < 1 || n > MAX_THREADS)
        n = 3;
    pthread_t tids[MAX_THREADS];
    pthread_barrier_init(&started, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++)
        pthread_create(&tids[i], NULL, worker, (void *)(long)i);
    pthread_barrier_wait(&started);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (int i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    return 0;
}

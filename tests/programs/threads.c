/* NTHREADS threads (argument 1, default 4) each call hit() ROUNDS times
 * (argument 2, default 3), released together by a barrier so that several
 * threads reach a breakpoint in hit() at about the same time. Prints the
 * total number of calls at the end. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t barrier;
static int rounds = 3;
volatile int calls;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void hit(int id)
{
    pthread_mutex_lock(&lock);
    calls++;
    pthread_mutex_unlock(&lock);
    (void)id;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < rounds; i++)
        hit(id);
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (n < 1 || n > 256)
        n = 4;
    pthread_t tids[256];
    pthread_barrier_init(&barrier, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        pthread_create(&tids[i], NULL, worker, (void *)(long)i);
    for (int i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    printf("calls=%d\n", calls);
    fflush(stdout);
    return 0;
}

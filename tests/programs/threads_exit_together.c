/* NTHREADS threads (argument 1, default 256) start, meet at a barrier, and
 * then every one, the main thread too, calls mark() and _exit(0) at once:
 * a process whose many threads all end in one go. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_THREADS 1024

static pthread_barrier_t started;

void mark(void)
{
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&started);
    mark();
    _exit(0);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 256;
    if (n < 1 || n > MAX_THREADS)
        n = 256;
    pthread_barrier_init(&started, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) != 0)
            return 1;
    }
    pthread_barrier_wait(&started);
    mark();
    _exit(0);
}

/* A thread calls mark() and exits shortly after while main waits: resumed
 * alone (scheduler-locking), its exit leaves no resumed thread. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

void mark(void)
{
}

static void *worker(void *arg)
{
    (void)arg;
    mark();
    usleep(100000);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("thread_exit done\n");
    fflush(stdout);
    return 0;
}

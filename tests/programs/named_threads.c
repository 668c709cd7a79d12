/* Two threads that name themselves ("worker-1", "worker-2") and wait; once
 * both are named, main calls all_named(), a breakpoint target, then lets
 * them finish. For thread names in thread lists. */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t named, done;

void all_named(void)
{
}

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "worker-%d", (int)(long)arg);
    pthread_setname_np(pthread_self(), name);
    pthread_barrier_wait(&named);
    pthread_barrier_wait(&done);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    pthread_barrier_init(&named, NULL, 3);
    pthread_barrier_init(&done, NULL, 3);
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    pthread_barrier_wait(&named);
    all_named();
    pthread_barrier_wait(&done);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}

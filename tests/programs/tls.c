/* __thread variables: one in the program and one in libplugin.so (linked
 * at start-up here), set differently by two threads that then wait at
 * tls_ready() with their values in place. For qGetTLSAddr. */
#include <pthread.h>
#include <stdio.h>

__thread int tls_counter = 7;
extern __thread int plugin_tls;

static pthread_barrier_t ready, done;

void tls_ready(void)
{
}

static void *worker(void *arg)
{
    tls_counter = (int)(long)arg;
    plugin_tls = 100 + (int)(long)arg;
    pthread_barrier_wait(&ready);
    pthread_barrier_wait(&done);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_barrier_init(&ready, NULL, 2);
    pthread_barrier_init(&done, NULL, 2);
    pthread_create(&t, NULL, worker, (void *)42L);
    pthread_barrier_wait(&ready);
    tls_ready();
    pthread_barrier_wait(&done);
    pthread_join(t, NULL);
    printf("main tls_counter=%d plugin_tls=%d\n", tls_counter, plugin_tls);
    return 0;
}

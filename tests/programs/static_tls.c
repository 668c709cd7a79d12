/* Built static (tests/programs/CMakeLists.txt): a thread-local variable
 * in a program with no shared libraries, whose TLS block is module 1's
 * and has no link_map (qGetTLSAddr with lm 0). The main thread keeps
 * tls_value 1, the worker sets its own to 2, then both meet in
 * tls_both_set(). */
#include <pthread.h>
#include <stdio.h>

__thread int tls_value = 1;
static pthread_barrier_t barrier;

void tls_both_set(void)
{
}

static void *worker(void *arg)
{
    (void)arg;
    tls_value = 2;
    pthread_barrier_wait(&barrier);
    tls_both_set();   /* worker here */
    pthread_barrier_wait(&barrier);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_barrier_init(&barrier, NULL, 2);
    pthread_create(&t, NULL, worker, NULL);
    pthread_barrier_wait(&barrier);
    pthread_barrier_wait(&barrier);
    pthread_join(t, NULL);
    printf("main %d\n", tls_value);
    return 0;
}

/* A second thread calls mark(), then exit(3), which ends every thread,
 * while the main thread waits in pthread_join. Resumed alone
 * (scheduler-locking), the second thread still ends the whole process. */
#include <pthread.h>
#include <stdlib.h>

void mark(void)
{
}

static void *second(void *arg)
{
    (void)arg;
    mark();
    exit(3);
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, second, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    return 1;   /* not reached */
}

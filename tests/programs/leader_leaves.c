/* The main thread calls leaving(), then leaves with pthread_exit() while a
 * second thread waits for it in pthread_join(). That thread then calls
 * after_leader() and returns: the process exits with status 0. Resumed
 * alone (scheduler-locking), the main thread leaves no resumed thread
 * behind, and no event says so: it is a zombie until the process ends. */
#include <pthread.h>
#include <stdio.h>

static pthread_t main_thread;

void leaving(void)
{
}

void after_leader(void)
{
    printf("leader_leaves: main thread gone\n");
    fflush(stdout);
}

static void *second(void *arg)
{
    (void)arg;
    pthread_join(main_thread, NULL);
    after_leader();
    return NULL;
}

int main(void)
{
    pthread_t t;
    main_thread = pthread_self();
    if (pthread_create(&t, NULL, second, NULL) != 0)
        return 1;
    leaving();
    pthread_exit(NULL);
}

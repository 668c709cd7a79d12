/* Threads that live a moment: CHAINS (argv[1], default 20) chains of
 * detached threads, each of which starts its successor, calls churn_mark()
 * and ends, so that threads begin and end all the time, also while a
 * debugger attaches. Prints "ready PID", then runs until killed (or for
 * two minutes at most, should its test forget it). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_attr_t detached;
volatile unsigned long generations;

void churn_mark(void)
{
}

static void *link_fn(void *arg)
{
    pthread_t next;
    while (pthread_create(&next, &detached, link_fn, arg) != 0)
        usleep(1000);
    __atomic_add_fetch(&generations, 1, __ATOMIC_RELAXED);
    churn_mark();
    return NULL;
}

int main(int argc, char **argv)
{
    int chains = argc > 1 ? atoi(argv[1]) : 20;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < chains; i++) {
        pthread_t t;
        pthread_create(&t, &detached, link_fn, NULL);
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (int i = 0; i < 120; i++)
        sleep(1);
    return 0;
}

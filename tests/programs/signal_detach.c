/* Raises SIGUSR1 once (counted by a handler), then a thread calls bp() and
 * the process keeps running, printing the count to stderr every 50 ms, so
 * that a test can see whether a detach delivered the signal again. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t count;

static void on_usr1(int sig)
{
    (void)sig;
    count++;
}

void bp(void)
{
}

static void *worker(void *arg)
{
    (void)arg;
    bp();
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (int i = 0; i < 200; i++) {
        fprintf(stderr, "count=%d\n", (int)count);
        usleep(50000);
    }
    return 0;
}

/* Threads that fork all the time while the main thread loops over a
 * breakpoint line: fork events of other threads arrive while the client
 * steps (the child of a fork not reported yet must stay out of sight,
 * and one the client has not taken up yet must not run). Argument 1:
 * "vfork" to vfork instead of fork. Ends itself after 60 seconds. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKERS 4

static int use_vfork;

static void pause_a_little(void)
{
    usleep(1000);
}

static void *forker(void *arg)
{
    (void)arg;
    for (;;) {
        pid_t pid = use_vfork ? vfork() : fork();
        if (pid == 0)
            _exit(0);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        pause_a_little();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    use_vfork = argc > 1 && strcmp(argv[1], "vfork") == 0;
    alarm(60);
    pthread_t t[FORKERS];
    for (int i = 0; i < FORKERS; i++)
        pthread_create(&t[i], NULL, forker, NULL);
    for (int i = 0;; i++) {
        pause_a_little();   /* step mark */
        pause_a_little();   /* next mark */
    }
    return 0;
}

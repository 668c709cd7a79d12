/* Makes a few known system calls, from the main thread and from a second
 * thread: write(1, ...) twice, then getppid() in the thread. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
    (void)arg;
    const char msg[] = "syscalls thread\n";
    if (write(1, msg, strlen(msg)) < 0)
        return NULL;
    return (void *)(long)getppid();
}

int main(void)
{
    const char msg[] = "syscalls main\n";
    if (write(1, msg, strlen(msg)) < 0)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, thread_main, NULL) != 0)
        return 2;
    pthread_join(t, NULL);
    printf("syscalls done\n");
    fflush(stdout);
    return 0;
}

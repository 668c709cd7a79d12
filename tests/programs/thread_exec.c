/* A multi-threaded program execs itself, again with "new" as argument 1;
 * the new image calls new_image() and exits with status 0. Argument 1
 * says who execs, and how:
 *
 *   thread       a second thread calls execl() while main waits in
 *                pthread_join
 *   leader-gone  the main thread leaves first (pthread_exit); the second
 *                thread joins it, so the leader is a zombie, then execs
 *   raw-thread   the second thread execs with a bare syscall instruction
 *                at the global label exec_insn, main waiting in
 *                pthread_join
 *   raw-leader   the main thread execs that way, the second thread
 *                waiting (it never returns from its pthread_join)
 *
 * In the raw modes a third thread sleeps meanwhile: an exec must wait
 * until it is gone (reaped, when traced).
 *
 * The thread that execs calls before_exec() first. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *self;
static const char *mode;
static pthread_t main_thread;
static char *new_argv[3];

extern char **environ;

void before_exec(void)
{
}

void new_image(void)
{
    printf("thread_exec: new image\n");
    fflush(stdout);
}

/* execve(2) with the syscall instruction at a known address (exec_insn),
 * for a breakpoint right on it. */
static long raw_execve(const char *path, char *const argv[], char *const envp[])
{
    long ret;
    __asm__ volatile(".globl exec_insn\n"
                     "exec_insn:\n\t"
                     "syscall"
                     : "=a"(ret)
                     : "a"((long)SYS_execve), "D"(path), "S"(argv), "d"(envp)
                     : "rcx", "r11", "memory");
    return ret;
}

static void do_exec(void)
{
    new_argv[0] = self;
    new_argv[1] = "new";
    new_argv[2] = NULL;
    before_exec();
    if (strncmp(mode, "raw-", 4) == 0)
        raw_execve(self, new_argv, environ);
    else
        execv(self, new_argv);
    perror("exec");
    abort();
}

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *second(void *arg)
{
    (void)arg;
    if (strcmp(mode, "leader-gone") == 0)
        pthread_join(main_thread, NULL);
    if (strcmp(mode, "raw-leader") == 0)
        pthread_join(main_thread, NULL);   /* main execs: never returns */
    else
        do_exec();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "new") == 0) {
        new_image();
        return 0;
    }
    self = argv[0];
    mode = argc > 1 ? argv[1] : "thread";
    main_thread = pthread_self();
    pthread_t t, third;
    if (strncmp(mode, "raw-", 4) == 0 && pthread_create(&third, NULL, idle, NULL) != 0)
        return 1;
    if (pthread_create(&t, NULL, second, NULL) != 0)
        return 1;
    if (strcmp(mode, "leader-gone") == 0)
        pthread_exit(NULL);
    if (strcmp(mode, "raw-leader") == 0) {
        usleep(100000);   /* the second thread waits in pthread_join */
        do_exec();
    }
    pthread_join(t, NULL);
    return 1;   /* not reached: the second thread execs */
}

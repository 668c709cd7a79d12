/* The main thread leaves (pthread_exit) while its workers go on, so the
 * thread group leader is a zombie for the rest of the run. NTHREADS workers
 * (argument 1, default 3) wait until the main thread is gone, then each calls
 * hit() ROUNDS times (argument 2, default 2). Worker 0 prints "ready PID"
 * when the main thread is gone. With "spin" as argument 3 the workers then
 * run until killed (touching spins); otherwise they return, the last one
 * printing "last worker done calls=N", and the process exits with status 0
 * when the last one ends. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rounds = 2;
static int spin;
volatile int calls;
volatile unsigned long spins;
static int nthreads = 3;
static int finished;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void hit(int id)
{
    pthread_mutex_lock(&lock);
    calls++;
    pthread_mutex_unlock(&lock);
    (void)id;
}

/* True while the main thread (the task whose id is the process id) has not
 * exited: its state in /proc is not Z (zombie) or X. */
static int leader_alive(void)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    while (leader_alive())
        usleep(1000);
    if (id == 0) {
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
    }
    for (int i = 0; i < rounds; i++)
        hit(id);
    while (spin) {
        __atomic_add_fetch(&spins, 1, __ATOMIC_RELAXED);
        usleep(1000);
    }
    pthread_mutex_lock(&lock);
    if (++finished == nthreads) {
        printf("last worker done calls=%d\n", calls);
        fflush(stdout);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    if (n < 1 || n > 64)
        n = 3;
    nthreads = n;
    if (argc > 2)
        rounds = atoi(argv[2]);
    spin = argc > 3 && strcmp(argv[3], "spin") == 0;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, (void *)(long)i);
    }
    pthread_exit(NULL);
}

/* Data for hardware watchpoints and breakpoints: globals written and read
 * at known lines, by the main thread and by a thread started later (whose
 * debug registers start empty), and an array wider than one debug
 * register can watch. */
#include <pthread.h>
#include <stdio.h>

volatile int counter;
volatile int reader_sink;
volatile long wide[8];
volatile char bytes[3];

void touch(int v)
{
    counter = v;   /* the write */
}

static void *worker(void *arg)
{
    (void)arg;
    counter = 100;   /* written by the thread */
    return NULL;
}

int main(void)
{
    touch(1);
    touch(2);
    reader_sink = counter;   /* the read */
    bytes[1] = 'x';
    wide[7] = 7;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("counter=%d\n", counter);
    return 0;
}

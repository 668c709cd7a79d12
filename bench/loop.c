/* The program the benchmarks debug: a loop of many short lines (for
 * next/step), a large buffer (for bulk reads), a function called often
 * (for breakpoint hits) and threads that hit a breakpoint (for stops with
 * several threads). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE (16 << 20)
char *buffer;
volatile long total;

void tick(long i)
{
    total += i;   /* a breakpoint target */
}

static void *worker(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++)
        tick(i);
    return NULL;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    buffer = malloc(BUFFER_SIZE);
    memset(buffer, 0x5a, BUFFER_SIZE);
    for (long i = 0; i < rounds; i++) {
        long a = i * 3;
        long b = a + 1;
        tick(b);
    }
    pthread_t t[16];
    for (int i = 0; i < threads && i < 16; i++)
        pthread_create(&t[i], NULL, worker, (void *)rounds);
    for (int i = 0; i < threads && i < 16; i++)
        pthread_join(t[i], NULL);
    printf("total=%ld\n", total);
    return 0;
}

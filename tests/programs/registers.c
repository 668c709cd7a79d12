/* Loads known values into vector registers and stops, then reports what
 * the registers hold afterwards, so that tests can check both reading and
 * writing registers through the server. */
#include <stdio.h>
#include <string.h>

void stop_here(void)
{
}

int main(void)
{
    unsigned int in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    __asm__ volatile("vmovdqu %0, %%ymm7" : : "m"(in) : "xmm7");
    stop_here();
    __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(out) : : "memory");
    printf("ymm7=");
    for (int i = 0; i < 8; i++)
        printf("%u%s", out[i], i < 7 ? "," : "\n");
    fflush(stdout);
    return 0;
}

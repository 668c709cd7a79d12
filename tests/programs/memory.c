/* Memory layouts for memory tests: a page followed by an unmapped page
 * (partial reads at the edge), constant data in a read-only section, and a
 * writable buffer. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char rodata[16] = "read-only data!";
char buffer[64] = "initial buffer contents";
unsigned char *edge;   /* 8 bytes before the end of an accessible page */

void stop_here(void)
{
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    /* Three pages, the middle one unmapped: a hole nothing else can fill
     * with a mapping of its own size or more. (A PROT_NONE page would not
     * do: the kernel lets a tracer read it through /proc/PID/mem.) */
    unsigned char *map = mmap(NULL, (size_t)(3 * page), PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return 1;
    memset(map, 0xab, (size_t)page);
    munmap(map + page, (size_t)page);
    edge = map + page - 8;
    stop_here();
    printf("rodata=%s buffer=%s\n", rodata, buffer);
    fflush(stdout);
    return 0;
}

/* Loads plugin/libtwin_a.so, calls twin_a(), unloads it, then loads
 * plugin/libtwin_b.so, which the dynamic linker puts where the first one
 * was, and calls twin_b() at the address twin_a() had: a breakpoint that
 * gdb inserts there must be a breakpoint in the new library's code. */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int call(const char *dir, const char *lib, const char *fn)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/plugin/%s", dir, lib);
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return -1;
    }
    int (*f)(int) = (int (*)(int))dlsym(h, fn);
    int r = f ? f(1) : -1;
    printf("%s at %p: %d\n", fn, (void *)f, r);
    fflush(stdout);
    dlclose(h);
    return r;
}

int main(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    const char *dir = dirname(self);
    int a = call(dir, "libtwin_a.so", "twin_a");
    int b = call(dir, "libtwin_b.so", "twin_b");
    return a == 10 && b == 100 ? 0 : 1;
}

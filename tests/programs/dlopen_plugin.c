/* Loads libplugin.so (from beside the program, or the path given) with
 * dlopen, calls into it, and unloads it: for shared-library lists,
 * pending breakpoints and dlopen'ed code. */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

void loaded(void)
{
    /* A breakpoint target once the library is in. */
}

int main(int argc, char **argv)
{
    char path[PATH_MAX];
    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        char self[PATH_MAX];
        snprintf(self, sizeof self, "%s", argv[0]);
        snprintf(path, sizeof path, "%s/plugin/libplugin.so", dirname(self));
    }
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    int (*fn)(int) = (int (*)(int))dlsym(h, "plugin_fn");
    loaded();
    int r = fn ? fn(1) : -1;
    printf("plugin_fn(1)=%d\n", r);
    fflush(stdout);
    dlclose(h);
    return 0;
}

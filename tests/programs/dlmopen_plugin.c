/* Loads plugin/libplugin.so twice: with dlopen into the default namespace
 * and with dlmopen into a new one (its own copy of libc too), calls
 * plugin_fn() through each, then ns_loaded(). */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

void ns_loaded(void)
{
}

int main(void)
{
    char self[PATH_MAX], path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    snprintf(path, sizeof path, "%s/plugin/libplugin.so", dirname(self));
    void *a = dlopen(path, RTLD_NOW);
    void *b = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
    if (!a || !b) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    int (*fa)(int) = (int (*)(int))dlsym(a, "plugin_fn");
    int (*fb)(int) = (int (*)(int))dlsym(b, "plugin_fn");
    printf("default %d, new namespace %d\n", fa(1), fb(2));
    fflush(stdout);
    ns_loaded();
    return 0;
}

/* A shared library that tests/programs/dlopen_plugin.c loads at run time:
 * for library lists and pending breakpoints. */
int plugin_value = 42;

int plugin_fn(int x)
{
    return x + plugin_value;   /* a breakpoint in a library */
}

/* Thread-local storage in a library (tests/programs/tls.c). */
__thread int plugin_tls = 5;

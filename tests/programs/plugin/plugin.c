/* A shared library that tests/programs/dlopen_plugin.c loads at run time:
 * for library lists and pending breakpoints. */
int plugin_value = 42;

int plugin_fn(int x)
{
    return x + plugin_value;   /* a breakpoint in a library */
}

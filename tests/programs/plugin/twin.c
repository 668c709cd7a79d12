/* Built twice, as libtwin_a.so and libtwin_b.so, with TWIN_FN naming the
 * function: the two libraries have the same layout, so that one loaded
 * where the other was unloaded has its function at the same address
 * (tests/programs/reload_twins.c). */
int TWIN_FN(int x)
{
    return x * TWIN_FACTOR;   /* twin body */
}

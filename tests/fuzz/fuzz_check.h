/* What every fuzz target shares: a CHECK that aborts (so that libFuzzer
 * records the input) and the libFuzzer entry point's prototype. */
#ifndef DBGSRV_FUZZ_CHECK_H
#define DBGSRV_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

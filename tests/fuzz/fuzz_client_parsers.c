/* libFuzzer target for what dbg parses of a process server's replies: stop
 * replies (src/client/stop_event.c) and the osdata process list
 * (src/client/process_list.c). A server may be hostile or broken; whatever
 * it sends must be refused or give sane values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "process_list.h"
#include "stop_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Both parsers get exactly SIZE bytes: copy so that ASan sees a read past them. */
    char *buf = malloc(size ? size : 1);
    CHECK(buf);
    memcpy(buf, data, size);
    struct stop_event ev;
    if (stop_event_parse(buf, size, &ev)) {
        CHECK(ev.pid >= 0 && ev.tid >= 0);
        CHECK(ev.code >= 0 && ev.code <= 255);
    }
    struct process_list list;
    if (process_list_parse(buf, size, &list)) {
        for (size_t i = 0; i < list.n; i++)
            CHECK(list.items[i].pid > 0 && list.items[i].name && list.items[i].user && list.items[i].command);
        process_list_free(&list);
    }
    free(buf);
    return 0;
}

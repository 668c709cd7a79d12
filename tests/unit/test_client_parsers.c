/* Unit tests for what dbg parses of the server's replies and of what the
 * user types: stop replies (src/client/stop_event.c), the osdata process
 * list (src/client/process_list.c) and command lines
 * (src/client/command_line.c). Malformed input of each kind is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command_line.h"
#include "process_list.h"
#include "stop_event.h"

static bool parse(const char *text, struct stop_event *ev)
{
    return stop_event_parse(text, strlen(text), ev);
}

static void stop_replies(void **state)
{
    (void)state;
    struct stop_event ev;
    assert_true(parse("T05swbreak:;06:0000000000000000;thread:p4d2.4d3;core:1;", &ev));
    assert_int_equal(ev.kind, STOP_SIGNAL);
    assert_int_equal(ev.code, 5);
    assert_int_equal(ev.pid, 0x4d2);
    assert_int_equal(ev.tid, 0x4d3);
    assert_true(ev.breakpoint);
    assert_true(parse("T02thread:1f;", &ev));
    assert_int_equal(ev.pid, 0);
    assert_int_equal(ev.tid, 0x1f);
    assert_false(ev.breakpoint);
    assert_true(parse("S0b", &ev));
    assert_int_equal(ev.code, 11);
    assert_true(parse("W03;process:64", &ev));
    assert_int_equal(ev.kind, STOP_EXITED);
    assert_int_equal(ev.code, 3);
    assert_int_equal(ev.pid, 100);
    assert_true(parse("X09", &ev));
    assert_int_equal(ev.kind, STOP_KILLED);
    assert_int_equal(ev.pid, 0);
    assert_true(parse("N", &ev));
    assert_int_equal(ev.kind, STOP_NO_RESUMED);
}

static void bad_stop_replies(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "T", "T5", "Tzz", "T05thread", "T05thread:;", "T05thread:p0.1;", "T05thread:p1.0;",
        "T05thread:-1;", "T05thread:p1;", "T05thread:p1.2x;", "T05thread:p80000000.1;", "S", "S5", "S055",
        "W", "W0", "W00;", "W00;process:", "W00;process:0", "W00;process:1x", "W00;pid:1", "Nx", "OK",
        "E01", "T05noColonHere;",
    };
    struct stop_event ev;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i], &ev))
            fail_msg("accepted '%s'", bad[i]);
    }
    assert_string_equal(stop_signal_name(11), "SIGSEGV");
    assert_null(stop_signal_name(0));
    assert_null(stop_signal_name(-3));
    assert_null(stop_signal_name(1000));
}

static const char DOC[] =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"processes\">\n"
    "<item>\n<column name=\"pid\">1</column>\n<column name=\"user\">root</column>\n"
    "<column name=\"command\">/sbin/init splash</column>\n<column name=\"cores\">0</column>\n</item>\n"
    "<item>\n<column name=\"pid\">2</column>\n<column name=\"user\">root</column>\n"
    "<column name=\"command\">[kthreadd]</column>\n</item>\n"
    "<item>\n<column name=\"pid\">42</column>\n<column name=\"user\">a&amp;b</column>\n"
    "<column name=\"command\">/x/a&lt;b&gt; &quot;q&quot; &apos;s&apos; &bogus;</column>\n</item>\n"
    "<item>\n<column name=\"pid\">0</column>\n<column name=\"command\">bad</column>\n</item>\n"
    "<item>\n<column name=\"pid\">12x</column>\n</item>\n"
    "<item>\n<column name=\"user\">nopid</column>\n</item>\n"
    "<item>\n<column name=\"pid\">77</column>\n</item>\n"
    "<item>\n<column name=\"pid\">5</column>\n<column name=\"comm";   /* cut off */

static void process_lists(void **state)
{
    (void)state;
    struct process_list l;
    assert_true(process_list_parse(DOC, sizeof DOC - 1, &l));
    assert_int_equal(l.n, 4);
    assert_int_equal(l.items[0].pid, 1);
    assert_string_equal(l.items[0].name, "init");
    assert_string_equal(l.items[0].command, "/sbin/init splash");
    assert_string_equal(l.items[1].name, "[kthreadd]");
    assert_int_equal(l.items[2].pid, 42);
    assert_string_equal(l.items[2].user, "a&b");
    assert_string_equal(l.items[2].command, "/x/a<b> \"q\" 's' &bogus;");
    assert_string_equal(l.items[2].name, "a<b>");
    assert_int_equal(l.items[3].pid, 77);          /* no user, no command */
    assert_string_equal(l.items[3].user, "");
    assert_string_equal(l.items[3].name, "");
    process_list_free(&l);
    assert_false(process_list_parse("<html></html>", 13, &l));
    assert_true(process_list_parse("<osdata type=\"processes\"></osdata>", 34, &l));
    assert_int_equal(l.n, 0);
    process_list_free(&l);
}

static bool collect(char *command, void *ctx)
{
    char *out = ctx;
    strcat(out, "[");
    strcat(out, command);
    strcat(out, "]");
    return strcmp(command, "stop") != 0;
}

static void command_strings(void **state)
{
    (void)state;
    char text[] = "  .tlist -v ; ;.create a \"b;c\" ;q  ";
    char out[200] = "";
    assert_true(command_line_split_commands(text, collect, out));
    assert_string_equal(out, "[.tlist -v][.create a \"b;c\"][q]");
    char text2[] = "a; stop; never";
    out[0] = '\0';
    assert_false(command_line_split_commands(text2, collect, out));
    assert_string_equal(out, "[a][stop]");
}

static void words(void **state)
{
    (void)state;
    char *w[4];
    char a[] = "  /bin/prog  \"two words\" x\\y \"q\\\"uote\\\\\"  ";
    assert_int_equal(command_line_split_words(a, w, 4), 4);
    assert_string_equal(w[0], "/bin/prog");
    assert_string_equal(w[1], "two words");
    assert_string_equal(w[2], "x\\y");
    assert_string_equal(w[3], "q\"uote\\");
    char b[] = "a \"open";
    assert_int_equal(command_line_split_words(b, w, 4), -1);
    char c[] = "1 2 3 4 5";
    assert_int_equal(command_line_split_words(c, w, 4), -1);
    char d[] = "   ";
    assert_int_equal(command_line_split_words(d, w, 4), 0);
    char e[] = "x\"y z\"w";
    assert_int_equal(command_line_split_words(e, w, 4), 1);
    assert_string_equal(w[0], "xy zw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stop_replies),
        cmocka_unit_test(bad_stop_replies),
        cmocka_unit_test(process_lists),
        cmocka_unit_test(command_strings),
        cmocka_unit_test(words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

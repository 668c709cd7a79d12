"""Shared libraries (qXfer:libraries-svr4:read): gdb's info sharedlibrary,
a pending breakpoint in a library the program dlopens, and the list itself
on the wire: empty before the dynamic linker ran and for a static program,
every library with its load address afterwards, and the augmented annex
(start=) that lists from a given entry on."""
import re

from dbgsrv_test import TestCase, main, proc_maps, program


def libraries(reply):
    """[(name, lm, l_addr)] and main-lm of a libraries-svr4 document."""
    assert reply.startswith("l"), reply
    libs = [(m.group(1), int(m.group(2), 16), int(m.group(3), 16)) for m in
            re.finditer(r'<library name="([^"]*)" lm="0x([0-9a-f]+)" l_addr="0x([0-9a-f]+)" l_ld="0x[0-9a-f]+" '
                        r'lmid="0x[0-9a-f]+"/>', reply)]
    main_lm = re.search(r'main-lm="0x([0-9a-f]+)"', reply)
    return libs, int(main_lm.group(1), 16) if main_lm else None


class LibrariesTest(TestCase):
    def test_pending_breakpoint_in_a_dlopened_library(self):
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        out = self.gdb(srv, ["set breakpoint pending on", "break plugin_fn", "run", "bt", "print plugin_value",
                             "info sharedlibrary", "continue"], program("dlopen_plugin"))
        self.assertIn("Breakpoint 1 (plugin_fn) pending.", out)
        self.assertRegex(out, r"Breakpoint 1, plugin_fn \(x=1\) at \S*plugin\.c:\d+")
        self.assertRegex(out, r"#1  0x[0-9a-f]+ in main \(.*\) at \S*dlopen_plugin\.c:\d+")
        self.assertIn("$1 = 42", out)
        self.assertRegex(out, r"0x[0-9a-f]+\s+0x[0-9a-f]+\s+Yes\s+\S*/libc\.so\.6")
        self.assertRegex(out, r"0x[0-9a-f]+\s+0x[0-9a-f]+\s+Yes\s+\S*/plugin/libplugin\.so")
        self.assertIn("exited normally", out)
        self.assertNotIn("while parsing target library list", out)
        # gdb took the list from the server rather than walking it itself.
        self.assertIn("<- qXfer:libraries-svr4:read:", srv.log_text())

    def test_the_list_on_the_wire(self):
        srv = self.server()
        c = self.client(srv)
        c.run("dlopen_plugin")
        # At the first instruction the dynamic linker has not run: no list yet.
        self.assertEqual(libraries(c.request("qXfer:libraries-svr4:read::0,fff")), ([], None))
        c.run_to("loaded")
        libs, main_lm = libraries(c.request("qXfer:libraries-svr4:read::0,fff"))
        self.assertTrue(main_lm)
        names = [n for n, _, _ in libs]
        plugin = [l for l in libs if l[0].endswith("/plugin/libplugin.so")]
        self.assertEqual(len(plugin), 1, names)
        self.assertTrue(any(n.endswith("/libc.so.6") for n in names), names)
        # l_addr is where the library is mapped (its first mapping, offset 0).
        base = min(m[0] for m in proc_maps(c.pid) if m[-1].endswith("/plugin/libplugin.so"))
        self.assertEqual(plugin[0][2], base)
        # start=LM lists from that entry on (what gdb asks at the linker's probes).
        second = libs[1]
        rest, none = libraries(c.request("qXfer:libraries-svr4:read:start=0x%x;prev=0x%x:0,fff"
                                         % (second[1], libs[0][1])))
        self.assertEqual(rest, libs[1:])
        self.assertIsNone(none)
        # Windows of one document, and bad requests.
        whole = c.request("qXfer:libraries-svr4:read::0,fff")
        first = c.request("qXfer:libraries-svr4:read::0,20")
        self.assertEqual(first, "m" + whole[1:0x21])
        for bad in ("qXfer:libraries-svr4:read:start=zz:0,fff", "qXfer:libraries-svr4:read:what=1:0,fff",
                    "qXfer:libraries-svr4:read:start:0,fff", "qXfer:libraries-svr4:read::x,10"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        # A start that is no link_map: an error, not garbage or a crash.
        self.assertTrue(c.request("qXfer:libraries-svr4:read:start=0x10:0,fff").startswith("E"))
        self.assertIsNone(srv.proc.poll())

    def test_namespaces_of_dlmopen(self):
        """gdb.base/dlmopen.exp: a library loaded with dlmopen into a new
        namespace is listed with that namespace's lmid (the address of its
        r_debug, as gdbserver gives it), next to the default namespace's;
        gdb sets its breakpoint in both copies."""
        srv = self.server()
        out = self.gdb(srv, ["set breakpoint pending on", "break ns_loaded", "run", "info sharedlibrary",
                             "break plugin_fn", "info breakpoints", "continue"], program("dlmopen_plugin"))
        self.assertGreaterEqual(len(re.findall(r"Yes +\S*/plugin/libplugin\.so", out)), 2, out)
        self.assertRegex(out, r"2\.1 .*plugin_fn")
        self.assertRegex(out, r"2\.2 .*plugin_fn")
        c = self.client(srv)
        c.run("dlmopen_plugin")
        c.run_to("ns_loaded")
        reply = c.request("qXfer:libraries-svr4:read::0,ffff")
        found = re.findall(r'<library name="([^"]*)" lm="0x[0-9a-f]+" l_addr="0x[0-9a-f]+" l_ld="0x[0-9a-f]+" '
                           r'lmid="0x([0-9a-f]+)"/>', reply)
        plugin_ns = {ns for name, ns in found if name.endswith("/plugin/libplugin.so")}
        # The default namespace is the first listed (libc's, loaded first).
        default_ns = [ns for name, ns in found if name.endswith("/libc.so.6")][0]
        self.assertEqual(len(plugin_ns), 2, reply)
        self.assertIn(default_ns, plugin_ns, "one copy in the default namespace, one in a new one")
        self.assertNotIn("0", plugin_ns)
        c.close()
        self.assertIn("default 43, new namespace 44", srv.output())

    def test_a_library_loaded_where_another_was(self):
        """gdb.base/unload.exp: twin_a() in a library that is unloaded, then
        twin_b() at the same address in the next one. gdb never removes
        the first breakpoint (its library is gone) and inserts the second
        at the same address: the int3 must go into the new code (and the
        new library's byte be the one restored), twice over with a rerun."""
        srv = self.server()
        out = self.gdb(srv, ["set breakpoint pending on", "break twin_a", "break twin_b", "run", "continue",
                             "continue", "run", "continue", "continue"], program("reload_twins"))
        self.assertEqual(len(re.findall(r"Breakpoint 1, twin_a \(x=1\)", out)), 2, out)
        self.assertEqual(len(re.findall(r"Breakpoint 2, twin_b \(x=1\)", out)), 2, out)
        self.assertEqual(out.count("exited normally"), 2, out)
        text = srv.output()
        self.assertEqual(text.count(": 10\n"), 2, text)
        self.assertEqual(text.count(": 100\n"), 2, text)
        a, b = re.findall(r"twin_(?:a|b) at (0x[0-9a-f]+)", text)[:2]
        self.assertEqual(a, b, "the libraries were not loaded at the same address: the test shows nothing")

    def test_removing_a_breakpoint_from_unmapped_memory_fails(self):
        """gdb.base/break-main-file-remove-fail.exp: the program unmaps the
        page of a breakpoint; its removal is an error (gdb warns), as with
        gdbserver, not a silent success."""
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "delete", "set breakpoint always-inserted on", "break add",
                             "print ((int (*) (void *, unsigned long)) munmap) ((char *) add - (long) add % 4096, 4096)",
                             "delete 2", "kill"], program("hello"))
        self.assertIn("$1 = 0", out)
        self.assertIn("warning: Error removing breakpoint 2", out)
        self.assertIsNone(srv.proc.poll())

    def test_a_static_program_has_none(self):
        """No DT_DEBUG, no list to find: an error, as gdbserver's E01, after
        which gdb looks for itself (and finds nothing either)."""
        srv = self.server()
        c = self.client(srv)
        c.run("spin_static")
        self.assertTrue(c.request("qXfer:libraries-svr4:read::0,fff").startswith("E"))
        out = self.gdb(srv, ["break main", "run", "info sharedlibrary", "kill"], program("spin_static"))
        self.assertIn("No shared libraries loaded at this time.", out)

    def test_dynamic_linker_run_as_the_program(self):
        """gdb.server/solib-list.exp: `ld.so PROG`. The "program" is ld.so,
        which has no DT_DEBUG: the server says it cannot find the list
        (E01 from gdbserver), and gdb reads it from ld.so's _r_debug
        itself, so it knows PROG's libraries."""
        interp = "/lib64/ld-linux-x86-64.so.2"
        srv = self.server("-t", "tcp:port=0")
        c = self.client(srv)
        reply = c.request("vRun;" + ";".join(s.encode().hex() for s in (interp, program("signals"), "usr1")))
        self.assertTrue(reply.startswith("T"), reply)
        c.request("vCont;c")   # to the SIGUSR1, libc loaded
        self.assertTrue(c.request("qXfer:libraries-svr4:read::0,fff").startswith("E"))
        out = self.gdb(srv, ["set remote exec-file " + interp, "set args %s usr1" % program("signals"), "run",
                             "info sharedlibrary", "bt 3", "kill"], program("signals"))
        self.assertIn("received signal SIGUSR1", out)
        self.assertRegex(out, r"0x[0-9a-f]+\s+0x[0-9a-f]+\s+Yes\s+.*/libc\.so\.6")
        self.assertRegex(out, r"#0 .*(pthread_kill|raise)")
        self.assertIsNone(srv.proc.poll())


if __name__ == "__main__":
    main()

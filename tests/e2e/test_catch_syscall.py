"""catch syscall: gdb's catch syscall on one call, on every call and on a
group, with threads (tests/programs/syscalls), and QCatchSyscalls from a
raw client: the stop replies, the list, malformed packets."""
import re

from dbgsrv_test import RawTestCase, TestCase, main, program

SYSCALLS = program("syscalls")
WRITE, GETPPID = 1, 0x6e


class CatchSyscallTest(TestCase):
    def test_catch_one_call_in_every_thread(self):
        srv = self.server()
        out = self.gdb(srv, ["catch syscall write", "run"] + ["continue"] * 6, SYSCALLS)
        self.assertIn("Catchpoint 1 (syscall 'write' [1])", out)
        self.assertEqual(len(re.findall(r"Catchpoint 1 \(call to syscall write\)", out)), 3, out)
        self.assertEqual(len(re.findall(r"Catchpoint 1 \(returned from syscall write\)", out)), 3, out)
        # The second thread's write is caught in that thread.
        self.assertRegex(out, r"Thread 2(?: \"[^\"]*\")? hit Catchpoint 1 \(call to syscall write\)")
        self.assertNotIn("syscall getppid", out)
        self.assertIn("exited normally", out)
        text = srv.output()
        for line in ("syscalls main", "syscalls thread", "syscalls done"):
            self.assertIn(line, text)

    def test_catch_every_call_entry_then_return(self):
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "catch syscall", "continue", "continue", "continue",
                             "delete 2", "continue"], SYSCALLS)
        calls = re.findall(r"Catchpoint 2 \((call to|returned from) syscall (\w+)\)", out)
        self.assertEqual(calls[:2], [("call to", "write"), ("returned from", "write")], out)
        self.assertEqual(calls[2][0], "call to")
        self.assertIn("exited normally", out)

    def test_catch_a_group(self):
        srv = self.server()
        out = self.gdb(srv, ["catch syscall group:process", "run"] + ["continue"] * 6,
                       SYSCALLS)
        self.assertRegex(out, r"Thread 2(?: \"[^\"]*\")? hit Catchpoint 1 \(call to syscall exit\)")
        self.assertRegex(out, r"Catchpoint 1 \(call to syscall exit_group\)")
        self.assertNotIn("syscall write", out)
        self.assertIn("exited normally", out)


class QCatchSyscallsTest(RawTestCase):
    def test_advertised(self):
        self.assertIn("QCatchSyscalls+", self.c.features.split(";"))

    def test_malformed_packets_are_refused_and_change_nothing(self):
        self.assertTrue(self.c.request("QCatchSyscalls:1").startswith("E"))   # no process yet
        self.c.run("syscalls")
        self.assertEqual(self.c.request("QCatchSyscalls:1;%x" % WRITE), "OK")
        for bad in ("QCatchSyscalls:", "QCatchSyscalls:2", "QCatchSyscalls:1;", "QCatchSyscalls:1;zz",
                    "QCatchSyscalls:1;1;", "QCatchSyscalls:1;;1", "QCatchSyscalls:0;1",
                    "QCatchSyscalls:1;1x", "QCatchSyscalls:1;100000", "QCatchSyscalls:1;ffffffffffffffffff",
                    "QCatchSyscalls:11"):
            self.assertTrue(self.c.request(bad).startswith("E"), bad)
        # The list from before is still the one in force.
        reply = self.c.request("vCont;c")
        self.assertTrue(reply.startswith("T05syscall_entry:%x;" % WRITE), reply)
        self.assertEqual(self.c.request("?")[:3], "T05")   # still up and answering

    def test_entry_and_return_of_the_listed_calls_only(self):
        self.c.run("syscalls")
        self.assertEqual(self.c.request("QCatchSyscalls:1;%x;%x" % (WRITE, GETPPID)), "OK")
        seen = []
        while True:
            reply = self.c.request("vCont;c")
            m = re.match(r"T05(syscall_entry|syscall_return):([0-9a-f]+);.*thread:p[0-9a-f]+\.([0-9a-f]+);",
                         reply)
            if not m:
                break
            seen.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16)))
        self.assertEqual(reply, "W00;process:%x" % self.c.pid)
        self.assertEqual([(k, n) for k, n, _ in seen],
                         [("syscall_entry", WRITE), ("syscall_return", WRITE)] * 2 +
                         [("syscall_entry", GETPPID), ("syscall_return", GETPPID)] +
                         [("syscall_entry", WRITE), ("syscall_return", WRITE)])
        # The thread's calls (write, getppid) come from another thread.
        self.assertNotEqual(seen[2][2], self.c.tid)
        self.assertEqual(seen[2][2], seen[4][2])

    def test_off_again(self):
        self.c.run("syscalls")
        self.assertEqual(self.c.request("QCatchSyscalls:1"), "OK")
        reply = self.c.request("vCont;c")
        self.assertTrue(reply.startswith("T05syscall_"), reply)
        self.assertEqual(self.c.request("QCatchSyscalls:0"), "OK")
        reply = self.c.request("vCont;c")
        # At most the return of the call it stopped in; then it runs out.
        if reply.startswith("T05syscall_return"):
            reply = self.c.request("vCont;c")
        self.assertEqual(reply, "W00;process:%x" % self.c.pid)


if __name__ == "__main__":
    main()

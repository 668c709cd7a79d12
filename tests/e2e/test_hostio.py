"""Files on the target machine (Host I/O, vFile:*) and qXfer:exec-file:
gdb's remote put/get/delete, reading the program and its libraries from the
target ("target:" sysroot, no local copy), info proc, and the packets
themselves with bad handles, names, flags and a debuggee's own filesystem."""
import os
import shutil
import struct
import subprocess

from dbgsrv_test import TestCase, hexstr, main, program


def fileio(reply):
    """(result, errno or None, attachment bytes) of an F reply."""
    assert reply.startswith("F"), reply
    head, _, data = reply[1:].partition(";")
    result, _, err = head.partition(",")
    return (int(result, 16) if result not in ("", "-1") else (-1 if result == "-1" else None),
            int(err, 16) if err else None, data.encode("latin-1"))


class HostIoTest(TestCase):
    def test_put_get_delete(self):
        srv = self.server()
        local = self.tmp_path("local.bin")
        back = self.tmp_path("back.bin")
        remote = self.tmp_path("remote.bin")
        # Every byte value, escapes included, and more than one packet.
        data = bytes(range(256)) * 1200 + os.urandom(5000)
        with open(local, "wb") as f:
            f.write(data)
        out = self.gdb(srv, ["remote put %s %s" % (local, remote), "remote get %s %s" % (remote, back)])
        with open(remote, "rb") as f:
            self.assertEqual(f.read(), data, out)
        with open(back, "rb") as f:
            self.assertEqual(f.read(), data, out)
        out = self.gdb(srv, ["remote delete " + remote, "remote get /nonexistent/file " + back])
        self.assertFalse(os.path.exists(remote), out)
        self.assertIn("No such file or directory", out)

    def test_program_and_libraries_come_from_the_target(self):
        prog = self.start_program("spin")
        srv = self.server()
        # No program file on gdb's command line: gdb asks for it
        # (qXfer:exec-file) and reads it and libc through vFile.
        out = self.gdb(srv, ["set sysroot target:", "attach %d" % prog.pid, "info inferiors", "bt", "info sharedlibrary", "detach"])
        self.assertIn("Reading %s from remote target" % program("spin"), out)
        self.assertIn("target:" + program("spin"), out)
        self.assertRegex(out, r"in main \(.*\) at .*spin\.c:\d+")
        self.assertRegex(out, r"target:\S*libc\.so\.6")

    def test_info_proc(self):
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "info proc", "info proc mappings", "kill"],
                       program("hello"), exec_file=program("hello"))
        self.assertRegex(out, r"(?m)^cmdline = '%s'$" % program("hello"))
        self.assertRegex(out, r"(?m)^exe = '%s'$" % program("hello"))
        self.assertRegex(out, r"(?m)^\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x0\s+r--p\s+%s$"
                         % program("hello"))

    def test_packets_refuse_what_is_not_theirs(self):
        srv = self.server()
        c = self.client(srv)
        # Handles are the session's own: fds the server holds (0, 1, 2, the
        # connection) are not reachable, nor are handles never opened.
        for h in (0, 1, 2, 3, 4, 63, 64, 0xffffffff):
            self.assertEqual(fileio(c.request("vFile:close:%x" % h))[:2], (-1, 9))
            self.assertEqual(fileio(c.request("vFile:pread:%x,10,0" % h))[:2], (-1, 9))
            self.assertEqual(fileio(c.request("vFile:pwrite:%x,0,abc" % h))[:2], (-1, 9))
            self.assertEqual(fileio(c.request("vFile:fstat:%x" % h))[:2], (-1, 9))
        path = self.tmp_path("f.txt")
        with open(path, "w") as f:
            f.write("hello, file\n")
        for bad in ("vFile:open:%s,0" % hexstr(path),                    # no mode
                    "vFile:open:%s,3,0" % hexstr(path),                  # no such access mode
                    "vFile:open:%s,1000,0" % hexstr(path),               # unknown flag
                    "vFile:open:%s00,0,0" % hexstr(path),                # a NUL in the name
                    "vFile:open:%s,0,0" % hexstr(path)[:-1],             # odd hex
                    "vFile:open:zz,0,0", "vFile:open:,0,0", "vFile:pread:0,10",
                    "vFile:setfs:-1", "vFile:setfs:x"):
            self.assertEqual(fileio(c.request(bad))[:2], (-1, 0x16), bad)   # EINVAL
        self.assertEqual(fileio(c.request("vFile:setfs:1"))[:2], (-1, 1))  # not a debuggee of ours
        self.assertEqual(c.request("vFile:setfs:0"), "F0")
        h = fileio(c.request("vFile:open:%s,0,0" % hexstr(path)))[0]
        self.assertGreaterEqual(h, 0)
        self.assertEqual(fileio(c.request("vFile:pread:%x,4,7" % h)), (4, None, b"file"))
        self.assertEqual(fileio(c.request("vFile:pread:%x,100,100" % h)), (0, None, b""))
        n, _, st = fileio(c.request("vFile:fstat:%x" % h))
        self.assertEqual((n, len(st)), (64, 64))
        mode, = struct.unpack(">I", st[8:12])
        size, = struct.unpack(">Q", st[28:36])
        self.assertEqual((mode & 0o170000, size), (0o100000, 12))
        self.assertEqual(fileio(c.request("vFile:pwrite:%x,0,x" % h))[:2], (-1, 9))   # opened read-only
        self.assertEqual(c.request("vFile:close:%x" % h), "F0")
        self.assertEqual(fileio(c.request("vFile:close:%x" % h))[:2], (-1, 9))          # only once
        # A huge read is cut to what fits a packet.
        big = self.tmp_path("big")
        with open(big, "wb") as f:
            f.write(b"}" * 300000)
        h = fileio(c.request("vFile:open:%s,0,0" % hexstr(big)))[0]
        n, _, data = fileio(c.request("vFile:pread:%x,ffffffff,0" % h))
        self.assertGreater(n, 0x8000)
        self.assertLess(n, 0x20000)
        self.assertEqual(data, b"}" * n)
        # Handles run out cleanly.
        results = [fileio(c.request("vFile:open:%s,0,0" % hexstr(path)))[:2] for _ in range(70)]
        self.assertIn((-1, 24), results)                                  # EMFILE
        os.symlink("f.txt", self.tmp_path("link"))
        self.assertEqual(fileio(c.request("vFile:readlink:%s" % hexstr(self.tmp_path("link")))),
                         (5, None, b"f.txt"))
        self.assertEqual(fileio(c.request("vFile:readlink:%s" % hexstr(path)))[:2], (-1, 0x16))
        # lldb's by-name queries.
        self.assertEqual(c.request("vFile:size:%s" % hexstr(path)), "Fc")
        self.assertEqual(c.request("vFile:exists:%s" % hexstr(path)), "F,1")
        self.assertEqual(c.request("vFile:exists:%s" % hexstr(path + ".no")), "F,0")
        self.assertEqual(int(c.request("vFile:mode:%s" % hexstr(path))[1:], 16) & 0o170000, 0o100000)
        self.assertEqual(c.request("vFile:unlink:%s" % hexstr(path)), "F0")
        self.assertEqual(fileio(c.request("vFile:unlink:%s" % hexstr(path)))[:2], (-1, 2))
        self.assertIsNone(srv.proc.poll())

    def test_a_debuggees_own_filesystem(self):
        # A debuggee in a chroot: setfs to it, and paths (absolute symbolic
        # links too) resolve in its root, not the server's.
        root = self.tmp_path("root")
        os.makedirs(os.path.join(root, "etc"))
        with open(os.path.join(root, "etc", "dbgsrv-marker"), "w") as f:
            f.write("inside")
        os.symlink("/etc/dbgsrv-marker", os.path.join(root, "abs-link"))
        shutil.copy(program("spin_static"), os.path.join(root, "spin"))
        p = subprocess.Popen(["chroot", root, "/spin"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             text=True, start_new_session=True)
        self.addCleanup(lambda: (p.poll() is None and p.kill(), p.wait(), p.stdout.close()))
        self.assertTrue(p.stdout.readline().startswith("ready"))
        srv = self.server()
        c = self.client(srv)
        self.assertEqual(c.request("vAttach;%x" % p.pid)[:1], "T")
        self.assertEqual(c.request("vFile:setfs:%x" % p.pid), "F0")
        h = fileio(c.request("vFile:open:%s,0,0" % hexstr("/abs-link")))[0]
        self.assertGreaterEqual(h, 0)
        self.assertEqual(fileio(c.request("vFile:pread:%x,100,0" % h))[2], b"inside")
        self.assertEqual(c.request("vFile:readlink:%s" % hexstr("/abs-link")), "F12;/etc/dbgsrv-marker")
        self.assertEqual(fileio(c.request("vFile:open:%s,0,0" % hexstr("/../../etc/passwd")))[:2], (-1, 2))
        self.assertEqual(c.request("vFile:setfs:0"), "F0")
        self.assertEqual(fileio(c.request("vFile:open:%s,0,0" % hexstr("/abs-link")))[:2], (-1, 2))
        self.assertEqual(c.request("D;%x" % p.pid), "OK")


if __name__ == "__main__":
    main()

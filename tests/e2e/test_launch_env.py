"""How gdb's launches are set up: the environment (set/unset environment,
QEnvironmentHexEncoded/Unset/Reset), the working directory (set cwd,
QSetWorkingDir), the shell (set startup-with-shell, QStartupWithShell) and
address randomization (set disable-randomization, QDisableRandomization).
The programs print what they got on the server's stdout."""
import os
import pwd
import re

from dbgsrv_test import OutputReader, TestCase, hexstr, main, program


class LaunchEnvTest(TestCase):
    def run_program(self, srv, settings, exec_file, *args):
        out = self.gdb(srv, list(settings) + ["run " + " ".join(args)], None, exec_file=exec_file)
        self.assertRegex(out, r"exited (normally|with code)", out)
        return out

    def test_environment(self):
        srv = self.server()
        reader = OutputReader(srv)
        os.environ["DBGSRV_TEST_INHERITED"] = "1"   # the server inherits the test's environment
        self.run_program(srv, ["set environment DBGSRV_TEST_A=one two", "set environment DBGSRV_TEST_B=b",
                               "unset environment DBGSRV_TEST_B", "unset environment DBGSRV_TEST_INHERITED"],
                         "/usr/bin/env")
        reader.wait_line(r"^DBGSRV_TEST_A=one two$")
        lines = reader.text()
        self.assertNotIn("DBGSRV_TEST_B=", lines)
        self.assertNotIn("DBGSRV_TEST_INHERITED=", lines)
        self.assertIn("PATH=", lines)   # the rest of the environment is there

    def test_environment_does_not_leak_between_sessions(self):
        srv = self.server()
        reader = OutputReader(srv)
        self.run_program(srv, ["set environment DBGSRV_TEST_C=c"], "/usr/bin/env")
        reader.wait_line(r"^DBGSRV_TEST_C=c$")
        self.run_program(srv, ["set environment DBGSRV_TEST_D=d"], "/usr/bin/env")
        reader.wait_line(r"^DBGSRV_TEST_D=d$")
        self.assertEqual(reader.text().count("DBGSRV_TEST_C=c"), 1)

    def test_working_directory(self):
        d = self.tmp_path("cwd")
        os.makedirs(d)
        srv = self.server()
        reader = OutputReader(srv)
        self.run_program(srv, ["set cwd " + d], "/bin/pwd")
        reader.wait_line(r"^%s$" % d)
        self.run_program(srv, [], "/bin/pwd")     # unset again: the server's own
        reader.wait_line(r"^%s$" % os.getcwd())

    def test_working_directory_with_a_tilde(self):
        """gdb.base/set-cwd.exp: gdb sends "set cwd ~/..." as typed, and
        the server expands it, as gdbserver does: "~" is the server's $HOME
        (its programs inherit it), "~USER" that user's home. A relative
        one is relative to the server's directory."""
        home = self.tmp_path("home")
        os.makedirs(os.path.join(home, "sub"))
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = home
        self.addCleanup(lambda: os.environ.__setitem__("HOME", old_home) if old_home is not None
                        else os.environ.pop("HOME"))
        srv = self.server()
        reader = OutputReader(srv)
        self.run_program(srv, ["set cwd ~/sub"], "/bin/pwd")
        reader.wait_line(r"^%s/sub$" % re.escape(home))
        self.run_program(srv, ["set cwd ~"], "/bin/pwd")
        reader.wait_line(r"^%s$" % re.escape(home))
        me = pwd.getpwuid(os.getuid())
        self.run_program(srv, ["set cwd ~%s" % me.pw_name], "/bin/pwd")
        reader.wait_line(r"^%s$" % re.escape(os.path.realpath(me.pw_dir)))
        c = self.client(srv)
        self.assertTrue(c.request("QSetWorkingDir:" + hexstr("~no-such-user-here/x")).startswith("E"))
        self.assertEqual(c.request("QSetWorkingDir:" + hexstr(".")), "OK")

    def test_startup_with_shell(self):
        marker = self.tmp_path("shell-ran")
        shell = self.tmp_path("myshell")
        with open(shell, "w") as f:
            f.write("#!/bin/sh\necho \"$2\" >> %s\neval \"$2\"\n" % marker)
        os.chmod(shell, 0o755)
        os.environ["SHELL"] = shell
        self.addCleanup(os.environ.pop, "SHELL")
        srv = self.server()
        reader = OutputReader(srv)
        self.run_program(srv, ["set startup-with-shell on"], program("hello"), "5", "'two words'", "$HOME")
        with open(marker) as f:
            self.assertIn("exec", f.read())
        # Each argument stays as gdb split it, as gdbserver does.
        reader.wait_line(r"^arg2=two words$")
        reader.wait_line(r"^arg3=\$HOME$")
        os.unlink(marker)
        self.run_program(srv, ["set startup-with-shell off"], program("hello"), "6")
        self.assertFalse(os.path.exists(marker))

    def test_disable_randomization(self):
        srv = self.server()
        reader = OutputReader(srv)
        self.run_program(srv, ["set disable-randomization on"], "/bin/cat", "/proc/self/personality")
        reader.wait_line(r"^00040000$")          # ADDR_NO_RANDOMIZE
        self.run_program(srv, ["set disable-randomization off"], "/bin/cat", "/proc/self/personality")
        reader.wait_line(r"^00000000$")

    def test_bad_packets(self):
        srv = self.server()
        c = self.client(srv)
        for bad in ("QEnvironmentUnset:zz", "QEnvironmentUnset:", "QEnvironmentUnset:%s" % "413d31",
                    "QDisableRandomization:2", "QDisableRandomization:", "QStartupWithShell:yes",
                    "QEnvironmentHexEncoded:41", "QSetWorkingDir:zz"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        for good in ("QEnvironmentReset", "QEnvironmentUnset:41", "QDisableRandomization:0",
                     "QStartupWithShell:0", "QSetWorkingDir:"):
            self.assertEqual(c.request(good), "OK", good)
        self.assertIsNone(srv.proc.poll())


if __name__ == "__main__":
    main()

"""The command line: options, transport strings, exit statuses, and the
listener accepting gdb on the port it reports (IPv4 and IPv6), session
after session."""
import os
import re
import signal
import socket
import subprocess
import unittest

from dbgsrv_test import DBGSRV, Server, TestCase, RawClient, main, program, wait_for, wait_sessions_end


def run_dbgsrv(*args, timeout=20):
    """Runs dbgsrv to completion (for options that make it exit at once);
    returns (exit status, stdout, stderr)."""
    p = subprocess.Popen([DBGSRV] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # It did not exit: kill it and anything it started (its own group).
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise AssertionError("dbgsrv %s did not exit:\n%s" % (" ".join(args), err))
    return p.returncode, out, err


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def log_levels(text):
    """The set of level words ("info", "debug"...) of the lines of a log."""
    return set(re.findall(r"^\S+ dbgsrv\[\d+\] (\w+): ", text, re.M))


class HelpAndVersionTest(TestCase):
    def test_help(self):
        for opt in ("--help", "-h"):
            rc, out, err = run_dbgsrv(opt)
            self.assertEqual(rc, 0, "%s: exit status %d, stderr %r" % (opt, rc, err))
            self.assertTrue(out.startswith("Usage: dbgsrv"), out)
            for word in ("-t TRANSPORT", "tcp:port=", "--verbose", "--log-level", "--version",
                         "--help", "2159"):
                self.assertIn(word, out)
            self.assertEqual(err, "")

    def test_help_exits_without_listening(self):
        # --help exits before doing anything else: it never listens.
        rc, out, _ = run_dbgsrv("--help", "-t", "tcp:port=0")
        self.assertEqual(rc, 0)
        self.assertNotIn("Listening on tcp:", out)

    def test_version(self):
        rc, out, err = run_dbgsrv("--version")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "dbgsrv 0.1.0\n")
        self.assertEqual(err, "")


class BadCommandLineTest(TestCase):
    def assertUsageError(self, args, *needles):
        rc, out, err = run_dbgsrv(*args)
        self.assertEqual(rc, 2, "dbgsrv %s: exit status %r (want 2), stdout %r, stderr %r"
                         % (" ".join(args), rc, out, err))
        self.assertNotIn("Listening on tcp:", out)
        self.assertTrue(err.startswith("dbgsrv: "), "stderr %r" % err)
        for needle in needles:
            self.assertIn(needle, err)
        return err

    def test_bad_transports(self):
        cases = [
            ("udp:port=1", ["unknown transport", "'udp'"]),
            ("tcp:prot=1", ["unknown parameter", "'prot'"]),
            ("tcp:port=99999", ["bad port", "'99999'", "65535"]),
            ("tcp:port=-1", ["bad port", "'-1'"]),
            ("tcp:port=12ab", ["bad port", "'12ab'"]),
            ("tcp:port=", ["bad port"]),
            ("tcp:port", ["'port' needs a value"]),
            ("tcp:port=1,port=2", ["'port' given twice"]),
            ("tcp:port=1,,bind=::1", ["empty parameter"]),
            ("tcp:ipversion=5", ["bad ipversion", "'5'"]),
            ("tcp:bind=127.0.0.1,ipversion=6", ["does not match ipversion"]),
            (":port=1", ["bad transport"]),
        ]
        for transport, needles in cases:
            with self.subTest(transport=transport):
                self.assertUsageError(["-t", transport], *needles)

    def test_com_channel_on_what_is_no_serial_line(self):
        # Channels are available: the device is opened (by the line
        # multiplexer) and refused as plain com: refuses it.
        rc, out, err = run_dbgsrv("-t", "com:port=/dev/null,channel=1")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("/dev/null is not a serial line", err)

    def test_unknown_option(self):
        self.assertUsageError(["--bogus"], "unknown option", "--bogus", "--help")
        self.assertUsageError(["-y"], "unknown option", "-y")

    def test_unexpected_argument(self):
        self.assertUsageError(["-t", "tcp:port=0", "extra"], "unexpected argument", "'extra'")

    def test_missing_option_value(self):
        self.assertUsageError(["-t"], "-t", "needs a value")
        self.assertUsageError(["--log-level"], "--log-level", "needs a value")

    def test_bad_log_level(self):
        self.assertUsageError(["--log-level", "loud", "-t", "tcp:port=0"], "unknown log level", "'loud'")


class ListenTest(TestCase):
    def test_port_in_use(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen(1)
            port = sock.getsockname()[1]
            rc, out, err = run_dbgsrv("-t", "tcp:port=%d" % port)
        self.assertEqual(rc, 1, "exit status %r, stdout %r, stderr %r" % (rc, out, err))
        self.assertIn("already in use", err)
        self.assertIn(str(port), err)
        self.assertNotIn("Listening on tcp:", out)

    def test_port_in_use_by_another_server(self):
        first = self.server("-t", "tcp:port=0")
        rc, out, err = run_dbgsrv("-t", "tcp:port=%d" % first.port)
        self.assertEqual(rc, 1, "exit status %r, stderr %r" % (rc, err))
        self.assertIn("already in use", err)
        # The first one is unaffected.
        out = self.gdb(first, ["run 1"], program("hello"))
        self.assertIn("exited with code 01", out)

    def test_address_not_available(self):
        # 192.0.2.1 (TEST-NET-1) is no address of this machine.
        rc, out, err = run_dbgsrv("-t", "tcp:port=0,bind=192.0.2.1")
        self.assertIn(rc, (1, 2), "exit status %r, stderr %r" % (rc, err))
        self.assertIn("192.0.2.1", err)
        self.assertNotIn("Listening on tcp:", out)

    def test_unresolvable_bind_address(self):
        rc, out, err = run_dbgsrv("-t", "tcp:port=0,bind=no-such-host.invalid")
        self.assertIn(rc, (1, 2), "exit status %r, stderr %r" % (rc, err))
        self.assertIn("no-such-host.invalid", err)
        self.assertNotIn("Listening on tcp:", out)

    def test_port_zero_prints_the_port_and_gdb_connects(self):
        srv = self.server("-t", "tcp:port=0")
        self.assertNotEqual(srv.port, 0)
        self.assertEqual(srv.bind, "127.0.0.1")
        # The socket is really there, on that port.
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10):
            pass
        out = self.gdb(srv, ["break add", "run", "continue 2", "continue"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited normally", out)
        self.assertIn("listening on tcp:port=%d,bind=127.0.0.1" % srv.port, srv.log_text())

    def test_explicit_port(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        srv = self.server("-t", "tcp:port=%d" % port)
        self.assertEqual(srv.port, port)
        out = self.gdb(srv, ["run 3"], program("hello"))
        self.assertIn("exited with code 03", out)

    def test_bind_and_ipversion_spellings(self):
        srv = self.server("-t", "tcp:bind=127.0.0.1,port=0,ipversion=4")
        self.assertEqual(srv.bind, "127.0.0.1")
        out = self.gdb(srv, ["run"], program("hello"))
        self.assertIn("exited normally", out)

    @unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback on this machine")
    def test_ipv6(self):
        srv = self.server("-t", "tcp:port=0,bind=::1")
        self.assertEqual(srv.bind, "::1")
        self.assertEqual(srv.address, "[::1]:%d" % srv.port)
        out = self.gdb(srv, ["break add", "run 7", "bt", "delete", "continue"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited with code 07", out)
        self.assertRegex(srv.log_text(), r"connection from \[::1\]:\d+")

    @unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback on this machine")
    def test_ipversion_6_defaults_to_ipv6_loopback(self):
        srv = self.server("-t", "tcp:port=0,ipversion=6")
        self.assertEqual(srv.bind, "::1")
        out = self.gdb(srv, ["run"], program("hello"))
        self.assertIn("exited normally", out)

    def test_sequential_sessions(self):
        srv = self.server("-t", "tcp:port=0")
        for i in range(3):
            out = self.gdb(srv, ["break add", "run %d" % (i + 1), "info inferiors", "disconnect"],
                           program("hello"))
            self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
            self.assertNoSessionsLeft(srv)
        # Still accepting: a fourth client, this one at the protocol level.
        with RawClient(srv) as c:
            self.assertIn("PacketSize", c.request("qSupported"))
        out = self.gdb(srv, ["run 4"], program("hello"))
        self.assertIn("exited with code 04", out)
        log = srv.log_text()
        for i in range(1, 6):
            self.assertIn("session %d: connection from" % i, log)
        self.assertEqual(log.count("): ended"), 5, log)
        self.assertEqual(srv.stop(), 0)


class LoggingTest(TestCase):
    def session_log(self, *args):
        srv = self.server("-t", "tcp:port=0", *args)
        out = self.gdb(srv, ["run"], program("hello"))
        self.assertIn("exited normally", out)
        self.assertEqual(srv.stop(), 0)
        return srv.log_text()

    def test_default_is_info(self):
        log = self.session_log()
        self.assertEqual(log_levels(log), {"info"}, log)
        self.assertIn("listening on tcp:port=", log)
        self.assertIn("launched ", log)

    def test_verbose(self):
        for args in (["-v"], ["--verbose"]):
            with self.subTest(args=args):
                log = self.session_log(*args)
                self.assertIn("debug", log_levels(log), log)
                self.assertNotIn("trace", log_levels(log), log)

    def test_very_verbose_traces_packets(self):
        log = self.session_log("-v", "-v")
        self.assertIn("trace", log_levels(log))
        self.assertIn("<- qSupported", log)
        self.assertRegex(log, r"<- vRun;[0-9a-f]+")

    def test_log_level_option(self):
        log = self.session_log("--log-level", "debug")
        self.assertIn("debug", log_levels(log), log)
        self.assertNotIn("trace", log_levels(log), log)
        log = self.session_log("--log-level=trace")
        self.assertIn("trace", log_levels(log), log)
        for quiet in ("warn", "error"):
            log = self.session_log("--log-level", quiet)
            self.assertFalse(log_levels(log) & {"info", "debug", "trace"}, log)

    def test_log_level_wins_over_verbose(self):
        log = self.session_log("-v", "-v", "--log-level", "error")
        self.assertFalse(log_levels(log) & {"info", "debug", "trace"}, log)


def settle(srv):
    """Makes sure the listener is in its loop: one connection served."""
    with RawClient(srv) as c:
        c.request("qSupported")
    wait_sessions_end(srv)


class SignalsTest(TestCase):
    def test_sigterm_and_sigint_stop_an_idle_server(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig=sig):
                srv = self.server("-t", "tcp:port=0")
                settle(srv)
                self.assertEqual(srv.stop(sig), 0, srv.log_text())
                self.assertIn("info: stopped", srv.log_text())

    def test_signal_right_after_listening_line(self):
        # A supervisor may stop the server as soon as it has said that it is
        # listening: from then on SIGTERM/SIGINT must mean a clean exit 0 and
        # SIGHUP must be ignored, not kill it.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            for attempt in range(8):
                srv = Server(["-t", "tcp:port=0"])
                try:
                    if sig == signal.SIGHUP:
                        os.kill(srv.pid, sig)
                        wait_for(lambda: "SIGHUP ignored" in srv.log_text() or srv.proc.poll() is not None,
                                 what="SIGHUP to be handled")
                        rc = srv.proc.poll()
                        self.assertIsNone(rc, "SIGHUP sent right after 'Listening on' ended the server "
                                          "(status %r, attempt %d)" % (rc, attempt + 1))
                        rc = srv.stop()
                    else:
                        rc = srv.stop(sig)
                    self.assertEqual(rc, 0, "%s sent right after 'Listening on': exit status %r "
                                     "(attempt %d); log:\n%s" % (sig.name, rc, attempt + 1, srv.log_text()))
                finally:
                    srv.close()

    def test_sighup_is_ignored(self):
        srv = self.server("-t", "tcp:port=0")
        settle(srv)
        os.kill(srv.pid, signal.SIGHUP)
        wait_for(lambda: "SIGHUP ignored" in srv.log_text(), what="SIGHUP to be logged")
        self.assertIsNone(srv.proc.poll())
        out = self.gdb(srv, ["run 9"], program("hello"))
        self.assertIn("exited with code 011", out)
        self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    main()

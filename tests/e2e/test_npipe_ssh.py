"""npipe:server=HOST: a pipe on another machine, reached over ssh. The
test starts its own sshd on loopback with keys it generates, and gdb
debugs through `dbg bridge npipe:server=127.0.0.1,pipe=NAME`."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from dbgsrv_test import DBG, Server, TestCase, _gdb_command, free_port, main, program

SSHD = "/usr/sbin/sshd"


class NpipeOverSshTest(TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SSHD):
            raise AssertionError("sshd is missing: scripts/install-deps.sh installs openssh-server")
        cls.dir = tempfile.mkdtemp(prefix="dbg-ssh-")
        d = cls.dir
        for name in ("host_key", "id"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(d, name)],
                           check=True)
        shutil.copy(os.path.join(d, "id.pub"), os.path.join(d, "authorized_keys"))
        cls.port = free_port()
        with open(os.path.join(d, "sshd_config"), "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\n"
                    "AuthorizedKeysFile %s/authorized_keys\nPidFile none\nStrictModes no\nUsePAM no\n"
                    "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\n" % (cls.port, d, d))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # sshd's privilege-separation directory
        cls.sshd_log = open(os.path.join(d, "sshd.log"), "w")
        cls.sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", os.path.join(d, "sshd_config")],
                                    stdout=cls.sshd_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or cls.sshd.poll() is not None:
                    cls.tearDownClass()
                    raise AssertionError("sshd did not start")
                time.sleep(0.05)
        cls.env = dict(os.environ,
                       DBG_SSH="ssh -p %d -i %s/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                               "-o LogLevel=ERROR" % (cls.port, d),
                       DBG_REMOTE_DBG=DBG)

    @classmethod
    def tearDownClass(cls):
        if cls.sshd.poll() is None:
            cls.sshd.kill()
        cls.sshd.wait()
        cls.sshd_log.close()
        shutil.rmtree(cls.dir, True)

    def start_server(self, extra=""):
        name = "ssh-test-%d-%d" % (os.getpid(), len(self._cleanups))
        srv = Server(["-t", "npipe:pipe=%s%s" % (name, extra)])
        self.addCleanup(srv.close)
        return srv, name

    def gdb(self, transport, *commands):
        hello = program("hello")
        cmd = _gdb_command(["set confirm off", "set auto-connect-native-target off",
                            "target extended-remote | %s bridge %s" % (DBG, transport),
                            "set remote exec-file " + hello] + list(commands), hello)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              stdin=subprocess.DEVNULL, env=self.env, timeout=60).stdout

    def test_gdb_through_ssh(self):
        srv, name = self.start_server()
        out = self.gdb("npipe:server=127.0.0.1,pipe=" + name, "break add", "run 7", "bt", "delete", "continue")
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited with code 07", out)
        self.assertNotIn("Target disconnected", out)
        self.assertIn("connection from uid 0", srv.log_text())

    def test_password_handshake_runs_end_to_end_over_ssh(self):
        srv, name = self.start_server(",password=over-ssh")
        out = self.gdb("npipe:server=127.0.0.1,pipe=%s,password=over-ssh" % name, "break add", "run")
        self.assertIn("Breakpoint 1, add", out)
        self.assertIn("authenticated by password", srv.log_text())
        out = self.gdb("npipe:server=127.0.0.1,pipe=%s,password=wrong" % name, "info threads")
        self.assertIn("password rejected", out)

    def test_missing_pipe_on_the_remote_machine(self):
        out = self.gdb("npipe:server=127.0.0.1,pipe=no-such-pipe-%d" % os.getpid(), "info threads")
        self.assertIn("cannot connect to pipe", out)

    def test_ssh_refused(self):
        env = dict(self.env, DBG_SSH="ssh -p %d -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                     "-o IdentitiesOnly=yes -i /dev/null" % self.port)
        p = subprocess.run([DBG, "bridge", "npipe:server=127.0.0.1,pipe=x"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("closed the connection", p.stderr)

    def test_pipe_name_must_be_plain(self):
        p = subprocess.run([DBG, "bridge", "npipe:server=127.0.0.1,pipe=a;b"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("plain name", p.stderr)


if __name__ == "__main__":
    main()

"""The wire protocol with a bare RSP client: acknowledgements, checksums,
resending, no-ack mode, escaping and run-length encoding, unknown and
oversized packets, garbage, and a seeded fuzz of every packet kind that must
crash neither the session nor the server."""
import os
import random
import socket
import time

from dbgsrv_test import (RawClient, RawTestCase, TestCase, decode_reply, escape_binary, hexstr, launched,
                         launched_pids, main, parse_stop, program, read_proc_mem, run_gdb)

PACKET_SIZE = 0x20000


class AckTest(RawTestCase):
    CLIENT = RawClient

    def test_every_packet_is_acknowledged(self):
        c = self.c
        c.send_raw(c.frame("qSupported:multiprocess+;swbreak+"))
        c.expect_byte(b"+")
        reply = decode_reply(c.packet()).decode()
        self.assertIn("PacketSize=%x" % PACKET_SIZE, reply)
        self.assertIn("QStartNoAckMode+", reply)
        for p in ["!", "?", "qC", "qfThreadInfo", "vCont?", "qNoSuchPacket"]:
            c.send_raw(c.frame(p))
            c.expect_byte(b"+")
            c.packet()
        self.assertTrue(c.nothing_arrives())

    def test_bad_checksum_gets_nack_and_resend_works(self):
        c = self.c
        good = c.frame("vCont?")
        self.assertEqual(good, b"$vCont?#49")
        for bad in [b"$vCont?#00", b"$vCont?#zz", b"$vCont?#4A", b"$vCont?#4", b"$vCont!#49"]:
            c.send_raw(bad)
            if bad.endswith(b"#4"):
                c.send_raw(b"$")      # the checksum's second digit is garbage
            c.expect_byte(b"-")
            self.assertTrue(c.nothing_arrives())
            c.send_raw(good)
            c.expect_byte(b"+")
            self.assertEqual(c.packet(), b"vCont;c;C;s;S;t;r")

    def test_nack_from_client_resends_the_last_reply(self):
        c = self.c
        c.send_raw(c.frame("qSupported:multiprocess+"))
        c.expect_byte(b"+")
        first, ok = c.read_packet()   # acknowledged with '+'
        self.assertTrue(ok)
        for _ in range(2):
            c.send_raw(b"-")
            again, ok = c.read_packet()
            self.assertTrue(ok)
            self.assertEqual(again, first)
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        c.send_raw(b"-")
        self.assertEqual(c.packet(), b"vCont;c;C;s;S;t;r")
        self.assertTrue(c.nothing_arrives())

    def test_no_ack_mode(self):
        c = self.c
        c.send_raw(c.frame("QStartNoAckMode"))
        c.expect_byte(b"+")
        self.assertEqual(c.packet(), b"OK")     # still acknowledged by us
        c.ack = False
        for p in ["qSupported:multiprocess+", "vCont?", "qC", "qNoSuchPacket"]:
            c.send_raw(c.frame(p))
            c.expect_byte(b"$")
            c.buf = b"$" + c.buf
            c.packet()
        # A bad checksum is dropped silently; a stray '+' is ignored.
        c.send_raw(b"$vCont?#00+")
        self.assertTrue(c.nothing_arrives())
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        self.assertTrue(c.nothing_arrives())

    def test_no_ack_mode_ignores_nacks(self):
        """gdb sends '-' whenever a reply is later than its remote timeout,
        in no-ack mode too (gdb.threads/attach-many-short-lived-threads.exp:
        a vAttach of a hundred threads on a busy machine). The server must
        not resend its previous reply then, or gdb takes it for the reply
        to its next packet ("Unknown remote qXfer reply: T11...")."""
        c = self.c
        c.no_ack_mode()
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        # The '-' of a timeout while the server is still busy with a packet,
        # and one after its reply: neither brings anything.
        c.send_raw(c.frame("qC") + b"-")
        self.assertEqual(c.read_reply(), "E.no process")
        c.send_raw(b"-")
        self.assertTrue(c.nothing_arrives())
        self.assertEqual(c.request("qAttached"), "E.no such process")
        c.send_raw(b"--")
        self.assertTrue(c.nothing_arrives())
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")

    def test_pipelined_packets(self):
        """Several packets in one write: each acknowledged and answered in order."""
        c = self.c
        c.send_raw(c.frame("vCont?") + c.frame("qNoSuchPacket") + c.frame("!") + b"+" + c.frame("vCont?"))
        replies = []
        for _ in range(4):
            c.expect_byte(b"+")
            replies.append(decode_reply(c.packet()))
        self.assertEqual(replies, [b"vCont;c;C;s;S;t;r", b"", b"OK", b"vCont;c;C;s;S;t;r"])
        self.assertTrue(c.nothing_arrives())

    def test_escaped_characters_in_any_packet(self):
        c = self.c
        # "}C" is an escaped 'c' in "vCont?": "vCont?" with the 'C' escaped.
        payload = b"v}" + bytes([ord("C") ^ 0x20]) + b"ont?"
        c.send_raw(c.frame(payload))
        c.expect_byte(b"+")
        self.assertEqual(c.packet(), b"vCont;c;C;s;S;t;r")


class RepliesTest(RawTestCase):
    def test_unknown_packets_get_the_empty_reply(self):
        c = self.c
        for p in ["vMustReplyEmpty", "qNoSuchThing", "vNoSuchThing", "qCRC:0,10", "Z3,0,1", "z3,0,1",
                  "qTStatus", "jNoSuchThing", "bc", "bs",
                  "A0,0,", "i", "I", "R", "Rxy", "R0,1", "qXfer:nosuch:read::0,10", "qOffsets",
                  "qL1200000000000000000",
                  "y", "~", "Q", "q", "v"]:
            self.assertEqual(c.request(p), "", p)
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")

    def test_restart_before_any_run(self):
        """R0 (extended mode's restart; gdb 13 sends "R0", older ones "R00")
        has no reply; with no program run yet there is nothing to restart and
        '?' says so."""
        c = self.c
        self.assertEqual(c.request("!"), "OK")
        for packet in ("R0", "R00"):
            c.send_raw(c.frame(packet))
            if c.ack:
                c.expect_ack()
            self.assertEqual(c.request("?"), "W00")

    def test_run_length_encoding_of_replies(self):
        c = self.c
        c.run("memory")
        buf = c.addr("buffer")
        # "initial buffer contents" then 40 zero bytes.
        c.send_raw(c.frame("m%x,28" % (buf + 24)))
        raw, ok = c.read_packet()
        self.assertTrue(ok)
        self.assertIn(b"*", raw)
        self.assertLess(len(raw), 20, raw)
        self.assertEqual(decode_reply(raw), b"00" * 40)
        # Runs of every length 1..120 of one character between others
        # (runs of 7 and 8 would give '#' and '$' as counts).
        for n in range(1, 121):
            text = "2" + "1" * n + "2"
            if len(text) % 2:
                text += "2"
            size = len(text) // 2
            self.assertEqual(c.request("M%x,%x:%s" % (buf, size, text)), "OK")
            c.send_raw(c.frame("m%x,%x" % (buf, size)))
            raw, ok = c.read_packet()
            self.assertTrue(ok, raw)
            self.assertNotIn(b"#", raw)
            self.assertNotIn(b"$", raw)
            self.assertEqual(decode_reply(raw).decode(), text, "run of %d: %r" % (n, raw))

    def test_binary_replies_escaped_and_encoded(self):
        """qXfer:auxv:read is binary: compare with /proc/PID/auxv."""
        c = self.c
        c.run("hello")
        with open("/proc/%d/auxv" % c.pid, "rb") as f:
            want = f.read()
        got = b""
        while True:
            c.send_raw(c.frame("qXfer:auxv:read::%x,%x" % (len(got), 0x33)))
            raw, ok = c.read_packet()
            self.assertTrue(ok)
            data = decode_reply(raw)
            self.assertIn(data[:1], (b"m", b"l"))
            got += data[1:]
            if data[:1] == b"l":
                break
        self.assertEqual(got, want)

    def test_escaped_binary_write(self):
        c = self.c
        c.run("memory")
        buf = c.addr("buffer")
        data = bytes([0x24, 0x23, 0x7d, 0x2a, 0x00, 0x7d, 0x5d, 0x03, 0x2a, 0x2a, 0x2a, 0x2a, 0x2a, 0x2a, 0x2a, 0xff])
        self.assertEqual(c.request(("X%x,%x:" % (buf, len(data))).encode() + escape_binary(data)), "OK")
        self.assertEqual(read_proc_mem(c.pid, buf, len(data)), data)
        self.assertEqual(c.read(buf, len(data)), data)

    def test_packet_larger_than_packet_size(self):
        self.c.close()
        c = self.client(self.srv, RawClient)
        self.assertIn("PacketSize=%x" % PACKET_SIZE, c.request("qSupported"))
        c.send_raw(c.frame("q" + "a" * PACKET_SIZE))
        c.expect_byte(b"+")
        reply = c.packet()
        self.assertTrue(reply.startswith(b"E"), reply[:100])
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        # Exactly PacketSize bytes is fine (an unknown packet: empty reply).
        self.assertEqual(c.request("q" + "a" * (PACKET_SIZE - 1)), "")
        # Far larger, sent in pieces.
        c.send_raw(b"$" + b"Z" * (4 * PACKET_SIZE) + b"#00")
        c.expect_byte(b"+")
        self.assertTrue(c.packet().startswith(b"E"))
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")


class GarbageTest(TestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.server()

    def test_garbage_between_packets(self):
        c = self.client(self.srv, RawClient)
        c.send_raw(b"hello\x00\xff\r\n#12 garbage!\x7f")
        self.assertTrue(c.nothing_arrives())
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")

    def test_truncated_packet_then_a_full_one(self):
        c = self.client(self.srv, RawClient)
        # Cut off before '#': the next '$' starts over.
        c.send_raw(b"$qSupported:multipro" + c.frame("vCont?"))
        c.expect_byte(b"+")
        self.assertEqual(c.packet(), b"vCont;c;C;s;S;t;r")
        # Cut off inside the checksum: a nack, then the resend works.
        c.send_raw(b"$vCont?#2" + c.frame("vCont?"))
        c.expect_byte(b"-")
        c.send_raw(c.frame("vCont?"))
        c.expect_byte(b"+")
        self.assertEqual(c.packet(), b"vCont;c;C;s;S;t;r")
        self.assertTrue(c.nothing_arrives())

    def test_connection_dropped_mid_packet(self):
        c = RawClient(self.srv)
        c.send_raw(b"$vRun;" + hexstr(program("hello")).encode())
        c.close()
        c2 = self.client(self.srv, RawClient)
        self.assertEqual(c2.request("vCont?"), "vCont;c;C;s;S;t;r")


def rand_hex(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def rand_bytes(rng, n):
    return bytes(rng.randrange(256) for _ in range(n))


class FuzzTest(TestCase):
    """A seeded fuzz. Safety: vAttach, vKill and D only ever get malformed
    ids or ids of processes this test launched."""

    SEED = 20240611
    COUNT = 800

    def ptid(self, rng):
        pid = self.pid or 1
        return rng.choice(["-1", "0", "p-1.-1", "p%x.-1" % pid, "p%x.%x" % (pid, pid), "p%x.0" % pid,
                           rand_hex(rng, rng.randrange(1, 9)), "p%s.%s" % (rand_hex(rng, 3), rand_hex(rng, 3)),
                           "p", "p.", "pzz", "-2", "", rand_hex(rng, 20)])

    def addr(self, rng):
        base = self.base or 0x555555554000
        return rng.choice(["%x" % (base + rng.randrange(0x4000)), rand_hex(rng, rng.randrange(1, 17)),
                           "0", "ffffffffffffffff", "", "zz", rand_hex(rng, 20)])

    def length(self, rng):
        return rng.choice(["0", "1", "8", "%x" % rng.randrange(0x2000), "10000", "100000",
                           "ffffffffffffffff", "", "-1", rand_hex(rng, 18)])

    def make_packet(self, rng):
        kind = rng.choice(["m", "M", "X", "g", "G", "p", "P", "Z0", "z0", "H", "T", "vCont", "vRun",
                           "vAttach", "vKill", "D", "qXfer", "c", "s", "C", "S", "q", "misc", "random"])
        a, n = self.addr(rng), self.length(rng)
        if kind == "m":
            return rng.choice(["m%s,%s" % (a, n), "m%s" % a, "m%s,%s,%s" % (a, n, n), "m,"])
        if kind == "M":
            data = rand_hex(rng, rng.randrange(0, 40))
            return rng.choice(["M%s,%s:%s" % (a, n, data), "M%s,%x:%s" % (a, len(data) // 2, data),
                               "M%s:%s" % (a, data), "M%s,%s" % (a, n)])
        if kind == "X":
            data = rand_bytes(rng, rng.randrange(0, 40))
            return rng.choice([("X%s,%x:" % (a, len(data))).encode() + data,
                               ("X%s,%s:" % (a, n)).encode() + data, ("X%s" % a).encode()])
        if kind == "g":
            return rng.choice(["g", "g" + rand_hex(rng, 4)])
        if kind == "G":
            return "G" + rand_hex(rng, rng.choice([0, 1, 2, 100, 1631, 1632, 1633, 1634, 3000]))
        if kind == "p":
            return "p" + rng.choice(["%x" % rng.randrange(200), rand_hex(rng, rng.randrange(1, 20)), "", "-1"])
        if kind == "P":
            reg = rng.choice(["%x" % rng.randrange(120), rand_hex(rng, 17), "", "zz"])
            return "P%s=%s" % (reg, rand_hex(rng, rng.choice([0, 2, 8, 16, 20, 32, 33, 64])))
        if kind in ("Z0", "z0"):
            tail = rng.choice(["", ";X3,220100", ";cmds:0", "x"])
            return "%s,%s,%s%s" % (kind, a, rng.choice(["1", "0", "2", "", "zz"]), tail)
        if kind == "H":
            return "H" + rng.choice("gcx ") + self.ptid(rng)
        if kind == "T":
            return "T" + self.ptid(rng)
        if kind == "vCont":
            actions = []
            for _ in range(rng.randrange(0, 4)):
                act = rng.choice(["c", "s", "t", "C", "S", "x", "", "c:", "C0"])
                if act in ("C", "S"):
                    act += rng.choice(["00", "05", "0a", "1e", "ff", "100", "zz", ""])
                if rng.random() < 0.6:
                    act += ":" + self.ptid(rng)
                actions.append(act)
            return "vCont;" + ";".join(actions) + rng.choice(["", ";", ";;"])
        if kind == "vRun":
            # The program is never a name that could exist ("" is the last
            # program run, hello); the arguments are anything.
            prog = rng.choice(["", ("/nonexistent-dbgsrv-fuzz/%s" % rand_hex(rng, 6)).encode().hex()
                               + rand_hex(rng, 2 * rng.randrange(0, 8)), rand_hex(rng, 7), "zz"])
            args = [rng.choice(["", rand_hex(rng, rng.randrange(0, 30)), rand_hex(rng, 7), "zz"])
                    for _ in range(rng.randrange(0, 3))]
            return "vRun;" + ";".join([prog] + args)
        if kind == "vAttach":
            return rng.choice(["vAttach;", "vAttach;zz", "vAttach;0", "vAttach;-1", "vAttach;-5",
                               "vAttach;1g", "vAttach", "vAttach;" + "f" * 20, "vAttach;80000000",
                               "vAttach;%x" % (self.pid or 0)])
        if kind == "vKill":
            return rng.choice(["vKill;", "vKill;zz", "vKill;0", "vKill;-1", "vKill", "vKill;" + "f" * 20,
                               "vKill;%x" % (self.pid or 0)])
        if kind == "D":
            return rng.choice(["D;", "D;0", "D;-1", "D;zz", "Dx", "D;" + "f" * 20, "D1"])
        if kind == "qXfer":
            obj = rng.choice(["features", "auxv", "nosuch", ""])
            annex = rng.choice(["target.xml", "", "nosuch.xml", "x" * 100, rand_hex(rng, 5)])
            return "qXfer:%s:read:%s:%s,%s" % (obj, annex, self.addr(rng), n)
        if kind in ("c", "s"):
            return kind + rng.choice(["", a])
        if kind in ("C", "S"):
            return kind + rng.choice(["00", "05", "0b", "1e", "zz", "", "100"]) + rng.choice(["", ";" + a])
        if kind == "q":
            return rng.choice(["qC", "qfThreadInfo", "qsThreadInfo", "qAttached", "qAttached:" + rand_hex(rng, 4),
                               "qAttached:zz", "qSymbol::", "qSymbol:" + rand_hex(rng, 6),
                               "qSupported:" + rand_hex(rng, 10), "?", "vCont?", "!"])
        if kind == "misc":
            return rand_bytes(rng, rng.randrange(1, 30))
        # random: a random printable letter and random bytes
        return bytes([rng.randrange(0x21, 0x7f)]) + rand_bytes(rng, rng.randrange(0, 60))

    def exchange(self, c, payload):
        """Sends PAYLOAD and returns the (decoded) reply; interrupts a
        program that keeps running."""
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        c.send_raw(c.frame(escape_binary(payload, b"$#}")))
        for attempt in range(2):
            try:
                with c.timeout(5):
                    return c.read_reply()
            except socket.timeout:
                c.send_raw(b"\x03")
        self.fail("no reply to %r" % payload[:80])

    def sync(self, c):
        """After raw garbage: resend a marker until its reply comes back."""
        marker = c.frame("qEcho:sync")
        for _ in range(10):
            c.send_raw(marker)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                try:
                    with c.timeout(max(0.05, deadline - time.monotonic())):
                        raw, ok = c.read_packet()
                except socket.timeout:
                    break
                if ok and raw == b"qEcho:sync":
                    return
        self.fail("the session never answered after garbage")

    def test_fuzz(self):
        srv = self.server()
        rng = random.Random(self.SEED)
        c = self.client(srv)
        self.pid = self.base = None

        def launch():
            # The fuzz may have sent a qSupported without multiprocess+.
            c.request("qSupported:multiprocess+;swbreak+;no-resumed+")
            c.run("hello")
            self.pid, self.base = c.pid, c.base
        launch()
        kinds = 0
        for i in range(self.COUNT):
            if i % 25 == 24:
                # Raw garbage, possibly with '$', '#', ^C and the like.
                c.send_raw(rand_bytes(rng, rng.randrange(1, 200)))
                self.sync(c)
                continue
            payload = self.make_packet(rng)
            reply = self.exchange(c, payload)
            kinds += 1
            if reply[:1] in ("W", "X") or i % 40 == 0:
                if len([p for p in launched_pids(srv) if os.path.exists("/proc/%d" % p)]) < 4:
                    launch()
        self.assertGreater(kinds, self.COUNT * 0.9)
        # Nothing but hello was ever launched.
        self.assertEqual({path for path, _ in launched(srv)}, {program("hello")})
        self.sync(c)
        # The session still answers...
        self.assertRegex(c.request("?"), r"^[TWSX]")
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        # ...a new session works...
        c2 = self.client(srv)
        c2.run("hello", "4")
        self.assertEqual(parse_stop(c2.request("vCont;c"))["raw"], "W04;process:%x" % c2.pid)
        # ...and gdb can still debug.
        out = run_gdb(srv, ["break add", "run", "continue", "delete", "continue"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("Breakpoint 1, add (a=0, b=1)", out)
        self.assertIn("exited normally", out)
        self.assertIsNone(srv.proc.poll(), "the server died")
        self.assertNotIn("died of signal", srv.log_text())

if __name__ == "__main__":
    main()

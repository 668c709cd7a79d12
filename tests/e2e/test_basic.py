"""Launching a program through gdb: breakpoints, arguments, exit status."""
from dbgsrv_test import TestCase, main, program


class BasicTest(TestCase):
    def test_break_run_continue_exit(self):
        srv = self.server()
        out = self.gdb(srv, ["break add", "run", "bt", "continue", "delete", "continue"],
                       program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("in main (", out)
        self.assertIn("Breakpoint 1, add (a=0, b=1)", out)
        self.assertIn("exited normally", out)

    def test_arguments_and_exit_code(self):
        srv = self.server()
        out = self.gdb(srv, ["run 5 'two words' three"], program("hello"))
        self.assertIn("exited with code 05", out)
        printed = srv.output()
        self.assertIn("arg2=two words", printed)
        self.assertIn("arg3=three", printed)


if __name__ == "__main__":
    main()

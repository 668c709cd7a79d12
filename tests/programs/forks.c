/* Makes new processes and programs for the fork/vfork/exec tests. The first
 * argument says how:
 *   fork   fork; the child runs child_work() and exits 42, the parent waits
 *   vfork  vfork; the child execs exec_target (exit status 5)
 *   exec   exec exec_target itself
 *   spin   prints "ready PID", runs until killed; once fork_now is set (by
 *          gdb), forks a child that runs until killed too, calling
 *          child_work() every 10 ms (for the session-end rules)
 * exec_target is the test program next to this one. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int child_work(int x)
{
    return x + 1;   /* a breakpoint target the child runs */
}

int parent_work(int x)
{
    return x * 2;   /* a breakpoint target the parent runs */
}

static char target_path[PATH_MAX];
volatile int fork_now;

static void find_target(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        exit(100);
    self[n] = '\0';
    snprintf(target_path, sizeof target_path, "%s/exec_target", dirname(self));
}

static int report(pid_t c, const char *what)
{
    int st;
    if (waitpid(c, &st, 0) != c)
        return 101;
    printf("%s child exited=%d status=%d signaled=%d\n", what, WIFEXITED(st), WEXITSTATUS(st), WIFSIGNALED(st));
    fflush(stdout);
    return parent_work(3);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fork";
    find_target();
    if (strcmp(mode, "fork") == 0) {
        pid_t c = fork();
        if (c == 0)
            _exit(child_work(41));
        return report(c, "fork");
    }
    if (strcmp(mode, "vfork") == 0) {
        pid_t c = vfork();
        if (c == 0) {
            execl(target_path, target_path, "from-vfork", (char *)NULL);
            _exit(102);
        }
        return report(c, "vfork");
    }
    if (strcmp(mode, "exec") == 0) {
        execl(target_path, target_path, "from-exec", (char *)NULL);
        return 103;
    }
    if (strcmp(mode, "spin") == 0) {
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
        pid_t c = -1;
        for (;;) {
            if (fork_now && c < 0 && (c = fork()) == 0)
                for (;;) {
                    child_work(1);
                    usleep(10000);
                }
            usleep(1000);
        }
    }
    return 104;
}

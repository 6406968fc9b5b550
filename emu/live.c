/* Live mode's plumbing for slemu (live.h). The stop flag is the one mutable global: a signal
 * handler can reach nothing else. */
#include "live.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

enum {
    MAX_FDS = 64,
    MAX_WAIT_MS = 1000, /* wake at least this often, whatever the deadline */
};

static volatile sig_atomic_t stop_signal;

uint64_t sl_live_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

void sl_live_catch_signals(void)
{
    struct sigaction sa;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* no SA_RESTART: poll returns EINTR at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int sl_live_stop_signal(void)
{
    return stop_signal;
}

int sl_live_wait(const int *fds, int n, uint64_t deadline_ns)
{
    struct pollfd p[MAX_FDS];
    int k = 0;
    for (int i = 0; i < n && k < MAX_FDS; i++)
        if (fds[i] >= 0)
            p[k++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    uint64_t now = sl_live_now_ns();
    int ms = MAX_WAIT_MS;
    if (deadline_ns <= now)
        ms = 0;
    else if (deadline_ns - now < (uint64_t)MAX_WAIT_MS * 1000000u)
        ms = (int)((deadline_ns - now + 999999u) / 1000000u);
    if (stop_signal)
        return 0;
    int rc = poll(p, (nfds_t)k, ms);
    if (rc < 0 && errno != EINTR)
        return -1;
    return 0;
}

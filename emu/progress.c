/* slemu's progress bar (progress.h). */
#include "progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum {
    BAR = 30,                          /* cells */
    DEFAULT_DELAY_MS = 1000,
    REDRAW_NS = 200 * 1000 * 1000,
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sl_progress_init(SlProgress *p, FILE *out, int disable)
{
    *p = (SlProgress){0};
    if (disable || !isatty(fileno(out)))
        return;
    uint64_t delay_ms = DEFAULT_DELAY_MS;
    const char *env = getenv("SLEMU_PROGRESS_DELAY_MS");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (!*end)
            delay_ms = v;
    }
    p->out = out;
    p->start_ns = mono_ns();
    p->delay_ns = delay_ms * 1000000u;
    p->next_ns = p->start_ns + p->delay_ns;
}

/* n bytes in a short human unit: "812 kB", "27.4 MB", "3.1 GB". */
static void human(char *buf, size_t cap, uint64_t n)
{
    if (n < 1000000u)
        snprintf(buf, cap, "%" PRIu64 " kB", n / 1000u);
    else if (n < 1000000000u)
        snprintf(buf, cap, "%" PRIu64 ".%" PRIu64 " MB", n / 1000000u, n / 100000u % 10u);
    else
        snprintf(buf, cap, "%" PRIu64 ".%" PRIu64 " GB", n / 1000000000u, n / 100000000u % 10u);
}

void sl_progress_update(SlProgress *p, uint64_t done, uint64_t total, uint64_t packets)
{
    if (!p->out)
        return;
    uint64_t now = mono_ns();
    if (now < p->next_ns)
        return;
    p->next_ns = now + REDRAW_NS;
    uint64_t elapsed_ms = (now - p->start_ns) / 1000000u, elapsed_us = (now - p->start_ns) / 1000u;
    uint64_t pps = elapsed_us ? packets * 1000000u / elapsed_us : 0;
    if (total && done <= total) {
        char bar[BAR + 1], a[32], b[32];
        uint64_t cells = done * BAR / total, pct = done * 100u / total;
        for (int i = 0; i < BAR; i++)
            bar[i] = (uint64_t)i < cells ? '#' : '.';
        bar[BAR] = 0;
        human(a, sizeof a, done);
        human(b, sizeof b, total);
        /* Time left at the rate so far; whole seconds. */
        uint64_t left = done ? (total - done) * elapsed_ms / done / 1000u : 0;
        fprintf(p->out, "\rslemu: [%s] %3" PRIu64 "%%  %s of %s  %" PRIu64 " packets  %" PRIu64
                " pps  %" PRIu64 " s left \033[K", bar, pct, a, b, packets, pps, left);
    } else {
        fprintf(p->out, "\rslemu: %" PRIu64 " packets  %" PRIu64 " pps \033[K", packets, pps);
    }
    fflush(p->out);
    p->drawn = 1;
}

void sl_progress_end(SlProgress *p)
{
    if (p->out && p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->drawn = 0;
}

/* Live mode's plumbing for slemu: the wall clock, waiting for frames or a deadline, and stop
 * requests (SIGINT, SIGTERM) turned into a flag the loops poll, so a run always ends through
 * its normal path: outputs flushed and closed, summary printed. */
#ifndef SLUICE_EMU_LIVE_H
#define SLUICE_EMU_LIVE_H

#include <stdint.h>

/* CLOCK_REALTIME in ns since the epoch: the time base of live captures. */
uint64_t sl_live_now_ns(void);

/* Makes SIGINT and SIGTERM set the stop flag instead of killing the process (once: a second
 * signal of the same kind kills it, for a run that does not stop). */
void sl_live_catch_signals(void);

/* The signal that asked for a stop, or 0. */
int sl_live_stop_signal(void);

/* Waits until one of fds[0..n) is readable, deadline_ns (wall clock; UINT64_MAX: none) passes,
 * or a signal arrives. 0, or -1 with errno when poll fails for another reason. */
int sl_live_wait(const int *fds, int n, uint64_t deadline_ns);

#endif

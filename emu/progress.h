/* slemu's progress bar: one line on stderr, redrawn in place, for long runs over files.
 *
 * Shown only when stderr is a terminal, and only once a run has lasted PROGRESS_DELAY (1 s; the
 * environment variable SLEMU_PROGRESS_DELAY_MS changes it, for tests), so short runs and runs
 * into a pipe or a file never see it. Redrawn at most 5 times a second; erased at the end, so
 * the summary that follows starts on a clean line. */
#ifndef SLUICE_EMU_PROGRESS_H
#define SLUICE_EMU_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct SlProgress {
    FILE *out;          /* NULL: disabled */
    uint64_t start_ns;  /* monotonic */
    uint64_t delay_ns;  /* nothing drawn before start + delay */
    uint64_t next_ns;   /* earliest time of the next redraw */
    int drawn;          /* a line is on screen */
} SlProgress;

/* Enables the bar when out is a terminal (and disable is 0). */
void sl_progress_init(SlProgress *p, FILE *out, int disable);

/* Cheap enough to call every few thousand packets: reads the clock, draws when due. done and
 * total are bytes of input (total 0: unknown, the bar then shows the packet count only). */
void sl_progress_update(SlProgress *p, uint64_t done, uint64_t total, uint64_t packets);

/* Erases the line if one was drawn. */
void sl_progress_end(SlProgress *p);

#endif

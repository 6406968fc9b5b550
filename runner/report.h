/* slrun's counters record and run log: fixed layouts, every integer little-endian, so that the
 * files two hosts write for the same run compare equal byte for byte (docs/device.md).
 *
 * Counters record (slrun -c FILE):
 *   0   4  'S' 'L' 'R' 'C'
 *   4   2  version (1)           6  2  mode: 0 hypervisor, 1 direct VM
 *   8   4  ports (P)            12  4  fault kinds (K = SL_FAULT_COUNT - 1)
 *  16   4  totals (T = SL_REPORT_TOTALS)   20  4  state bytes (S; 0 unless slrun --state)
 *  24      T x u64 totals in SlReportTotal order
 *          P x { u64 in, in_bytes, out, out_bytes }
 *          K x u64 faults by kind, in faults.def order (kind 1 first)
 *          S bytes of the VM's state memory after the run
 *
 * Run log (slrun -l FILE, direct VM mode): 'S' 'L' 'R' 'L', u16 version (1), u16 zero, then per
 * handler run (init, timers and packets, in order):
 *   u32 frame (index in the input file; 0xffffffff for init and timer runs), u32 handler,
 *   u8 status, u8 verdict, u16 fault, u32 port, u32 pc, u32 trap (two's complement), u64 insns,
 *   u32 len, u8 packet[len]   (the packet as the run left it, whatever its verdict)
 *
 * Freestanding. */
#ifndef SLUICE_RUNNER_REPORT_H
#define SLUICE_RUNNER_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* The totals, in record order. Packet and event runs both count in the verdict totals. */
#define SL_REPORT_TOTALS_LIST(X)                                                              \
    X(FRAMES_IN, "frames_in")     /* records read from the input file */                     \
    X(BYTES_IN, "bytes_in")                                                                   \
    X(FRAMES_OUT, "frames_out")   /* records written: sends and clones */                    \
    X(BYTES_OUT, "bytes_out")                                                                 \
    X(SENT, "sent")               /* runs that ended in send (delivered) */                  \
    X(DROPPED, "dropped")         /* drop, exit, ret without a verdict */                    \
    X(PUNTED, "punted")                                                                       \
    X(FAULTED, "faulted")         /* runs that faulted (kinds below) */                      \
    X(UNROUTED, "unrouted")       /* sends to a port with no output */                       \
    X(REFUSED, "refused")         /* frames no VM took (port out of range, queue full...) */ \
    X(CLONES, "clones")           /* clones delivered */                                     \
    X(EVENTS, "events")           /* init and timer runs */                                  \
    X(TIMER_SKIPPED, "timer_skipped") /* timer runs skipped by a time jump */                \
    X(RUNS, "runs")               /* handler runs finished */                                \
    X(INSNS, "insns")             /* instructions executed */                                \
    X(PREEMPTIONS, "preemptions") /* runs stopped at the end of a slice and resumed later */

typedef enum SlReportTotal {
#define X(name, text) SL_REPORT_##name,
    SL_REPORT_TOTALS_LIST(X)
#undef X
    SL_REPORT_TOTALS
} SlReportTotal;

enum {
    SL_REPORT_HEADER_SIZE = 24,
    SL_REPORT_VERSION = 1,
    SL_REPORT_MODE_HV = 0,
    SL_REPORT_MODE_VM = 1,
    SL_REPORT_FAULT_KINDS = SL_FAULT_COUNT - 1,
    SL_RUNLOG_HEADER_SIZE = 8,
    SL_RUNLOG_RECORD_SIZE = 36, /* before the packet's bytes */
    SL_RUNLOG_NO_FRAME = -1,
};

typedef struct SlReportPort {
    uint64_t in, in_bytes, out, out_bytes;
} SlReportPort;

/* The record's numbers; ports and state point to the caller's memory. */
typedef struct SlReport {
    uint16_t mode;
    uint32_t nports;
    uint64_t total[SL_REPORT_TOTALS];
    uint64_t fault[SL_FAULT_COUNT]; /* by SlFault; [0] unused */
    SlReportPort *ports;
    const uint8_t *state;
    uint32_t state_size;
} SlReport;

const char *sl_report_total_name(unsigned i);

/* Bytes sl_report_encode() writes for r. */
size_t sl_report_size(const SlReport *r);
/* Writes the record into out (sl_report_size(r) bytes). */
void sl_report_encode(const SlReport *r, uint8_t *out);
/* Reads a record: fills r (ports into ports[0..maxports), state pointing into buf).
 * 0, -SL_EMAGIC, -SL_EVERSION, -SL_ETRUNCATED, -SL_ELIMIT (more ports than maxports or a layout
 * this reader does not know). */
int sl_report_decode(const uint8_t *buf, size_t size, SlReport *r, SlReportPort *ports,
                     uint32_t maxports);

/* The run log's header, and a record header (the packet's len bytes follow it). */
void sl_runlog_header(uint8_t out[SL_RUNLOG_HEADER_SIZE]);
void sl_runlog_record(uint8_t out[SL_RUNLOG_RECORD_SIZE], uint32_t frame, uint32_t handler,
                      const SlResult *res, uint32_t len);
/* Reads a record header (SL_RUNLOG_RECORD_SIZE bytes): its packet length, or all of it. */
uint32_t sl_runlog_len(const uint8_t *rec);
void sl_runlog_decode(const uint8_t *rec, uint32_t *frame, uint32_t *handler, SlResult *res);

#endif

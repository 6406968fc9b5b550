/* The Sluice virtual machine: load a verified image into memory the embedder owns, run its
 * handlers on packets in place, stop and resume them on an instruction budget.
 *
 * Ownership: the embedder hands sl_vm_create() one block of memory of sl_vm_footprint() bytes,
 * 8-byte aligned; the VM lives in it and needs nothing else (no malloc, no libc, no floating
 * point: this runs on a network processor with no OS). The SlImage and its bytes must outlive the
 * VM. Packets belong to the embedder; the VM reads and writes them in place, never copying them
 * (except clone, which hands the embedder a view to copy).
 *
 * Library status: functions return 0 or -SL_E<NAME> (errors.def) and put text in a caller-owned
 * buffer. Faults in the program are not errors: they come back in SlResult. */
#ifndef SLUICE_VM_H
#define SLUICE_VM_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "isa.h"

typedef enum SlError {
#define X(name, text) SL_E##name,
#include "errors.def"
#undef X
    SL_E_COUNT
} SlError;

typedef enum SlFault {
    SL_FAULT_NONE = 0,
#define X(name, text) SL_FAULT_##name,
#include "faults.def"
#undef X
    SL_FAULT_COUNT
} SlFault;

const char *sl_error_text(int code); /* accepts code or -code */
const char *sl_fault_name(unsigned fault);
const char *sl_fault_text(unsigned fault);

typedef struct SlVm SlVm;

typedef struct SlVmConfig {
    uint64_t seed;          /* seeds rand and the tables' hashing */
    uint64_t packet_budget; /* instructions one handler run may take in all (0 = 1<<32) */
} SlVmConfig;

/* A packet buffer: bytes [head, head+len) of buf[0..cap) are the packet. The space before head
 * and after head+len lets padjh/padjt/pnew work in place. So that growing fails at the same point
 * on every engine and host, the VM never uses the buffer's own size: at the start of a run the
 * packet's window is [head - SL_PKT_HEADROOM, head + max(len, SL_PKT_MAX)), and the embedder must
 * hand a buffer that covers it (sl_vm_run returns -SL_EARG otherwise). */
enum {
    SL_PKT_HEADROOM = 256,
    SL_PKT_MAX = 16384,
};
typedef struct SlPacket {
    uint8_t *buf;
    uint32_t cap;
    uint32_t head;
    uint32_t len;
    uint32_t in_port;
    uint64_t tstamp_ns;
} SlPacket;

/* What the VM needs from its host while it runs. */
typedef struct SlEnv {
    void *user;
    /* clone: send a copy of data[0..len) out of the program's port; may be NULL (copies dropped). */
    void (*clone)(void *user, uint32_t port, const uint8_t *data, uint32_t len);
    uint64_t now_ns; /* what `now` returns */
} SlEnv;

typedef enum SlRunStatus {
    SL_RUN_DONE = 0,  /* handler ended; verdict says how */
    SL_RUN_FAULT = 1, /* fault, fault_pc: the packet is dropped */
    SL_RUN_YIELD = 2, /* budget for this slice used up; sl_vm_resume() goes on */
} SlRunStatus;

typedef enum SlVerdict {
    SL_VERDICT_DROP = 0, /* drop, exit or ret with no verdict, or a fault */
    SL_VERDICT_SEND = 1,
    SL_VERDICT_PUNT = 2,
} SlVerdict;

typedef struct SlResult {
    uint8_t status;   /* SlRunStatus */
    uint8_t verdict;  /* SlVerdict, when DONE */
    uint16_t fault;   /* SlFault, when FAULT */
    uint32_t port;    /* SEND: the port */
    uint32_t pc;      /* FAULT: instruction index; YIELD: where it resumes */
    int32_t trap;     /* FAULT TRAP: the trap's imm */
    uint64_t insns;   /* instructions executed by this handler run so far, across resumes */
} SlResult;

/* Bytes of memory sl_vm_create() needs for this image. 0 if it would not fit in a size_t. */
size_t sl_vm_footprint(const SlImage *img);

/* Verifies the image and builds a VM in mem. On a verifier rejection err reads
 * "insn N (disassembly): reason". */
int sl_vm_create(void *mem, size_t size, const SlImage *img, const SlVmConfig *cfg, SlVm **out,
                 char *err, size_t errcap);

/* Restores the state memory and tables to the image's initial contents. */
void sl_vm_reset(SlVm *vm);

/* Starts handler h (index into the image's handlers) on pkt with at most fuel instructions
 * before yielding. pkt must stay the same until the run is DONE or FAULT. 0 or -SL_E*. */
int sl_vm_run(SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
              SlResult *res);
/* Goes on with a run that yielded. */
int sl_vm_resume(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);
/* Abandons a yielded run (the packet is the embedder's again). */
void sl_vm_abort(SlVm *vm);
/* True while a run has yielded and not ended. */
int sl_vm_busy(const SlVm *vm);

const SlImage *sl_vm_image(const SlVm *vm);
/* The verified code (with proven accesses in their .nc forms), for disassembly and engines. */
const SlInsn *sl_vm_code(const SlVm *vm, uint32_t *count);
uint8_t *sl_vm_state(SlVm *vm, uint32_t *size);
/* The registers of a yielded run (debugger). */
const uint64_t *sl_vm_regs(const SlVm *vm);

/* The debugger's per-instruction hook: called before each instruction (index pc) of a run
 * with the packet as it is then; returning non-zero stops the run before that instruction as a
 * yield does (SL_RUN_YIELD, res->pc = pc, the count exact), and sl_vm_resume() goes on from it
 * (calling the hook again for pc first: the hook decides to let it run). NULL removes the hook.
 * Without a hook runs use the fast interpreter, which has no trace of it. */
typedef int (*SlDebugHook)(void *user, SlVm *vm, const SlPacket *pkt, uint32_t pc);
void sl_vm_set_debug_hook(SlVm *vm, SlDebugHook hook, void *user);
/* The call stack of a yielded (or just ended) run, for backtraces: frames below the current
 * function, and the instruction each one returns to (0 = the handler's own frame). */
uint32_t sl_vm_depth(const SlVm *vm);
uint32_t sl_vm_frame_return(const SlVm *vm, uint32_t frame);
/* Sets a register of a yielded run (the debugger's `set r3 = 7`); reg is 0..15. */
void sl_vm_set_reg(SlVm *vm, unsigned reg, uint64_t value);

/* The control plane's view of the tables: same semantics as tget/tput/tdel, keys and values
 * given by the caller. LPM put and del take key_size address bytes then one prefix-length byte.
 * Return 1/0 as the instructions do, -SL_EFULL when put finds the table full, -SL_EARG for a bad
 * table index or prefix length. */
int sl_vm_table_get(SlVm *vm, uint32_t table, const uint8_t *key, uint8_t *value);
int sl_vm_table_put(SlVm *vm, uint32_t table, const uint8_t *key, const uint8_t *value);
int sl_vm_table_del(SlVm *vm, uint32_t table, const uint8_t *key);
uint32_t sl_vm_table_count(const SlVm *vm, uint32_t table);
/* Visits the live entries (order unspecified); stops early when fn returns non-zero. LPM keys
 * are given as address then prefix length, as put takes them. */
void sl_vm_table_walk(const SlVm *vm, uint32_t table,
                      int (*fn)(void *user, const uint8_t *key, const uint8_t *value), void *user);

/* The verifier alone (sl_vm_create runs it): decodes the image's code into out[code_count],
 * substituting proven accesses. Needs sl_verify_scratch_size() bytes of 8-byte aligned scratch
 * memory. 0 or -SL_EVERIFY with the message in err. */
size_t sl_verify_scratch_size(const SlImage *img);
int sl_verify(const SlImage *img, SlInsn *out, void *scratch, size_t scratch_size, char *err,
              size_t errcap);

/* A bounded formatter for messages, freestanding: %s %c %d %u %x %lld %llu %llx %zu and %%. */
size_t sl_fmt(char *buf, size_t cap, const char *fmt, ...);

#endif

/* The ABI between native code made by slaot and the runtime that runs it (aot/native_rt.c).
 *
 * slaot translates one verified image into one native function that mirrors the interpreter
 * (docs/aot.md): VM registers live in machine registers, calls and returns are jumps inside the
 * function over an explicit frame array (the same frames as the interpreter's), and the function
 * can be entered at any point where a run can stop (function entries and backward-branch targets)
 * from the saved pc. So a run preempted in native code resumes later, in native code or in the
 * interpreter, and ends exactly as it would have in the interpreter.
 *
 * An object made by `slaot -n NAME image.slb` (NAME defaults to sl_aot) defines:
 *
 *   const SlNative NAME;                  the descriptor below
 *   const uint8_t NAME_hash[32];          the image's content hash (SlImage.hash)
 *   void NAME_entry(SlNativeCtx *ctx);    the translated code
 *
 * and refers only to the sl_native_rt_* helpers declared here and to memcpy/memset. The runtime
 * refuses a descriptor whose hash, instruction count or ABI version does not match the VM's
 * image (-SL_EHASH / -SL_EARG).
 *
 * Freestanding, like the core: the runtime uses no libc beyond mem*, no floating point, no
 * malloc. Native code and runtime run on the same host, so the context holds host integers. */
#ifndef SLUICE_NATIVE_H
#define SLUICE_NATIVE_H

#include <stdint.h>

#include "hv.h"
#include "vm.h"

enum {
    SL_NATIVE_ABI = 1, /* bumped on any change to the structs or helpers below */
    SL_NATIVE_FRAME_SAVED = SL_NREGS - 6, /* r6..r15 */
};

/* One call frame; the same layout as the interpreter's frames (the runtime checks it at compile
 * time), so native code and interpreter share a yielded run's frames. */
typedef struct SlNativeFrame {
    uint32_t ret_pc;                         /* instruction after the call */
    uint64_t saved[SL_NATIVE_FRAME_SAVED];   /* the caller's r6..r15 */
} SlNativeFrame;

/* What native code reads and writes. Field order is part of the ABI: pointers, then 64-bit
 * fields, then 32-bit fields, so the layout is the same on every 64-bit target. */
typedef struct SlNativeCtx {
    uint64_t *regs;          /* in/out: r0..r15 (the VM's own registers) */
    SlNativeFrame *frames;   /* in/out: call frames, depth of them in use */
    uint8_t *state;          /* state memory; its size is the image's, built into the code */
    uint8_t *pkt;            /* the packet's first byte; resize helpers update it */
    void *rt;                /* the runtime's own data; native code only passes the ctx on */
    uint64_t pkt_len;        /* packet length; resize helpers update it */
    uint64_t insns;          /* in: instructions executed so far; out: at return */
    uint64_t limit;          /* min(budget, insns at the end of this slice) */
    uint64_t budget;         /* the packet's instruction budget (SlVmConfig.packet_budget) */
    uint64_t in_port;        /* inport */
    uint64_t tstamp;         /* tstamp */
    uint64_t now;            /* now */
    uint64_t rng;            /* in/out: rand's SplitMix64 state */
    uint32_t pc;             /* in: where to start or resume; out: YIELD resume pc, FAULT fault pc */
    uint32_t depth;          /* in/out: frames in use */
    uint32_t status;         /* out: SlRunStatus */
    uint32_t verdict;        /* out: SlVerdict when DONE */
    uint32_t fault;          /* out: SlFault when FAULT (SL_FAULT_NONE otherwise) */
    uint32_t port;           /* out: SEND's port */
    int32_t trap;            /* out: TRAP's imm */
    uint32_t reserved;       /* zero */
} SlNativeCtx;

typedef void (*SlNativeEntry)(SlNativeCtx *ctx);

/* The descriptor an object exports (and the JIT fills in). */
typedef struct SlNative {
    uint32_t abi;            /* SL_NATIVE_ABI */
    uint32_t code_count;     /* instructions in the image */
    const uint8_t *hash;     /* SL_IMAGE_HASH_SIZE bytes: the image's content hash */
    SlNativeEntry entry;
} SlNative;

/* ---- Runtime API (aot/native_rt.c) -------------------------------------------------------- */

/* 0 when n is native code for vm's image: same ABI version (-SL_EARG), same content hash and
 * instruction count (-SL_EHASH). */
int sl_native_check(const SlNative *n, const SlVm *vm);

/* sl_vm_run / sl_vm_resume through native code: same contract, same results, same VM state
 * (a run may yield in one engine and resume in the other). Both check n first. */
int sl_native_run(SlVm *vm, const SlNative *n, uint32_t handler, SlPacket *pkt, const SlEnv *env,
                  uint64_t fuel, SlResult *res);
int sl_native_resume(SlVm *vm, const SlNative *n, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
                     SlResult *res);
/* The hypervisor's engine for native code (sl_hv_vm_set_engine(hv, id, &sl_native_hv_engine, n)
 * with n the SlNative for the VM's image): sl_native_run and sl_native_resume. */
extern const SlHvEngine sl_native_hv_engine;

/* ---- Helpers native code calls ------------------------------------------------------------ */
/* Each returns what the instruction computes, or minus an SlFault code when it faults; every
 * check the interpreter makes is made here the same way. */

/* tget/tput/tdel on table t with key and value at state addresses key, value. */
int64_t sl_native_rt_tget(SlNativeCtx *ctx, uint32_t t, uint64_t key, uint64_t value);
int64_t sl_native_rt_tput(SlNativeCtx *ctx, uint32_t t, uint64_t key, uint64_t value);
int64_t sl_native_rt_tdel(SlNativeCtx *ctx, uint32_t t, uint64_t key);
/* csum: the folded sum of init and packet bytes [off, off+n). */
int64_t sl_native_rt_csum(SlNativeCtx *ctx, uint64_t init, uint64_t off, uint64_t n);
/* padjh (op 0), padjt (op 1), pnew (op 2) with operand a; 0 or -fault. Updates ctx->pkt and
 * ctx->pkt_len. */
int64_t sl_native_rt_resize(SlNativeCtx *ctx, uint32_t op, uint64_t a);
/* clone to port (already checked against the image's ports). */
void sl_native_rt_clone(SlNativeCtx *ctx, uint32_t port);
/* hash of n state bytes at p (already bounds-checked). */
uint64_t sl_native_rt_hash(const uint8_t *p, uint64_t n);

#endif

/* Internal layout of a VM; engines (interpreter, AOT runtime) and the core share it. Embedders
 * use vm.h only. */
#ifndef SLUICE_VM_INT_H
#define SLUICE_VM_INT_H

#include "vm.h"

/* A table lives in a fixed array of slots, open addressing with linear probing and
 * backward-shift deletion (no tombstones, so lookups stay short however many deletes).
 * Slot: [used byte][stored key][value]. LPM tables store the address masked to its prefix
 * followed by the prefix length, and count live entries per prefix length so a lookup probes
 * only the lengths in use, longest first. A small LPM table (at most SL_LPM_SCAN_SLOTS slots)
 * also keeps its live slots ordered by prefix length, longest first, so a lookup is a scan that
 * stops at the first covering entry (the longest: one entry per prefix can cover an address). */
enum { SL_LPM_SCAN_SLOTS = 64 };
typedef struct SlTable {
    SlTableDecl decl;
    uint32_t key_len;   /* stored key bytes: key_size, +1 for the LPM prefix length */
    uint32_t slot_size; /* 1 + key_len + value_size */
    uint32_t mask;      /* slot count - 1 (a power of two, at least twice the capacity) */
    uint32_t count;     /* live entries */
    uint64_t seed;      /* placement only: no instruction can observe it */
    uint8_t *slots;
    uint32_t *plen_count; /* LPM: live entries per prefix length 0..8*key_size; else NULL */
    uint64_t plen_bits[3]; /* LPM: bit n set when some entry has prefix length n (n <= 128) */
    uint8_t lpm_order[SL_LPM_SCAN_SLOTS]; /* small LPM: the count live slots, longest prefix first */
} SlTable;

typedef struct SlFrame {
    uint32_t ret_pc;
    uint64_t saved[SL_NREGS - 6]; /* r6..r15 of the caller */
} SlFrame;

/* Field order matters: what a packet run touches comes first, so that a hypervisor switching
 * between many VMs touches few cache lines per VM (docs/hypervisor.md, "Costs"). */
struct SlVm {
    /* line 0: what every run reads or writes (with the handler entries and the code, all a
     * packet that touches no register, state or table costs a switching hypervisor) */
    SlInsn *code;
    uint32_t *handler_entry; /* first instruction of each handler's function */
    uint8_t *state;
    uint64_t insns;          /* of the run in progress (between sl_vm_run and DONE/FAULT) */
    uint64_t packet_budget;  /* cfg.packet_budget, on this line */
    uint32_t pc;
    uint32_t win_lo, win_hi, origin; /* packet window and the packet's first byte at run start */
    uint32_t state_size;
    uint8_t handler_count;   /* <= SL_MAX_HANDLERS */
    uint8_t depth;           /* frames below the handler's, < SL_MAX_CALL_DEPTH */
    uint8_t busy;
    uint8_t debug;           /* dbg_hook is set: runs go through sl_interp_debug */
    /* the rest */
    SlVmConfig cfg;
    SlDebugHook dbg_hook;    /* sl_vm_set_debug_hook (8 bytes that start the registers on line 2) */
    uint64_t *consts;
    uint32_t *func_entry;    /* first instruction of each function */
    SlTable *tables;
    uint32_t table_count;
    uint32_t port_count;
    uint64_t rng; /* SplitMix64 state */
    uint64_t regs[SL_NREGS];
    /* Saved call frames: max_frames of them, a bound on what the code can use (sl_vm_max_frames),
     * so that a VM whose handlers call nothing carries no frame memory. */
    SlFrame *frames;
    uint32_t max_frames;
    uint32_t code_count;
    SlImage img;
    void *dbg_user;
};
_Static_assert(SL_MAX_HANDLERS <= 255 && SL_MAX_CALL_DEPTH <= 255,
               "SlVm keeps handler_count and depth in a byte");

/* vm.c: frames a run of img's code can need at most (without recursion each frame is pushed by a
 * call in a different function, so the call instructions bound it; the verifier bounds it by
 * SL_MAX_CALL_DEPTH - 1). */
uint32_t sl_vm_max_frames(const SlImage *img);

/* table.c */
int sl_table_get(SlTable *t, const uint8_t *key, uint8_t *value);
int sl_table_put(SlTable *t, const uint8_t *key, const uint8_t *value); /* 1 new, 0 replaced, -1 full, -2 bad prefix */
int sl_table_del(SlTable *t, const uint8_t *key);                      /* 1 deleted, 0 absent, -2 bad prefix */
void sl_table_clear(SlTable *t);
size_t sl_table_bytes(const SlTableDecl *d, uint32_t *slots);

/* The hash instruction's function: FNV-1a-64 then the SplitMix64 finaliser. */
uint64_t sl_hash_bytes(const uint8_t *p, uint64_t n);
uint64_t sl_mix64(uint64_t x);

/* interp.c: runs from vm->pc until DONE, FAULT or YIELD; returns 0 (sl_vm_run's result). */
int sl_interp(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);
/* The same with vm->dbg_hook called before every instruction (the debugger's instance). */
int sl_interp_debug(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);

#endif

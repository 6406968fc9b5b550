/* slemu's interactive debugger (`slemu --repl`): the session every repl_*.c file shares.
 *
 * The REPL drives VMs itself, one packet at a time, instead of through the hypervisor's
 * scheduler: a debugger needs to stop a run in the middle of a packet and look around, and
 * packets then run strictly one after the other (docs/debugger.md says what this changes for
 * a setup file: quotas and scheduling are not modelled, port maps are). Runs go through the
 * interpreter's debug instance (vm.h, sl_vm_set_debug_hook) only while something needs it
 * (breakpoints, watches, stepping); otherwise through the fast path.
 *
 * Files, one job each:
 *   repl.c          entry, options, the command table, dispatch and help, script mode
 *   repl_line.c     line editing: GNU readline, history file, tab completion
 *   repl_session.c  VMs and port bindings: load, unload, vms, ports, reset, stats
 *   repl_exec.c     running: run, continue, stop, step/next/finish/stepi, the hook, bt
 *   repl_break.c    breakpoints and watchpoints
 *   repl_expr.c     expressions: parsing, evaluation, printing of values
 *   repl_dissect.c  packet dissection (Ethernet .. TCP), header fields, hexdumps
 *   repl_craft.c    packet crafting for `send` (hex or eth(..)/ipv4(..)/udp(..)/bytes(..))
 *   repl_cmds.c     print, x, pkt, table, disas, list, info, set
 *   repl_debug.c    debug info: symbols, lines, functions, source files
 *   repl_types.c    the program's header types and header variables (DBG_TYPES): print h,
 *                   h.field in expressions, pkt's program layers, pkt as TYPE
 *
 * Everything prints on stdout (errors as "error: ..."), so a transcript keeps its order. */
#ifndef SLUICE_EMU_REPL_H
#define SLUICE_EMU_REPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dbg_types.h"
#include "portio.h"
#include "setup.h"
#include "vm.h"

enum {
    REPL_MAX_VMS = 16,
    REPL_MAX_PORTS = 256,
    REPL_MAX_BREAKS = 256,
    REPL_MAX_BYTES = 64,      /* a value's bytes at most (keys, IPv6 addresses, slices) */
    REPL_MAX_ARGS = 64,
    REPL_NO_PORT = 0xffffffffu,
};

typedef struct Repl Repl;

/* ---- debug info (repl_debug.c) ---- */

typedef struct ReplSym {
    uint8_t kind; /* SL_SYM_* */
    uint32_t value, size;
    char *name;   /* terminated copy */
} ReplSym;

typedef struct ReplSource {
    char *name;   /* as in the image's file table */
    char *text;   /* NULL when the file could not be read */
    char **lines; /* lines[i] = line i+1, terminated copies */
    uint32_t nlines;
} ReplSource;

typedef struct ReplDebug {
    ReplSym *syms;
    uint32_t nsyms;
    ReplSource *files;
    uint32_t nfiles;
    int has_lines; /* the image has a line table */
    SlDbgTypes types;     /* DBG_TYPES: header types and header variables (empty when none) */
    char types_err[160];  /* why DBG_TYPES was ignored (malformed), or "" */
} ReplDebug;

/* ---- VMs (repl_session.c) ---- */

typedef struct ReplTimer {
    uint32_t handler;
    uint64_t period_ns, due;
    int off;
} ReplTimer;

typedef struct ReplVm {
    int used;
    char *name;
    char *path;
    uint8_t *bytes; /* the image's bytes: the SlImage points into them */
    size_t size;
    SlImage img;
    void *mem;
    SlVm *vm;
    uint32_t packet_handler; /* handler index, or UINT32_MAX */
    ReplTimer *timers;
    uint32_t ntimers;
    ReplDebug dbg;
    uint32_t out_map[REPL_MAX_PORTS]; /* vport -> physical port (REPL_NO_PORT: none) */
    /* counters */
    uint64_t runs, insns, sent, dropped, punted, clones, faults;
    uint64_t fault[SL_FAULT_COUNT];
} ReplVm;

/* Setup files' input maps: a frame on phys matching (vlan, ethertype, tunnel) goes to vm:vport. */
typedef struct ReplInMap {
    SlHvMatch match;
    uint32_t vm, vport;
} ReplInMap;

typedef struct ReplPort {
    char *in_spec, *out_spec; /* bindings as given, or NULL */
    SlPortFile *in, *out;
    SlPortFrame next;         /* the input's next frame, when have_next */
    int have_next, at_end, live;
    uint64_t in_count, out_count, dropped, no_match;
} ReplPort;

/* ---- breakpoints (repl_break.c) ---- */

typedef enum ReplBreakKind {
    BK_INSN = 1,  /* at instruction indexes (a line, a function, a label or *N) */
    BK_FAULT = 2, /* after a run faults */
    BK_DROP = 3,  /* before the instruction that drops the packet */
    BK_SEND = 4,  /* before a send (or clone) to a port */
    BK_WATCH = 5, /* state bytes or a table entry changed */
} ReplBreakKind;

typedef struct ReplBreak {
    int num;       /* 0: free slot */
    int kind;      /* ReplBreakKind */
    int enabled;
    uint32_t vm;
    char *where;   /* as the user wrote it */
    char *cond;    /* condition text, or NULL */
    uint32_t *pcs; /* BK_INSN */
    uint32_t npcs;
    uint32_t port; /* BK_SEND: REPL_NO_PORT = any */
    /* BK_WATCH: state bytes [addr, addr+len), or table `table` entry `key` */
    int watch_table;
    uint32_t addr, len, table;
    uint8_t key[REPL_MAX_BYTES];
    uint8_t old[SL_MAX_VALUE + 1]; /* last seen bytes (table: [0] presence, then the value) */
    uint64_t hits;
    uint64_t ignore; /* stops to let pass (continue N) */
} ReplBreak;

/* ---- run state (repl_exec.c) ---- */

typedef enum ReplStep {
    STEP_NONE = 0,
    STEP_INSN,   /* stepi: stop after `count` instructions */
    STEP_LINE,   /* step: stop at a new source line, into calls */
    STEP_OVER,   /* next: stop at a new source line in this frame or a caller */
    STEP_FINISH, /* finish: stop once the frame returned */
    STEP_NEXTI,  /* nexti: one instruction in this frame or a caller */
} ReplStep;

typedef enum ReplJobKind {
    JOB_PACKET = 0,
    JOB_INIT = 1,
    JOB_TIMER = 2,
    JOB_SEND = 3, /* a crafted packet (send) */
} ReplJobKind;

typedef struct ReplRun {
    int active;       /* a handler run is in flight (stopped inside) */
    int have_packet;  /* pkt holds the current or last packet */
    int finished;     /* the last run ended (pkt, regs: as it left them) */
    uint32_t vm;
    int kind;         /* ReplJobKind */
    uint32_t handler;
    uint32_t phys;    /* arrival port, or REPL_NO_PORT */
    uint64_t number;  /* packet number (1-based, inputs and sends) */
    SlPacket pkt;
    uint32_t pc;      /* where it stopped */
    SlResult res;     /* of the last sl_vm_run/resume */
    uint32_t orig_len;
} ReplRun;

struct Repl {
    FILE *out;
    int interactive;   /* a terminal: prompt, readline */
    int echo;          /* script mode: print each command */
    int errors;        /* commands that failed (script mode exit status) */
    int quit;
    int exit_status;
    const SlPortIo *io;
    SlVmConfig cfg;
    int setup_mode;    /* ports and maps from a setup file */
    char *setup_path;
    ReplVm vms[REPL_MAX_VMS];
    uint32_t cur;      /* the current VM */
    ReplPort ports[REPL_MAX_PORTS];
    uint32_t nports;
    ReplInMap *maps;
    uint32_t nmaps;
    int started;       /* init has run */
    uint64_t now;      /* time of the last run */
    uint64_t packets;  /* packets taken from inputs or sends */
    ReplRun run;
    ReplBreak breaks[REPL_MAX_BREAKS];
    int next_break;
    /* stepping and the hook's state */
    int step;          /* ReplStep */
    uint64_t step_count;
    uint32_t step_depth, step_line, step_file;
    int skip_once;     /* the hook lets the next instruction run (resuming from a stop) */
    int stop_reason;   /* set by the hook: why it stopped */
    int stop_break;    /* breakpoint number that stopped it */
    char stop_msg[512];
    volatile int interrupted; /* SIGINT while running */
    uint64_t stepped;  /* instructions run since the last resume */
    int init_done[REPL_MAX_VMS];
    int silent;        /* repl_printf prints nothing (the middle steps of `step N`) */
};

/* ---- repl.c ---- */
/* slemu's entry into the REPL: wanted when --repl is among the arguments, or when there are
 * no arguments and standard input and output are terminals. Returns the exit status. */
int sl_repl_wanted(int argc, char **argv);
int sl_repl_main(int argc, char **argv);

void repl_printf(Repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void repl_error(Repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int repl_execute(Repl *r, const char *line);
const char *const *repl_command_names(void);

/* ---- repl_line.c ---- */
void repl_line_init(Repl *r);
char *repl_line_read(Repl *r, const char *prompt); /* malloc'd, NULL at EOF */
void repl_line_done(Repl *r);

/* ---- repl_debug.c ---- */
int repl_debug_load(ReplDebug *d, const SlImage *img, const char *image_path);
void repl_debug_free(ReplDebug *d);
const ReplSym *repl_sym_find(const ReplDebug *d, int kind, const char *name);
int repl_func_of(const SlImage *img, uint32_t pc);                   /* function index or -1 */
const char *repl_func_name(const ReplVm *v, uint32_t func, char *buf, size_t cap);
/* "fname+off" for an instruction. */
void repl_where(const ReplVm *v, uint32_t pc, char *buf, size_t cap);
/* file:line of an instruction ("" when none); returns 1 when found. */
int repl_line_of(const ReplVm *v, uint32_t pc, SlLine *out);
const char *repl_file_name(const ReplVm *v, uint32_t file);
const char *repl_source_line(const ReplVm *v, uint32_t file, uint32_t line);
/* Resolves a location: "file:line", "line", "function", "handler", "label", "*N". Fills a
 * malloc'd list of instruction indexes. 0 or -1 with err. */
int repl_resolve_location(const ReplVm *v, const char *text, uint32_t cur_pc, uint32_t **pcs,
                          uint32_t *npcs, char *err, size_t errcap);
/* The variable of the current function named name (short or "function.name"). */
const ReplSym *repl_var_find(const ReplVm *v, uint32_t pc, const char *name);

/* ---- repl_session.c ---- */
void repl_session_init(Repl *r);
void repl_session_free(Repl *r);
ReplVm *repl_cur(Repl *r); /* NULL when nothing is loaded */
int repl_load(Repl *r, const char *path, const char *name);
int repl_load_setup(Repl *r, const char *path);
int repl_bind(Repl *r, uint32_t phys, int output, const char *spec);
int repl_open_ports(Repl *r);
void repl_emit(Repl *r, uint32_t vm, uint32_t vport, const uint8_t *data, uint32_t len);
int cmd_load(Repl *r, int argc, char **argv);
int cmd_unload(Repl *r, int argc, char **argv);
int cmd_vms(Repl *r, int argc, char **argv);
int cmd_vm(Repl *r, int argc, char **argv);
int cmd_ports(Repl *r, int argc, char **argv);
int cmd_reset(Repl *r, int argc, char **argv);
int cmd_stats(Repl *r, int argc, char **argv);

/* ---- repl_exec.c ---- */
int repl_run_packet(Repl *r, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t, int kind,
                    int report);
void repl_update_hook(Repl *r);
void repl_abort_run(Repl *r);
int cmd_run(Repl *r, int argc, char **argv);
int cmd_continue(Repl *r, int argc, char **argv);
int cmd_stop(Repl *r, int argc, char **argv);
int cmd_step(Repl *r, int argc, char **argv);
int cmd_next(Repl *r, int argc, char **argv);
int cmd_stepi(Repl *r, int argc, char **argv);
int cmd_finish(Repl *r, int argc, char **argv);
int cmd_bt(Repl *r, int argc, char **argv);
void repl_show_location(Repl *r, const ReplVm *v, uint32_t pc);

/* ---- repl_break.c ---- */
int cmd_break(Repl *r, int argc, char **argv);
int cmd_watch(Repl *r, int argc, char **argv);
int cmd_delete(Repl *r, int argc, char **argv);
int cmd_enable(Repl *r, int argc, char **argv);
int cmd_disable(Repl *r, int argc, char **argv);
int cmd_condition(Repl *r, int argc, char **argv);
void repl_info_breaks(Repl *r);
int repl_breaks_active(const Repl *r, uint32_t vm);
void repl_breaks_drop_vm(Repl *r, uint32_t vm);
/* The hook's check before instruction pc: returns the breakpoint that fires, or NULL. */
ReplBreak *repl_break_check(Repl *r, SlVm *vm, const SlPacket *pkt, uint32_t pc);
ReplBreak *repl_break_fault(Repl *r);
void repl_watch_snapshot(Repl *r);

/* ---- repl_expr.c ---- */
typedef enum ReplHint {
    HINT_NONE = 0,
    HINT_MAC = 1,
    HINT_IPV4 = 2,
    HINT_IPV6 = 3,
} ReplHint;

typedef struct ReplValue {
    int is_bytes;  /* bytes[0..len) (big-endian as an integer when len <= 8) */
    uint64_t v;    /* integer value (also set for byte strings of at most 8 bytes) */
    uint8_t bytes[REPL_MAX_BYTES];
    uint32_t len;
    int hint;      /* ReplHint */
    uint32_t bits; /* width for /x padding (0: natural) */
} ReplValue;

/* Context an expression is evaluated in: the current VM, the packet and the stop pc. */
typedef struct ReplCtx {
    Repl *r;
    ReplVm *v;
    const SlPacket *pkt; /* NULL: no packet */
    uint32_t pc;
    int have_regs;
    int absent;          /* set when a header field was absent */
} ReplCtx;

void repl_ctx(Repl *r, ReplCtx *c);
/* 0 with *out, or -1 with err. */
int repl_eval(ReplCtx *c, const char *text, ReplValue *out, char *err, size_t errcap);
/* fmt: 0 natural, 'x', 'd', 'm' (MAC), 'i' (IP), 'b' (bytes) */
void repl_value_format(const ReplValue *v, int fmt, char *buf, size_t cap);
/* A value as `size` bytes: byte strings of that length as they are, integers little-endian
 * (as stm stores them). 0, or -1 when it does not fit. */
int repl_value_bytes(const ReplValue *v, uint32_t size, uint8_t *out);
/* Parses the literal forms alone (numbers, MAC, IPv4, IPv6, hex bytes) for table keys. */
int repl_parse_literal(const char *text, ReplValue *out);

/* ---- repl_dissect.c ---- */
typedef struct ReplField {
    const char *layer; /* "eth", "vlan", "arp", "ip", "ipv6", "icmp", "icmpv6", "udp", "tcp" */
    const char *name;  /* "src", "ttl", ... */
    uint32_t off;      /* byte offset in the packet */
    uint32_t bitoff;   /* bit offset inside, from the first byte's most significant bit */
    uint32_t bits;     /* width: bits (<= 64) or bytes*8 for addresses */
    int hint;
    const char *label; /* what tshark would call it */
    uint32_t li;       /* index of its layer in the dissection */
} ReplField;

typedef struct ReplDissection {
    ReplField fields[128];
    uint32_t nfields;
    char layers[16][16];
    uint32_t layer_off[16];
    uint32_t nlayers;
    uint32_t payload_off; /* where the undissected bytes start */
} ReplDissection;

void repl_dissect(const uint8_t *p, uint32_t len, ReplDissection *d);
/* Finds "layer.field" (aliases ip4 -> ip, ipv4 -> ip, ip6 -> ipv6, ether -> eth). 1 found, 0 the
 * layer is absent from this packet, -1 no such field. */
int repl_field_get(const uint8_t *p, uint32_t len, const char *name, ReplValue *out);
const char *const *repl_field_names(void); /* every known "layer.field", NULL-terminated */
void repl_print_packet(Repl *r, const uint8_t *p, uint32_t len);
void repl_hexdump(Repl *r, const uint8_t *p, uint32_t len, uint32_t base);
uint16_t repl_csum(const uint8_t *p, uint32_t len, uint32_t init);

/* ---- repl_types.c ---- */
/* The header variable `name` ("h" in the current function, or "function.h") for a stop at pc:
 * the one whose scope holds pc when several share the name. *in_scope says whether pc is in
 * its scope. NULL when there is none. */
const SlDbgHdr *repl_hdr_find(const ReplVm *v, uint32_t pc, const char *name, int *in_scope);
const SlDbgType *repl_type_find(const ReplVm *v, const char *name);
const SlDbgField *repl_type_field(const SlDbgType *t, const char *name);
/* Evaluates "h.field" or "TYPE@OFFSET.field"-free forms: h.field of a header variable. 1 with
 * *out, 0 when name is not a header variable's field, -1 with err (absent set when the header
 * is out of scope or past the end of the packet). */
int repl_hdr_field_get(ReplCtx *c, const char *name, ReplValue *out, char *err, size_t errcap);
/* print h: the header variable's fields. 1 printed, 0 when text is no header variable, -1 error. */
int repl_print_hdr_var(Repl *r, const char *text, int fmt);
/* pkt: after the standard layers, the header variables in scope at the stop. */
void repl_print_hdr_vars(Repl *r);
/* pkt as TYPE [OFFSET] */
int repl_pkt_as(Repl *r, int argc, char **argv);
/* info locals: whether "function.name" names a header variable; the header variables of
 * function fn, one line each (1 when there was one). */
int repl_is_hdr_var(const ReplVm *v, const char *full_name);
int repl_info_hdr_vars(Repl *r, const char *fn);
/* Names for completion: header variables (short names and name.field) and type names. */
void repl_hdr_names(const ReplVm *v, void (*add)(const char *));
void repl_type_names(const ReplVm *v, void (*add)(const char *));

/* ---- repl_craft.c ---- */
/* Builds a frame from hex or layered text into buf (cap bytes). Length or -1 with err. */
int repl_craft(const char *spec, uint8_t *buf, uint32_t cap, char *err, size_t errcap);
int cmd_send(Repl *r, int argc, char **argv);

/* ---- repl_cmds.c ---- */
int cmd_print(Repl *r, int argc, char **argv);
int cmd_x(Repl *r, int argc, char **argv);
int cmd_pkt(Repl *r, int argc, char **argv);
int cmd_table(Repl *r, int argc, char **argv);
int cmd_disas(Repl *r, int argc, char **argv);
int cmd_list(Repl *r, int argc, char **argv);
int cmd_info(Repl *r, int argc, char **argv);
int cmd_set(Repl *r, int argc, char **argv);

/* Joins argv[from..argc) with spaces into buf. */
void repl_join(int argc, char **argv, int from, char *buf, size_t cap);
int repl_parse_u64(const char *s, uint64_t *v);

#endif

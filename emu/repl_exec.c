/* Running programs under the debugger: run, continue, stop, the stepping commands, bt, and the
 * per-instruction hook that makes them work.
 *
 * One handler run is in flight at most. A run goes through sl_vm_run/sl_vm_resume; when the
 * hook (vm.h, sl_vm_set_debug_hook) returns non-zero, the interpreter yields *before* the
 * instruction it was asked about, and the run stays in flight (`active`) until a command
 * resumes it. Resuming sets skip_once, so the hook lets that first instruction run: every later
 * hook call means exactly one instruction ran since the previous one, which is how stepi
 * counts. The hook is installed only while a breakpoint, a watchpoint or a step needs it;
 * otherwise runs take the interpreter's fast path.
 *
 * Jobs come in the order slemu uses: the earliest input frame (ties: lower port), with each
 * VM's init at the first frame's time and its timers before every frame past their due time.
 * A finished run leaves its packet, registers and result for print, pkt and x. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "repl.h"

enum {
    SLICE = 1 << 20,      /* fuel per slice: a run that yields is resumed at once */
    TIMER_CATCHUP = 1000, /* periods a timer may fall behind before runs are skipped */
};

typedef enum StopReason {
    STOP_NONE = 0,
    STOP_BREAK,
    STOP_WATCH,
    STOP_STEP,
    STOP_INTERRUPT,
} StopReason;

static volatile sig_atomic_t got_sigint; /* set by the SIGINT handler while running */

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

/* Counts for the summary of a run/continue command. */
typedef struct Tally {
    uint64_t packets, events, sent, dropped, punted, faults;
} Tally;

static Tally tally;

static int hook(void *user, SlVm *vm, const SlPacket *pkt, uint32_t pc);

static int line_at(const ReplVm *v, uint32_t pc, uint32_t *file, uint32_t *line)
{
    SlLine l;
    if (!repl_line_of(v, pc, &l))
        return 0;
    *file = l.file;
    *line = l.line;
    return 1;
}

void repl_update_hook(Repl *r)
{
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
        ReplVm *v = &r->vms[i];
        if (!v->used)
            continue;
        int need = repl_breaks_active(r, i) || (r->step != STEP_NONE && r->run.vm == i);
        sl_vm_set_debug_hook(v->vm, need ? hook : NULL, r);
    }
}

static int hook(void *user, SlVm *vm, const SlPacket *pkt, uint32_t pc)
{
    Repl *r = user;
    ReplVm *v = &r->vms[r->run.vm];
    if (got_sigint) {
        r->stop_reason = STOP_INTERRUPT;
        return 1;
    }
    if (r->skip_once) { /* resuming: the stopped instruction runs now */
        r->skip_once = 0;
        return 0;
    }
    r->stepped++;
    ReplBreak *b = repl_break_check(r, vm, pkt, pc);
    if (b) {
        r->stop_reason = b->kind == BK_WATCH ? STOP_WATCH : STOP_BREAK;
        r->stop_break = b->num;
        return 1;
    }
    uint32_t depth = sl_vm_depth(vm), file, line;
    switch ((ReplStep)r->step) {
    case STEP_NONE: return 0;
    case STEP_INSN:
        if (--r->step_count == 0)
            break;
        return 0;
    case STEP_LINE:
        if (!line_at(v, pc, &file, &line) || (line == r->step_line && file == r->step_file && depth == r->step_depth))
            return 0;
        break;
    case STEP_NEXTI:
        if (depth > r->step_depth)
            return 0;
        break;
    case STEP_OVER:
        if (depth > r->step_depth)
            return 0;
        if (!line_at(v, pc, &file, &line) || (line == r->step_line && file == r->step_file && depth == r->step_depth))
            return 0;
        break;
    case STEP_FINISH:
        if (depth >= r->step_depth)
            return 0;
        break;
    }
    r->stop_reason = STOP_STEP;
    return 1;
}

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Repl *r = user;
    r->vms[r->run.vm].clones++;
    repl_emit(r, r->run.vm, port, data, len);
}

/* Makes the run's buffer hold len bytes at SL_PKT_HEADROOM with the window vm.h asks for. */
static int reserve(ReplRun *run, uint32_t len)
{
    uint64_t need = (uint64_t)SL_PKT_HEADROOM + (len > SL_PKT_MAX ? len : SL_PKT_MAX);
    if (need > UINT32_MAX)
        return -1;
    if (need > run->pkt.cap) {
        uint8_t *buf = realloc(run->pkt.buf, (size_t)need);
        if (!buf)
            return -1;
        run->pkt.buf = buf;
        run->pkt.cap = (uint32_t)need;
    }
    memset(run->pkt.buf, 0, run->pkt.cap);
    run->pkt.head = SL_PKT_HEADROOM;
    run->pkt.len = len;
    return 0;
}

void repl_show_location(Repl *r, const ReplVm *v, uint32_t pc)
{
    char where[96], text[128] = "";
    uint32_t count;
    const SlInsn *code = sl_vm_code(v->vm, &count);
    SlLine l;
    repl_where(v, pc, where, sizeof where);
    if (repl_line_of(v, pc, &l)) {
        const char *src = repl_source_line(v, l.file, l.line);
        repl_printf(r, "%s:%u: %s\n", repl_file_name(v, l.file), l.line, src ? src + strspn(src, " \t") : "");
    }
    if (pc < count)
        sl_insn_format(text, sizeof text, &code[pc], pc);
    repl_printf(r, "=> %u <%s>: %s\n", pc, where, text);
}

static const char *job_name(int kind)
{
    switch ((ReplJobKind)kind) {
    case JOB_PACKET: return "packet";
    case JOB_INIT: return "init";
    case JOB_TIMER: return "timer";
    case JOB_SEND: return "sent packet";
    }
    return "?";
}

static void describe_job(Repl *r, char *buf, size_t cap)
{
    if (r->run.kind == JOB_INIT || r->run.kind == JOB_TIMER)
        snprintf(buf, cap, "%s run", job_name(r->run.kind));
    else
        snprintf(buf, cap, "packet %" PRIu64 " (port %u, %u bytes)", r->run.number, r->run.phys, r->run.orig_len);
}

static void report_stop(Repl *r)
{
    ReplVm *v = &r->vms[r->run.vm];
    char job[96];
    describe_job(r, job, sizeof job);
    switch ((StopReason)r->stop_reason) {
    case STOP_BREAK: /* stop_msg: a condition that could not be evaluated */
        repl_printf(r, "%sBreakpoint %d, %s, VM '%s'\n", r->stop_msg, r->stop_break, job, v->name);
        break;
    case STOP_WATCH: repl_printf(r, "%s", r->stop_msg); break;
    case STOP_INTERRUPT: repl_printf(r, "Interrupted, %s\n", job); break;
    case STOP_STEP:
    case STOP_NONE: break;
    }
    repl_show_location(r, v, r->run.pc);
}

/* A run ended (DONE or FAULT): counts, outputs, and the one-line report. Returns 1 when a
 * `break fault` stops here. */
static int finish_run(Repl *r, int report)
{
    ReplVm *v = &r->vms[r->run.vm];
    const SlResult *res = &r->run.res;
    char job[96], text[128] = "", where[96];
    r->run.active = 0;
    r->run.finished = 1;
    v->runs++;
    v->insns += res->insns;
    describe_job(r, job, sizeof job);
    if (r->run.kind == JOB_INIT || r->run.kind == JOB_TIMER)
        tally.events++;
    if (res->status == SL_RUN_FAULT) {
        uint32_t count;
        const SlInsn *code = sl_vm_code(v->vm, &count);
        v->faults++;
        v->fault[res->fault < SL_FAULT_COUNT ? res->fault : 0]++;
        tally.faults++;
        r->run.pc = res->pc;
        if (res->pc < count)
            sl_insn_format(text, sizeof text, &code[res->pc], res->pc);
        repl_where(v, res->pc, where, sizeof where);
        ReplBreak *b = repl_break_fault(r);
        if (b || report)
            repl_printf(r, "%s: fault %s (%s) at insn %u <%s>: %s", job, sl_fault_name(res->fault),
                        sl_fault_text(res->fault), res->pc, where, text);
        if (res->fault == SL_FAULT_TRAP && (b || report))
            repl_printf(r, ", trap %" PRId32, res->trap);
        if (b || report)
            repl_printf(r, "\n");
        if (b) {
            repl_printf(r, "Breakpoint %d (fault), VM '%s'\n", b->num, v->name);
            SlLine l;
            if (repl_line_of(v, res->pc, &l))
                repl_printf(r, "%s:%u\n", repl_file_name(v, l.file), l.line);
            return 1;
        }
        return 0;
    }
    switch ((SlVerdict)res->verdict) {
    case SL_VERDICT_SEND:
        v->sent++;
        tally.sent++;
        if (report)
            repl_printf(r, "%s: sent to port %u (%u bytes), %" PRIu64 " instructions\n", job, res->port,
                        r->run.pkt.len, res->insns);
        repl_emit(r, r->run.vm, res->port, r->run.pkt.buf + r->run.pkt.head, r->run.pkt.len);
        break;
    case SL_VERDICT_PUNT:
        v->punted++;
        tally.punted++;
        if (report)
            repl_printf(r, "%s: punted, %" PRIu64 " instructions\n", job, res->insns);
        break;
    case SL_VERDICT_DROP:
        if (r->run.kind != JOB_INIT && r->run.kind != JOB_TIMER) {
            v->dropped++;
            tally.dropped++;
        }
        if (report)
            repl_printf(r, "%s: %s, %" PRIu64 " instructions\n", job,
                        r->run.kind == JOB_INIT || r->run.kind == JOB_TIMER ? "done" : "dropped", res->insns);
        break;
    }
    return 0;
}

/* Runs (or resumes) the job in r->run until it stops or ends: 1 stopped, 0 ended, -1 error. */
static int drive(Repl *r, int resume, int report)
{
    ReplVm *v = &r->vms[r->run.vm];
    SlEnv env = {.user = r, .clone = on_clone, .now_ns = r->now};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    r->stop_reason = STOP_NONE;
    r->stop_msg[0] = '\0';
    r->stepped = 0;
    repl_update_hook(r);
    int rc;
    if (resume) {
        r->skip_once = 1;
        rc = sl_vm_resume(v->vm, &r->run.pkt, &env, SLICE, &r->run.res);
    } else {
        r->skip_once = 0;
        repl_watch_snapshot(r);
        rc = sl_vm_run(v->vm, r->run.handler, &r->run.pkt, &env, SLICE, &r->run.res);
    }
    while (rc == 0 && r->run.res.status == SL_RUN_YIELD && r->stop_reason == STOP_NONE)
        rc = sl_vm_resume(v->vm, &r->run.pkt, &env, SLICE, &r->run.res);
    sigaction(SIGINT, &old, NULL);
    r->skip_once = 0;
    if (rc < 0) {
        repl_error(r, "the VM refused to run: %s", sl_error_text(rc));
        if (sl_vm_busy(v->vm))
            sl_vm_abort(v->vm);
        r->run.active = 0;
        return -1;
    }
    if (r->run.res.status == SL_RUN_YIELD) {
        got_sigint = 0;
        r->run.active = 1;
        r->run.pc = r->run.res.pc;
        r->step = STEP_NONE;
        report_stop(r);
        return 1;
    }
    r->step = STEP_NONE;
    return finish_run(r, report);
}

void repl_abort_run(Repl *r)
{
    if (!r->run.active)
        return;
    ReplVm *v = &r->vms[r->run.vm];
    sl_vm_abort(v->vm);
    r->run.active = 0;
    r->run.finished = 1;
    if (r->run.kind != JOB_INIT && r->run.kind != JOB_TIMER)
        v->dropped++;
}

/* Starts a job on VM vm: copies the frame into the run's buffer. */
static int start_job(Repl *r, uint32_t vm, int kind, uint32_t handler, uint32_t phys, uint32_t vport,
                     const uint8_t *data, uint32_t len, uint64_t t)
{
    if (reserve(&r->run, len) < 0) {
        repl_error(r, "frame of %u bytes is too large", len);
        return -1;
    }
    if (len)
        memcpy(r->run.pkt.buf + r->run.pkt.head, data, len);
    r->run.pkt.in_port = vport;
    r->run.pkt.tstamp_ns = t;
    r->run.vm = vm;
    r->run.kind = kind;
    r->run.handler = handler;
    r->run.phys = phys;
    r->run.orig_len = len;
    r->run.have_packet = 1;
    r->run.finished = 0;
    r->now = t;
    if (kind == JOB_PACKET || kind == JOB_SEND) {
        r->run.number = ++r->packets;
        tally.packets++;
    }
    return 0;
}

/* Where a frame arriving on phys goes: 1 with vm and vport, 0 nowhere (counted). */
static int route(Repl *r, uint32_t phys, const uint8_t *data, uint32_t len, uint32_t *vm, uint32_t *vport)
{
    if (!r->setup_mode) {
        ReplVm *v = repl_cur(r);
        if (!v || phys >= v->img.port_count) {
            r->ports[phys].no_match++;
            return 0;
        }
        *vm = r->cur;
        *vport = phys;
        return 1;
    }
    uint32_t vlan, et, tun;
    sl_hv_classify(data, len, &vlan, &et, &tun);
    int best = -1, best_rank = -1;
    for (uint32_t i = 0; i < r->nmaps; i++) {
        const SlHvMatch *m = &r->maps[i].match;
        if (m->phys != phys || (m->vlan != SL_HV_ANY && m->vlan != vlan) ||
            (m->ethertype != SL_HV_ANY && m->ethertype != et) || (m->tunnel != SL_HV_ANY && m->tunnel != tun))
            continue;
        int rank = (m->tunnel != SL_HV_ANY) * 4 + (m->vlan != SL_HV_ANY) * 2 + (m->ethertype != SL_HV_ANY);
        if (rank > best_rank) {
            best = (int)i;
            best_rank = rank;
        }
    }
    if (best < 0 || !r->vms[r->maps[best].vm].used) {
        r->ports[phys].no_match++;
        return 0;
    }
    *vm = r->maps[best].vm;
    *vport = r->maps[best].vport;
    return 1;
}

/* The earliest waiting input frame (ties: lower port), or -1. */
static int next_input(Repl *r)
{
    int best = -1;
    for (uint32_t i = 0; i < r->nports; i++) {
        ReplPort *p = &r->ports[i];
        if (p->have_next && (best < 0 || p->next.tstamp_ns < r->ports[best].next.tstamp_ns))
            best = (int)i;
    }
    return best;
}

static int any_live(Repl *r)
{
    for (uint32_t i = 0; i < r->nports; i++)
        if (r->ports[i].in && r->ports[i].live)
            return 1;
    return 0;
}

/* Polls live inputs that have no frame yet; waits up to 100 ms when none has one. */
static void poll_live(Repl *r, int wait)
{
    char err[512];
    int fds[REPL_MAX_PORTS], n = 0;
    for (uint32_t i = 0; i < r->nports; i++) {
        ReplPort *p = &r->ports[i];
        if (!p->in || !p->live || p->have_next)
            continue;
        int rc = r->io->read(p->in, &p->next, err, sizeof err);
        if (rc < 0) {
            repl_error(r, "port %u: %s", i, err);
            p->at_end = 1;
            continue;
        }
        p->have_next = rc;
        if (!rc && r->io->poll_fd)
            fds[n++] = r->io->poll_fd(p->in);
    }
    if (wait && n && next_input(r) < 0)
        sl_live_wait(fds, n, sl_live_now_ns() + 100000000u);
}

/* Picks and starts the next job: an init, a due timer, or the next input frame. 1 started, 0
 * nothing left, -1 error. Frames that go to no VM are counted and skipped. */
static int next_job(Repl *r, int report)
{
    char err[512];
    for (;;) {
        if (any_live(r))
            poll_live(r, 1);
        int in = next_input(r);
        if (in < 0) {
            if (any_live(r) && !got_sigint)
                continue;
            return 0;
        }
        ReplPort *p = &r->ports[in];
        uint64_t t = p->next.tstamp_ns;
        /* init of every VM at the first frame's time, then timers due by t */
        for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
            ReplVm *v = &r->vms[i];
            if (!v->used || r->init_done[i])
                continue;
            r->init_done[i] = 1;
            for (uint32_t k = 0; k < v->ntimers; k++) {
                v->timers[k].off = t > UINT64_MAX - v->timers[k].period_ns;
                v->timers[k].due = v->timers[k].off ? 0 : t + v->timers[k].period_ns;
            }
            int h = sl_image_find_handler(&v->img, SL_HANDLER_INIT, 0);
            if (h >= 0)
                return start_job(r, i, JOB_INIT, (uint32_t)h, REPL_NO_PORT, SL_HV_NO_PORT, NULL, 0, t) < 0 ? -1 : 1;
        }
        r->started = 1;
        ReplTimer *next = NULL;
        uint32_t next_vm = 0;
        for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
            ReplVm *v = &r->vms[i];
            for (uint32_t k = 0; v->used && k < v->ntimers; k++) {
                ReplTimer *tm = &v->timers[k];
                if (!tm->off && tm->due <= t && (!next || tm->due < next->due)) {
                    next = tm;
                    next_vm = i;
                }
            }
        }
        if (next) {
            uint64_t behind = (t - next->due) / next->period_ns;
            if (behind > TIMER_CATCHUP)
                next->due += behind * next->period_ns;
            uint64_t due = next->due;
            if (next->due > UINT64_MAX - next->period_ns)
                next->off = 1;
            else
                next->due += next->period_ns;
            return start_job(r, next_vm, JOB_TIMER, next->handler, REPL_NO_PORT, SL_HV_NO_PORT, NULL, 0, due) < 0 ? -1
                                                                                                                  : 1;
        }
        /* the frame itself */
        SlPortFrame f = p->next;
        uint32_t vm, vport;
        p->in_count++;
        int routed = route(r, (uint32_t)in, f.data, f.caplen, &vm, &vport);
        int rc = 0;
        if (routed) {
            ReplVm *v = &r->vms[vm];
            rc = start_job(r, vm, JOB_PACKET, v->packet_handler, (uint32_t)in, vport, f.data, f.caplen, t);
        } else {
            r->packets++;
            tally.packets++;
            if (report)
                repl_printf(r, "packet %" PRIu64 " (port %d, %u bytes): no VM takes it (dropped)\n", r->packets, in,
                            f.caplen);
        }
        int rd = r->io->read(p->in, &p->next, err, sizeof err);
        if (rd < 0) {
            repl_error(r, "port %d: %s: %s", in, p->in_spec, err);
            rd = 0;
        }
        p->have_next = rd;
        p->at_end = rd == 0 && !p->live;
        if (rc < 0)
            return -1;
        if (routed)
            return 1;
    }
}

static int need_vm(Repl *r)
{
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        if (r->vms[i].used)
            return 0;
    repl_error(r, "no program loaded (load FILE)");
    return -1;
}

static void print_tally(Repl *r, const Tally *t)
{
    repl_printf(r, "%" PRIu64 " packets run: %" PRIu64 " sent, %" PRIu64 " dropped, %" PRIu64 " punted, %" PRIu64
                " faults", t->packets, t->sent, t->dropped, t->punted, t->faults);
    if (t->events)
        repl_printf(r, "; %" PRIu64 " init/timer runs", t->events);
    repl_printf(r, "\n");
}

/* Jobs until limit packets ran (0: no limit), a stop, or the end of the inputs. */
static int run_jobs(Repl *r, uint64_t limit, int report)
{
    uint64_t start = tally.packets;
    got_sigint = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    for (;;) {
        if (limit && tally.packets - start >= limit)
            return 0;
        sigaction(SIGINT, &sa, &old);
        int rc = got_sigint ? 0 : next_job(r, report);
        sigaction(SIGINT, &old, NULL);
        if (got_sigint) {
            got_sigint = 0;
            repl_printf(r, "Interrupted\n");
            return 1;
        }
        if (rc < 0)
            return -1;
        if (rc == 0) {
            repl_printf(r, "No more packets (the inputs are at their end)\n");
            return 0;
        }
        rc = drive(r, 0, report);
        if (rc != 0)
            return rc;
    }
}

int repl_run_packet(Repl *r, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t, int kind, int report)
{
    uint32_t vm, vport;
    if (r->run.active) {
        repl_error(r, "a run is stopped in the middle: continue or stop it first");
        return -1;
    }
    if (phys < REPL_MAX_PORTS && phys >= r->nports)
        r->nports = phys + 1;
    r->ports[phys].in_count++;
    if (!route(r, phys, data, len, &vm, &vport)) {
        r->packets++;
        repl_printf(r, "packet %" PRIu64 " (port %u, %u bytes): no VM takes it (dropped)\n", r->packets, phys, len);
        return 0;
    }
    memset(&tally, 0, sizeof tally);
    if (!r->init_done[vm]) { /* the VM's init first, as for the first input frame */
        ReplVm *v = &r->vms[vm];
        int h = sl_image_find_handler(&v->img, SL_HANDLER_INIT, 0);
        r->init_done[vm] = 1;
        for (uint32_t k = 0; k < v->ntimers; k++) {
            v->timers[k].off = t > UINT64_MAX - v->timers[k].period_ns;
            v->timers[k].due = v->timers[k].off ? 0 : t + v->timers[k].period_ns;
        }
        if (h >= 0) {
            if (start_job(r, vm, JOB_INIT, (uint32_t)h, REPL_NO_PORT, SL_HV_NO_PORT, NULL, 0, t) < 0)
                return -1;
            int rc = drive(r, 0, report);
            if (rc != 0) {
                if (rc > 0)
                    repl_printf(r, "(the init run stopped: the frame to send was not run)\n");
                return rc < 0 ? -1 : 0;
            }
        }
    }
    if (start_job(r, vm, kind, r->vms[vm].packet_handler, phys, vport, data, len, t) < 0)
        return -1;
    return drive(r, 0, report) < 0 ? -1 : 0;
}

int cmd_run(Repl *r, int argc, char **argv)
{
    uint64_t n = 0;
    if (argc > 2 || (argc == 2 && (repl_parse_u64(argv[1], &n) < 0 || n == 0))) {
        repl_error(r, "usage: run [N] (N > 0)");
        return -1;
    }
    if (need_vm(r) < 0)
        return -1;
    if (r->run.active) {
        repl_error(r, "a run is stopped in the middle: continue, step, or stop it first");
        return -1;
    }
    memset(&tally, 0, sizeof tally);
    int rc = run_jobs(r, n, n != 0);
    if (rc == 0 && !n)
        print_tally(r, &tally);
    return rc < 0 ? -1 : 0;
}

int cmd_continue(Repl *r, int argc, char **argv)
{
    uint64_t n = 1;
    if (argc > 2 || (argc == 2 && (repl_parse_u64(argv[1], &n) < 0 || n == 0))) {
        repl_error(r, "usage: continue [N] (N > 0)");
        return -1;
    }
    if (need_vm(r) < 0)
        return -1;
    memset(&tally, 0, sizeof tally);
    if (r->run.active) {
        tally.packets = r->run.kind == JOB_PACKET || r->run.kind == JOB_SEND; /* the one resumed */
        if (n > 1 && r->stop_break > 0)
            for (int i = 0; i < REPL_MAX_BREAKS; i++)
                if (r->breaks[i].num == r->stop_break)
                    r->breaks[i].ignore = n - 1;
        int rc = drive(r, 1, 1);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    int rc = run_jobs(r, 0, 0);
    if (rc == 0)
        print_tally(r, &tally);
    return rc < 0 ? -1 : 0;
}

int cmd_stop(Repl *r, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        repl_error(r, "usage: stop");
        return -1;
    }
    if (!r->run.active) {
        repl_error(r, "no run is stopped in the middle");
        return -1;
    }
    char job[96];
    describe_job(r, job, sizeof job);
    repl_abort_run(r);
    repl_printf(r, "%s abandoned (dropped)\n", job);
    return 0;
}

/* Common start of the stepping commands: a stopped run, or the next job started and stopped
 * at its first instruction. Returns 1 when stepping can go on from a stopped run, 0 when it
 * stopped at a new job's entry already (nothing more to do), -1 on error. */
static int step_start(Repl *r, int argc, char **argv, uint64_t *n)
{
    *n = 1;
    if (argc > 2 || (argc == 2 && (repl_parse_u64(argv[1], n) < 0 || *n == 0))) {
        repl_error(r, "usage: %s [N] (N > 0)", argv[0]);
        return -1;
    }
    if (need_vm(r) < 0)
        return -1;
    if (r->run.active)
        return 1;
    /* nothing in flight: start the next job and stop at its first instruction */
    memset(&tally, 0, sizeof tally);
    int rc = next_job(r, 1);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        repl_printf(r, "No more packets (the inputs are at their end)\n");
        return 0;
    }
    ReplVm *v = &r->vms[r->run.vm];
    char job[96];
    describe_job(r, job, sizeof job);
    repl_printf(r, "Starting %s on VM '%s'\n", job, v->name);
    /* stop before the first instruction: "finish" of a frame deeper than the handler's */
    r->step = STEP_FINISH;
    r->step_depth = 1;
    return drive(r, 0, 1) < 0 ? -1 : 0;
}

static int step_common(Repl *r, int argc, char **argv, int mode)
{
    uint64_t n;
    int rc = step_start(r, argc, argv, &n);
    if (rc <= 0)
        return rc;
    ReplVm *v = &r->vms[r->run.vm];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t file = 0, line = 0;
        int has = line_at(v, r->run.pc, &file, &line);
        r->step = mode;
        if (mode == STEP_LINE && !v->dbg.has_lines)
            r->step = STEP_INSN; /* no line table: instruction steps */
        if (mode == STEP_OVER && !v->dbg.has_lines)
            r->step = STEP_NEXTI;
        r->step_count = 1;
        r->step_depth = sl_vm_depth(v->vm);
        r->step_file = has ? file : 0;
        r->step_line = has ? line : 0;
        r->silent = i + 1 < n; /* only the last step shows where it stopped */
        rc = drive(r, 1, 1);
        r->silent = 0;
        if (rc <= 0) {
            if (i + 1 < n)
                repl_printf(r, "The run ended after %llu steps\n", (unsigned long long)i + 1);
            return rc < 0 ? -1 : 0;
        }
        if (r->stop_reason != STOP_STEP) { /* a breakpoint or watchpoint came first */
            if (i + 1 < n)
                report_stop(r);
            return 0;
        }
    }
    return 0;
}

int cmd_step(Repl *r, int argc, char **argv) { return step_common(r, argc, argv, STEP_LINE); }
int cmd_next(Repl *r, int argc, char **argv) { return step_common(r, argc, argv, STEP_OVER); }

int cmd_stepi(Repl *r, int argc, char **argv)
{
    int over = strcmp(argv[0], "nexti") == 0 || strcmp(argv[0], "ni") == 0;
    return step_common(r, argc, argv, over ? STEP_NEXTI : STEP_INSN);
}
int cmd_finish(Repl *r, int argc, char **argv)
{
    if (argc > 1) {
        repl_error(r, "usage: finish");
        return -1;
    }
    if (!r->run.active) {
        repl_error(r, "no run is stopped in the middle");
        return -1;
    }
    ReplVm *v = &r->vms[r->run.vm];
    r->step = STEP_FINISH;
    r->step_depth = sl_vm_depth(v->vm);
    (void)argv;
    if (r->step_depth == 0)
        repl_printf(r, "Run till the end of the %s run\n", r->run.kind == JOB_INIT ? "init" : r->run.kind == JOB_TIMER ? "timer" : "packet");
    else
        repl_printf(r, "Run till exit from frame #0\n");
    return drive(r, 1, 1) < 0 ? -1 : 0;
}

int cmd_bt(Repl *r, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        repl_error(r, "usage: bt");
        return -1;
    }
    int faulted = r->run.finished && r->run.res.status == SL_RUN_FAULT;
    if (!r->run.active && !faulted) {
        repl_error(r, "no run is stopped in the middle");
        return -1;
    }
    ReplVm *v = &r->vms[r->run.vm];
    uint32_t depth = sl_vm_depth(v->vm);
    uint32_t pc = r->run.pc;
    for (uint32_t f = 0; f <= depth; f++) {
        char where[96];
        SlLine l;
        repl_where(v, pc, where, sizeof where);
        repl_printf(r, "#%u  insn %u in %s", f, pc, where);
        if (repl_line_of(v, pc, &l))
            repl_printf(r, " at %s:%u", repl_file_name(v, l.file), l.line);
        repl_printf(r, "\n");
        if (f < depth)
            pc = sl_vm_frame_return(v->vm, depth - 1 - f) - 1; /* the call instruction */
    }
    return 0;
}

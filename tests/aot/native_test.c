/* The native runtime's contract (aot/native.h): it refuses code made for another image, keeps
 * sl_vm_run's rules, and a run preempted in native code resumes in the interpreter (and back)
 * to the same end as an uninterrupted interpreter run, at every yield point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aot.h"
#include "asm.h"
#include "hv.h"
#include "native.h"
#include "vm.h"

enum { BUF = SL_PKT_HEADROOM + SL_PKT_MAX };

/* Calls in a loop, packet edits and a table: every kind of yield point (back edge, call entry). */
static const char *const LOOP_SRC =
    ".state 64\n"
    ".table tb hash 4 4 16\n"
    ".port p0\n.port p1\n"
    ".handler packet main\n"
    ".func main\n"
    "    mov r9, 0\n    mov r6, 0\n    mov r7, 0\n"
    "loop:\n"
    "    mov r1, r6\n    call sq\n    add r7, r0\n"
    "    stm32 [r9+0], r6\n    stm32 [r9+4], r7\n    mov r2, 0\n    mov r3, 4\n"
    "    tput r4, r2, r3, tb\n"
    "    ldp8 r5, [r9+0]\n    add r5, r7\n    stp8 [r9+0], r5\n"
    "    add r6, 1\n    jlt r6, 12, loop\n"
    "    stm64 [r9+8], r7\n    mov r1, 1\n    send r1\n"
    ".func sq 1\n"
    "    mov r0, r1\n    mov r2, 3\n"
    "inner:\n    add r0, r1\n    sub r2, 1\n    jne r2, 0, inner\n"
    "    ret\n";

static const char *const OTHER_SRC = ".handler packet main\n.func main\n    drop\n";

typedef struct Fixture {
    uint8_t *bytes;
    size_t len;
    SlImage img;
    SlAotJit *jit;
} Fixture;

static void load(Fixture *f, const char *src)
{
    char err[2048];
    assert_int_equal(sl_asm_assemble(src, strlen(src), "t.sla", 0, &f->bytes, &f->len, err, sizeof err), 0);
    assert_int_equal(sl_image_parse(f->bytes, f->len, &f->img, err, sizeof err), 0);
    int rc = sl_aot_jit_create(&f->img, 2, &f->jit, err, sizeof err);
    if (rc)
        fail_msg("JIT: %s", err);
}

static void unload(Fixture *f)
{
    sl_aot_jit_destroy(f->jit);
    free(f->bytes);
}

static SlVm *vm_new(const SlImage *img, void **mem)
{
    size_t size = sl_vm_footprint(img);
    *mem = aligned_alloc(8, (size + 7) / 8 * 8);
    assert_non_null(*mem);
    SlVm *vm;
    char err[512];
    SlVmConfig cfg = {.seed = 7};
    assert_int_equal(sl_vm_create(*mem, size, img, &cfg, &vm, err, sizeof err), 0);
    return vm;
}

static void packet(SlPacket *p, uint8_t *buf)
{
    memset(buf, 0, BUF);
    for (int i = 0; i < 32; i++)
        buf[SL_PKT_HEADROOM + i] = (uint8_t)(i * 7);
    *p = (SlPacket){.buf = buf, .cap = BUF, .head = SL_PKT_HEADROOM, .len = 32};
}

static void refuses_other_image(void **unused)
{
    (void)unused;
    Fixture a, b;
    load(&a, LOOP_SRC);
    load(&b, OTHER_SRC);
    void *mem;
    SlVm *vm = vm_new(&a.img, &mem);
    uint8_t *buf = malloc(BUF);
    SlPacket p;
    packet(&p, buf);
    SlResult res;
    assert_int_equal(sl_native_check(sl_aot_jit_native(a.jit), vm), 0);
    assert_int_equal(sl_native_check(sl_aot_jit_native(b.jit), vm), -SL_EHASH);
    assert_int_equal(sl_native_run(vm, sl_aot_jit_native(b.jit), 0, &p, NULL, ~0ull, &res), -SL_EHASH);
    assert_int_equal(sl_vm_busy(vm), 0);
    /* a descriptor with one hash byte changed, or another ABI version */
    SlNative n = *sl_aot_jit_native(a.jit);
    uint8_t h[SL_IMAGE_HASH_SIZE];
    memcpy(h, n.hash, sizeof h);
    h[31] ^= 1;
    n.hash = h;
    assert_int_equal(sl_native_run(vm, &n, 0, &p, NULL, ~0ull, &res), -SL_EHASH);
    n = *sl_aot_jit_native(a.jit);
    n.abi = SL_NATIVE_ABI + 1;
    assert_int_equal(sl_native_run(vm, &n, 0, &p, NULL, ~0ull, &res), -SL_EARG);
    /* the right code runs */
    assert_int_equal(sl_native_run(vm, sl_aot_jit_native(a.jit), 0, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.status, SL_RUN_DONE);
    assert_int_equal(res.verdict, SL_VERDICT_SEND);
    assert_int_equal(res.port, 1);
    free(buf);
    free(mem);
    unload(&a);
    unload(&b);
}

static void keeps_run_rules(void **unused)
{
    (void)unused;
    Fixture a;
    load(&a, LOOP_SRC);
    const SlNative *n = sl_aot_jit_native(a.jit);
    void *mem;
    SlVm *vm = vm_new(&a.img, &mem);
    uint8_t *buf = malloc(BUF);
    SlPacket p;
    packet(&p, buf);
    SlResult res;
    assert_int_equal(sl_native_resume(vm, n, &p, NULL, 5, &res), -SL_ESTATE); /* nothing to resume */
    assert_int_equal(sl_native_run(vm, n, 1, &p, NULL, 5, &res), 0);        /* no handler 1 */
    assert_int_equal(res.status, SL_RUN_FAULT);
    assert_int_equal(res.fault, SL_FAULT_NO_HANDLER);
    assert_int_equal(sl_native_run(vm, n, 0, &p, NULL, 5, &res), 0);
    assert_int_equal(res.status, SL_RUN_YIELD);
    assert_int_equal(sl_native_run(vm, n, 0, &p, NULL, 5, &res), -SL_ESTATE); /* busy */
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, 5, &res), -SL_ESTATE);
    sl_vm_abort(vm);
    SlPacket small = p;
    small.head = 10; /* less than the headroom the window needs */
    assert_int_equal(sl_native_run(vm, n, 0, &small, NULL, 5, &res), -SL_EARG);
    free(buf);
    free(mem);
    unload(&a);
}

typedef struct Outcome {
    SlResult res;
    uint8_t buf[BUF];
    uint8_t state[64];
    uint32_t yields;
} Outcome;

/* Runs the handler in slices of `slice`; engine per slice from the bits of `pattern` (1 native). */
static void run_mixed(Fixture *f, uint64_t slice, uint64_t pattern, Outcome *o)
{
    void *mem;
    SlVm *vm = vm_new(&f->img, &mem);
    const SlNative *n = sl_aot_jit_native(f->jit);
    SlPacket p;
    packet(&p, o->buf);
    o->yields = 0;
    int rc = pattern & 1 ? sl_native_run(vm, n, 0, &p, NULL, slice, &o->res)
                         : sl_vm_run(vm, 0, &p, NULL, slice, &o->res);
    while (rc == 0 && o->res.status == SL_RUN_YIELD) {
        o->yields++;
        int native = (int)(pattern >> (o->yields % 64) & 1);
        rc = native ? sl_native_resume(vm, n, &p, NULL, slice, &o->res)
                    : sl_vm_resume(vm, &p, NULL, slice, &o->res);
    }
    assert_int_equal(rc, 0);
    uint32_t size;
    memcpy(o->state, sl_vm_state(vm, &size), sizeof o->state);
    free(mem);
}

static void preempted_runs_end_alike(void **unused)
{
    (void)unused;
    Fixture f;
    load(&f, LOOP_SRC);
    static Outcome ref, got;
    run_mixed(&f, ~0ull, 0, &ref); /* the interpreter, uninterrupted */
    assert_int_equal(ref.res.status, SL_RUN_DONE);
    assert_int_equal(ref.res.verdict, SL_VERDICT_SEND);
    static const uint64_t patterns[] = {~0ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
                                        0x0f0f0f0f0f0f0f0full, 0x123456789abcdef1ull};
    for (uint64_t slice = 1; slice <= 40; slice++) {
        for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
            run_mixed(&f, slice, patterns[k], &got);
            assert_memory_equal(&got.res, &ref.res, sizeof ref.res);
            assert_memory_equal(got.buf, ref.buf, BUF);
            assert_memory_equal(got.state, ref.state, sizeof ref.state);
            if (slice < ref.res.insns)
                assert_true(got.yields > 0);
        }
    }
    unload(&f);
}

/* What the hypervisor sent out of each physical port, concatenated. */
typedef struct Wire {
    uint8_t bytes[2][4096];
    size_t len[2];
} Wire;

static void wire_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t tstamp_ns)
{
    (void)tstamp_ns;
    Wire *w = user;
    assert_true(phys < 2 && w->len[phys] + len <= sizeof w->bytes[0]);
    memcpy(w->bytes[phys] + w->len[phys], data, len);
    w->len[phys] += len;
}

/* Two VMs of the same image in one hypervisor, VM 0 on native code (sl_native_hv_engine) and
 * VM 1 on the interpreter, both preempted every 5 instructions: the same frames out, the same
 * state, instruction and preemption counts. The engine can change only between packets. */
static void hypervisor_runs_native_code(void **unused)
{
    (void)unused;
    Fixture f;
    load(&f, LOOP_SRC);
    static Wire w;
    memset(&w, 0, sizeof w);
    char err[512];
    SlHvConfig cfg = {.phys_ports = 2, .max_vms = 2, .max_maps = 2, .seed = 7,
                      .ops = {.user = &w, .output = wire_output}};
    SlHvQuotas q = {.slice = 5, .queue_depth = 4};
    void *hmem = malloc(sl_hv_footprint(&cfg));
    SlHv *hv;
    assert_int_equal(sl_hv_create(hmem, sl_hv_footprint(&cfg), &cfg, &hv, err, sizeof err), 0);
    size_t vsize = sl_hv_vm_footprint(&f.img, &q);
    void *vmem[2];
    uint32_t id[2];
    for (int k = 0; k < 2; k++) {
        vmem[k] = aligned_alloc(64, (vsize + 63) / 64 * 64);
        assert_int_equal(sl_hv_vm_add(hv, vmem[k], vsize, &f.img, &q, &id[k], err, sizeof err), 0);
        assert_int_equal(sl_hv_map_out(hv, id[k], 1, (uint32_t)k), 0);
    }
    const SlNative *n = sl_aot_jit_native(f.jit);
    const SlHvEngine half = {.run = sl_native_hv_engine.run};
    assert_int_equal(sl_hv_vm_set_engine(hv, id[0], &half, n), -SL_EARG);
    assert_int_equal(sl_hv_vm_set_engine(hv, 99, &sl_native_hv_engine, n), -SL_EARG);
    assert_int_equal(sl_hv_vm_set_engine(hv, id[0], &sl_native_hv_engine, n), 0);

    static uint8_t bufs[2][3][BUF];
    static SlPacket pkts[2][3];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++) {
            memset(bufs[k][i], 0, BUF);
            for (int b = 0; b < 64; b++)
                bufs[k][i][SL_PKT_HEADROOM + b] = (uint8_t)(b * 7 + i);
            pkts[k][i] = (SlPacket){.buf = bufs[k][i], .cap = BUF, .head = SL_PKT_HEADROOM, .len = 64,
                                    .tstamp_ns = (uint64_t)i};
            assert_int_equal(sl_hv_vm_post(hv, id[k], 0, &pkts[k][i]), 1);
        }
    /* The first turn leaves VM 0's first packet preempted inside native code. */
    assert_int_equal(sl_hv_step(hv), 1);
    assert_int_equal(sl_hv_vm_set_engine(hv, id[0], NULL, NULL), -SL_ESTATE);
    sl_hv_run(hv, 0);
    assert_false(sl_hv_busy(hv));

    assert_int_equal(w.len[0], 3 * 64);
    assert_int_equal(w.len[1], w.len[0]);
    assert_memory_equal(w.bytes[0], w.bytes[1], w.len[0]);
    SlHvVmStats s0, s1;
    assert_int_equal(sl_hv_vm_stats(hv, id[0], &s0), 0);
    assert_int_equal(sl_hv_vm_stats(hv, id[1], &s1), 0);
    assert_int_equal(s0.sent, 3);
    assert_int_equal(s0.errors, 0);
    assert_int_equal(s0.insns, s1.insns);
    assert_int_equal(s0.preemptions, s1.preemptions);
    assert_true(s0.preemptions > 3);
    uint32_t size0, size1;
    const uint8_t *st0 = sl_vm_state(sl_hv_vm(hv, id[0]), &size0);
    const uint8_t *st1 = sl_vm_state(sl_hv_vm(hv, id[1]), &size1);
    assert_int_equal(size0, size1);
    assert_memory_equal(st0, st1, size0);
    /* Between packets the engine can change. */
    assert_int_equal(sl_hv_vm_set_engine(hv, id[0], NULL, NULL), 0);
    free(vmem[0]);
    free(vmem[1]);
    free(hmem);
    unload(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_other_image),
        cmocka_unit_test(keeps_run_rules),
        cmocka_unit_test(preempted_runs_end_alike),
        cmocka_unit_test(hypervisor_runs_native_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

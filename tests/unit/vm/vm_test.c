/* The VM's API contract: memory, verification messages, run/resume/yield, budgets, windows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mkimage.h"
#include "vm.h"

static MkImage m;
static SlImage img;
static char err[256];
static void *vm_mem;
static uint8_t buf[SL_PKT_HEADROOM + SL_PKT_MAX];

static void build(const SlInsn *code, uint32_t n)
{
    mk_begin(&m);
    mk_code(&m, code, n);
    mk_func0(&m);
    mk_packet_handler(&m);
    mk_ports(&m, 2);
}

static int create(SlVm **vm, uint64_t budget)
{
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    free(vm_mem);
    size_t size = sl_vm_footprint(&img);
    vm_mem = aligned_alloc(8, (size + 7) & ~(size_t)7);
    SlVmConfig cfg = {.seed = 1, .packet_budget = budget};
    return sl_vm_create(vm_mem, size, &img, &cfg, vm, err, sizeof err);
}

static SlPacket packet(uint32_t len)
{
    memset(buf, 0, sizeof buf);
    for (uint32_t i = 0; i < len; i++)
        buf[SL_PKT_HEADROOM + i] = (uint8_t)i;
    return (SlPacket){buf, sizeof buf, SL_PKT_HEADROOM, len, 0, 0};
}

static const SlInsn loop10[] = {
    INSN(MOVI, 1, 0, 0, 10),
    INSN(SUBI, 1, 0, 0, 1),
    INSN(JNEI, 1, 0, -2, 0),
    INSN(EXIT, 0, 0, 0, 0),
};

static void test_memory_checks(void **state)
{
    (void)state;
    build(loop10, 4);
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    SlVm *vm;
    static uint64_t small[4];
    assert_int_equal(sl_vm_create(small, sizeof small, &img, NULL, &vm, err, sizeof err), -SL_ENOMEM);
    assert_true(strstr(err, "VM memory too small") != NULL);
    assert_int_equal(sl_vm_create((char *)small + 1, sizeof small, &img, NULL, &vm, err, sizeof err), -SL_EARG);
}

static void test_exact_count_and_yield_anywhere(void **state)
{
    (void)state;
    build(loop10, 4);
    SlVm *vm;
    assert_int_equal(create(&vm, 0), 0);
    SlPacket p = packet(20);
    SlResult res;
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.status, SL_RUN_DONE);
    assert_int_equal(res.insns, 1 + 10 * 2 + 1);

    for (uint64_t fuel = 1; fuel < 25; fuel++) {
        int yields = 0;
        assert_int_equal(sl_vm_run(vm, 0, &p, NULL, fuel, &res), 0);
        while (res.status == SL_RUN_YIELD) {
            assert_int_equal(res.pc, 1); /* the loop's back-edge target */
            assert_true(sl_vm_busy(vm));
            assert_int_equal(sl_vm_run(vm, 0, &p, NULL, fuel, &res), -SL_ESTATE);
            assert_int_equal(sl_vm_resume(vm, &p, NULL, fuel, &res), 0);
            yields++;
        }
        assert_int_equal(res.status, SL_RUN_DONE);
        assert_int_equal(res.insns, 22);
        assert_true(yields > 0 || fuel > 19); /* last back-edge check after 19 */
    }
    assert_int_equal(sl_vm_resume(vm, &p, NULL, 1, &res), -SL_ESTATE);
}

static void test_packet_budget_faults_at_the_branch(void **state)
{
    (void)state;
    build(loop10, 4);
    SlVm *vm;
    assert_int_equal(create(&vm, 10), 0);
    SlPacket p = packet(20);
    SlResult res;
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.status, SL_RUN_FAULT);
    assert_int_equal(res.fault, SL_FAULT_FUEL);
    assert_int_equal(res.pc, 2);
    assert_int_equal(res.insns, 11); /* checked after 1 + 5*2 instructions */
}

static void test_verifier_message_names_insn(void **state)
{
    (void)state;
    SlInsn code[] = {INSN(MOVI, 0, 0, 0, 1), INSN(ADD, 0, 3, 0, 0), INSN(EXIT, 0, 0, 0, 0)};
    build(code, 3);
    uint8_t files[4 + 2 + 4] = {1, 0, 0, 0, 4, 0, 'r', '.', 's', 'l'};
    mk_section(&m, SL_SEC_DBG_FILES, files, sizeof files);
    uint8_t lines[4 + 16] = {1};
    sl_put_le32(lines + 12, 7);
    mk_section(&m, SL_SEC_DBG_LINES, lines, sizeof lines);
    SlVm *vm;
    assert_int_equal(create(&vm, 0), -SL_EVERIFY);
    assert_string_equal(err, "insn 1 (add r0, r3): r3 is read before it is written (r.sl:7)");
}

static void test_proven_access_is_unchecked(void **state)
{
    (void)state;
    SlInsn code[] = {
        INSN(PLEN, 1, 0, 0, 0),
        INSN(JLTI, 1, 0, 4, 14),  /* short packets: drop */
        INSN(MOVI, 2, 0, 0, 0),
        INSN(LDP16, 3, 2, 12, 0), /* [12, 14) < 14: proven */
        INSN(LDP16, 4, 2, 13, 0), /* [13, 15): not proven */
        INSN(SEND, 2, 0, 0, 0),
        INSN(DROP, 0, 0, 0, 0),
    };
    build(code, 7);
    SlVm *vm;
    assert_int_equal(create(&vm, 0), 0);
    uint32_t n;
    const SlInsn *v = sl_vm_code(vm, &n);
    assert_int_equal(v[3].op, SL_OP_LDP16_NC);
    assert_int_equal(v[4].op, SL_OP_LDP16);
    SlPacket p = packet(14);
    SlResult res;
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.status, SL_RUN_FAULT);
    assert_int_equal(res.fault, SL_FAULT_PKT_BOUNDS);
    assert_int_equal(res.pc, 4);
    p = packet(15);
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.status, SL_RUN_DONE);
    assert_int_equal(res.verdict, SL_VERDICT_SEND);
    assert_int_equal(res.port, 0);
}

static void test_window_is_required(void **state)
{
    (void)state;
    build(loop10, 4);
    SlVm *vm;
    assert_int_equal(create(&vm, 0), 0);
    SlPacket p = packet(20);
    p.head = 10;
    SlResult res;
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), -SL_EARG);
    p = packet(20);
    p.cap = SL_PKT_HEADROOM + 100;
    assert_int_equal(sl_vm_run(vm, 0, &p, NULL, ~0ull, &res), -SL_EARG);
    p = packet(20);
    assert_int_equal(sl_vm_run(vm, 5, &p, NULL, ~0ull, &res), 0);
    assert_int_equal(res.fault, SL_FAULT_NO_HANDLER);
}

static uint8_t cloned[64];
static uint32_t cloned_len, cloned_port;
static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    (void)user;
    cloned_port = port;
    cloned_len = len;
    memcpy(cloned, data, len < sizeof cloned ? len : sizeof cloned);
}

static void test_resize_and_clone(void **state)
{
    (void)state;
    SlInsn code[] = {
        INSN(MOVI, 1, 0, 0, 4),
        INSN(PADJH, 1, 0, 0, 0),  /* 4 zero bytes in front */
        INSN(MOVI, 2, 0, 0, 1),
        INSN(CLONE, 2, 0, 0, 0),
        INSN(MOVI, 1, 0, 0, 253),
        INSN(PADJH, 1, 0, 0, 0),  /* 4 + 253 > 256: fault, nothing changes */
        INSN(EXIT, 0, 0, 0, 0),
    };
    build(code, 7);
    SlVm *vm;
    assert_int_equal(create(&vm, 0), 0);
    SlPacket p = packet(6);
    SlEnv env = {NULL, on_clone, 0};
    SlResult res;
    assert_int_equal(sl_vm_run(vm, 0, &p, &env, ~0ull, &res), 0);
    assert_int_equal(cloned_port, 1);
    assert_int_equal(cloned_len, 10);
    static const uint8_t want[10] = {0, 0, 0, 0, 0, 1, 2, 3, 4, 5};
    assert_memory_equal(cloned, want, 10);
    assert_int_equal(res.status, SL_RUN_FAULT);
    assert_int_equal(res.fault, SL_FAULT_PKT_RESIZE);
    assert_int_equal(res.pc, 5);
    assert_int_equal(p.len, 10);
    assert_int_equal(p.head, SL_PKT_HEADROOM - 4);
}

static void teardown(void)
{
    free(vm_mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_checks),
        cmocka_unit_test(test_exact_count_and_yield_anywhere),
        cmocka_unit_test(test_packet_budget_faults_at_the_branch),
        cmocka_unit_test(test_verifier_message_names_insn),
        cmocka_unit_test(test_proven_access_is_unchecked),
        cmocka_unit_test(test_window_is_required),
        cmocka_unit_test(test_resize_and_clone),
    };
    int rc = cmocka_run_group_tests_name("vm/vm", tests, NULL, NULL);
    teardown();
    return rc;
}

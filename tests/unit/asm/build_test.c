/* Tests of asm/image_build.c and asm/image_hash.c: the container the builder writes, the
 * content hash (what it covers and what it does not), stripping and determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "image_build.h"
#include "image_hash.h"
#include "vm.h"

static SlBuild *minimal(int32_t imm)
{
    SlBuild *b = sl_build_new();
    assert_non_null(b);
    SlInsn mov = {SL_OP_MOVI, 0, 0, 0, 0, imm};
    SlInsn ret = {SL_OP_RET, 0, 0, 0, 0, 0};
    SlFuncDecl f = {0, 0};
    assert_int_equal(sl_build_insn(b, &mov), 0);
    assert_int_equal(sl_build_insn(b, &ret), 1);
    assert_int_equal(sl_build_func(b, &f), 0);
    return b;
}

static void write_ok(const SlBuild *b, int flags, uint8_t **out, size_t *len)
{
    assert_int_equal(sl_build_write(b, flags, out, len), 0);
    assert_non_null(*out);
}

static void parse_ok(const uint8_t *bytes, size_t len, SlImage *img)
{
    char err[128];
    int rc = sl_image_parse(bytes, len, img, err, sizeof err);
    if (rc < 0)
        fail_msg("parse: %s", err);
}

static void test_minimal_layout(void **state)
{
    (void)state;
    SlBuild *b = minimal(7);
    uint8_t *img;
    size_t len;
    write_ok(b, 0, &img, &len);
    /* header + CODE(8 + 16) + FUNCS(8 + 4 + 8) */
    assert_int_equal(len, 44 + 24 + 20);
    assert_memory_equal(img, "\x7fSLB\x01\x00\x00\x00", 8);
    assert_int_equal(sl_le32(img + 40), 2);
    assert_int_equal(img[44], SL_SEC_CODE);
    assert_int_equal(sl_le32(img + 48), 16);
    assert_int_equal(img[44 + 24], SL_SEC_FUNCS);
    SlImage im;
    parse_ok(img, len, &im);
    assert_int_equal(im.code_count, 2);
    assert_int_equal(im.func_count, 1);
    assert_int_equal(im.has_debug, 0);
    SlInsn in = sl_insn_decode(im.code);
    assert_int_equal(in.op, SL_OP_MOVI);
    assert_int_equal(in.imm, 7);
    assert_int_equal(sl_image_hash_check(&im), 0);
    free(img);
    sl_build_free(b);
}

/* The hash, computed here straight from its definition. */
static void test_hash_definition(void **state)
{
    (void)state;
    SlBuild *b = minimal(1);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    uint8_t *img;
    size_t len;
    write_ok(b, 0, &img, &len);
    SlImage im;
    parse_ok(img, len, &im);
    assert_int_equal(im.has_debug, 1);
    /* non-debug records: CODE and FUNCS, contiguous after the header */
    size_t nondebug = (8 + 16) + (8 + 12);
    uint8_t *msg = malloc(8 + nondebug);
    assert_non_null(msg);
    memcpy(msg, img, 8);
    memcpy(msg + 8, img + 44, nondebug);
    uint8_t want[32], got[32];
    assert_true(sodium_init() >= 0);
    crypto_generichash(want, sizeof want, msg, 8 + nondebug, NULL, 0);
    assert_memory_equal(img + 8, want, 32);
    assert_int_equal(sl_image_hash_compute(img, len, got), 0);
    assert_memory_equal(got, want, 32);
    free(msg);
    free(img);
    sl_build_free(b);
}

static void test_hash_follows_code_not_debug(void **state)
{
    (void)state;
    SlBuild *a = minimal(1), *b = minimal(2), *c = minimal(1);
    assert_true(sl_build_file(c, "x.sl", 4) >= 0);
    SlLine row = {0, 0, 3, 4};
    assert_true(sl_build_line(c, &row) >= 0);
    assert_true(sl_build_sym(c, SL_SYM_LABEL, 1, 0, "end", 3) >= 0);
    uint8_t *ia, *ib, *ic;
    size_t la, lb, lc;
    write_ok(a, 0, &ia, &la);
    write_ok(b, 0, &ib, &lb);
    write_ok(c, 0, &ic, &lc);
    assert_int_equal(la, lb);
    assert_memory_not_equal(ia + 8, ib + 8, 32); /* code changed: hash changed */
    assert_true(lc > la);
    assert_memory_equal(ia + 8, ic + 8, 32); /* only debug info differs: same hash */
    free(ia);
    free(ib);
    free(ic);
    sl_build_free(a);
    sl_build_free(b);
    sl_build_free(c);
}

static void test_strip(void **state)
{
    (void)state;
    SlBuild *b = minimal(5);
    assert_true(sl_build_file(b, "x.sl", 4) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    uint8_t port[] = "eth0";
    assert_true(sl_build_port(b, (const char *)port, 4) >= 0);
    uint8_t *full, *stripped;
    size_t lf, ls;
    write_ok(b, 0, &full, &lf);
    write_ok(b, SL_BUILD_STRIP, &stripped, &ls);
    SlImage im;
    parse_ok(stripped, ls, &im);
    assert_int_equal(im.has_debug, 0);
    assert_int_equal(im.port_count, 1);
    assert_memory_equal(full + 8, stripped + 8, 32);
    assert_int_equal(sl_image_hash_check(&im), 0);
    /* the same bytes as the parser's own strip of the full image */
    SlImage fi;
    parse_ok(full, lf, &fi);
    uint8_t *again = malloc(lf);
    assert_non_null(again);
    assert_int_equal(sl_image_strip(&fi, again, lf), ls);
    assert_memory_equal(again, stripped, ls);
    free(again);
    free(full);
    free(stripped);
    sl_build_free(b);
}

/* Symbols are sorted on output: the order they were added in leaves no trace. */
static void test_deterministic_symbols(void **state)
{
    (void)state;
    SlBuild *a = minimal(1), *b = minimal(1);
    assert_true(sl_build_sym(a, SL_SYM_LABEL, 1, 0, "x", 1) >= 0);
    assert_true(sl_build_sym(a, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    assert_true(sl_build_sym(a, SL_SYM_STATE, 0, 8, "b", 1) >= 0);
    assert_true(sl_build_sym(a, SL_SYM_STATE, 0, 8, "a", 1) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_STATE, 0, 8, "a", 1) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_STATE, 0, 8, "b", 1) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_LABEL, 1, 0, "x", 1) >= 0);
    uint8_t *ia, *ib, *ia2;
    size_t la, lb, la2;
    write_ok(a, 0, &ia, &la);
    write_ok(b, 0, &ib, &lb);
    write_ok(a, 0, &ia2, &la2);
    assert_int_equal(la, lb);
    assert_memory_equal(ia, ib, la);
    assert_memory_equal(ia, ia2, la);
    SlImage im;
    parse_ok(ia, la, &im);
    assert_int_equal(im.dbg_sym_count, 4);
    SlSym s0 = sl_image_dbg_sym(&im, 0), s3 = sl_image_dbg_sym(&im, 3);
    assert_int_equal(s0.kind, SL_SYM_FUNC);
    assert_int_equal(s3.kind, SL_SYM_LABEL);
    free(ia);
    free(ib);
    free(ia2);
    sl_build_free(a);
    sl_build_free(b);
}

static void test_every_section(void **state)
{
    (void)state;
    SlBuild *b = minimal(1);
    assert_int_equal(sl_build_const(b, 0x1122334455667788u), 0);
    assert_int_equal(sl_build_const(b, 5), 1);
    assert_int_equal(sl_build_const_find(b, 5), 1);
    assert_int_equal(sl_build_const_find(b, 6), -1);
    assert_int_equal(sl_build_state(b, 100), 0);
    assert_int_equal(sl_build_data(b, (const uint8_t *)"\x01\x02\x03", 3), 0);
    SlTableDecl t = {SL_TABLE_LPM, 4, 300, 70000};
    assert_int_equal(sl_build_table(b, &t), 0);
    SlHandlerDecl h = {SL_HANDLER_TIMER, 0, 250};
    assert_int_equal(sl_build_handler(b, &h), 0);
    assert_int_equal(sl_build_port(b, "a-b.c_d", 7), 0);
    assert_int_equal(sl_build_port(b, "p1", 2), 1);
    SlFuncDecl f2 = {1, 3};
    assert_int_equal(sl_build_func(b, &f2), 1);
    uint8_t *img;
    size_t len;
    write_ok(b, 0, &img, &len);
    SlImage im;
    parse_ok(img, len, &im);
    assert_int_equal(sl_le32(img + 40), 7);
    assert_int_equal(im.const_count, 2);
    assert_true(sl_image_const(&im, 0) == 0x1122334455667788u);
    assert_int_equal(im.state_size, 100);
    assert_int_equal(im.state_init_len, 3);
    assert_memory_equal(im.state_init, "\x01\x02\x03", 3);
    SlTableDecl t2 = sl_image_table(&im, 0);
    assert_int_equal(t2.kind, SL_TABLE_LPM);
    assert_int_equal(t2.value_size, 300);
    assert_int_equal(t2.capacity, 70000);
    SlHandlerDecl h2 = sl_image_handler(&im, 0);
    assert_int_equal(h2.kind, SL_HANDLER_TIMER);
    assert_int_equal(h2.period_ms, 250);
    uint32_t plen;
    const char *p = sl_image_port_name(&im, 1, &plen);
    assert_int_equal(plen, 2);
    assert_memory_equal(p, "p1", 2);
    SlFuncDecl f = sl_image_func(&im, 1);
    assert_int_equal(f.entry, 1);
    assert_int_equal(f.nargs, 3);
    assert_int_equal(sl_image_hash_check(&im), 0);
    free(img);
    sl_build_free(b);
}

static void test_rejects(void **state)
{
    (void)state;
    SlBuild *b = sl_build_new();
    uint8_t *img;
    size_t len;
    assert_int_equal(sl_build_write(b, 0, &img, &len), -SL_EARG); /* no code, no function */
    assert_null(img);
    assert_int_equal(sl_build_port(b, "", 0), -SL_EARG);
    assert_int_equal(sl_build_port(b, "has space", 9), -SL_EARG);
    assert_int_equal(sl_build_port(b, "abcdefghijklmnopqrstuvwxyz0123456", 33), -SL_EARG);
    assert_int_equal(sl_build_state(b, SL_MAX_STATE + 1), -SL_ELIMIT);
    SlLine r1 = {5, 0, 1, 1}, r0 = {4, 0, 1, 1};
    assert_int_equal(sl_build_line(b, &r1), 0);
    assert_int_equal(sl_build_line(b, &r0), -SL_EARG);
    SlTableDecl t = {SL_TABLE_HASH, 4, 4, 4};
    for (int i = 0; i < SL_MAX_TABLES; i++)
        assert_int_equal(sl_build_table(b, &t), i);
    assert_int_equal(sl_build_table(b, &t), -SL_ELIMIT);
    sl_build_free(b);

    b = minimal(1);
    assert_int_equal(sl_build_state(b, 2), 0);
    assert_int_equal(sl_build_data(b, (const uint8_t *)"abc", 3), 0);
    assert_int_equal(sl_build_write(b, 0, &img, &len), -SL_EARG); /* data longer than the state */
    sl_build_free(b);
}

static void test_hash_check_detects_tampering(void **state)
{
    (void)state;
    SlBuild *b = minimal(1);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    uint8_t *img;
    size_t len;
    write_ok(b, 0, &img, &len);
    SlImage im;
    img[44 + 8 + 4] ^= 1; /* the first instruction's imm */
    parse_ok(img, len, &im);
    assert_int_equal(sl_image_hash_check(&im), -SL_EHASH);
    img[44 + 8 + 4] ^= 1;
    img[len - 1] ^= 0x20; /* a debug symbol's name: outside the hash */
    parse_ok(img, len, &im);
    assert_int_equal(sl_image_hash_check(&im), 0);
    img[8] ^= 0x80; /* the stored hash itself */
    assert_int_equal(sl_image_hash_check(&im), -SL_EHASH);
    uint8_t out[32];
    assert_int_equal(sl_image_hash_compute(img, 10, out), -SL_ETRUNCATED);
    assert_int_equal(sl_image_hash_compute((const uint8_t *)"0123456789012345678901234567890123456789012345", 46, out),
                     -SL_EMAGIC);
    free(img);
    sl_build_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_layout),
        cmocka_unit_test(test_hash_definition),
        cmocka_unit_test(test_hash_follows_code_not_debug),
        cmocka_unit_test(test_strip),
        cmocka_unit_test(test_deterministic_symbols),
        cmocka_unit_test(test_every_section),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_hash_check_detects_tampering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

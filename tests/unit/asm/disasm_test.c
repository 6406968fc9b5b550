/* Tests of asm/disasm.c: the text it prints, names from symbols, and the round trip through
 * the assembler, also for images the assembler would never write (bad code, odd symbols). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "disasm.h"
#include "image_build.h"
#include "vm.h"

typedef struct Img {
    uint8_t *bytes;
    size_t len;
    SlImage img;
} Img;

static void assemble(const char *src, size_t len, int flags, Img *out)
{
    char err[2048];
    int rc = sl_asm_assemble(src, len, "t.sla", flags, &out->bytes, &out->len, err, sizeof err);
    if (rc < 0)
        fail_msg("assembly failed: %s\n--- source ---\n%.*s", err, (int)len, src);
    char perr[128];
    if (sl_image_parse(out->bytes, out->len, &out->img, perr, sizeof perr) < 0)
        fail_msg("parse failed: %s", perr);
}

static char *disasm(const Img *im, const SlInsn *code)
{
    char *text;
    size_t len;
    assert_int_equal(sl_disasm(&im->img, code, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    return text;
}

static void has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
            return;
    fail_msg("no line '%s' in:\n%s", line, text);
}

/* assemble -> disassemble -> assemble gives the same bytes; returns the text. */
static char *round_trip(const uint8_t *bytes, size_t len, int flags)
{
    Img a = {0}, b = {0};
    char perr[128];
    if (sl_image_parse(bytes, len, &a.img, perr, sizeof perr) < 0)
        fail_msg("parse failed: %s", perr);
    char *text = disasm(&a, NULL);
    assemble(text, strlen(text), flags, &b);
    if (b.len != len || memcmp(b.bytes, bytes, len) != 0)
        fail_msg("round trip changed the image; the text was:\n%s", text);
    free(b.bytes);
    return text;
}

static const char program[] = ".port eth0\n"
                              ".state 20\n"
                              ".data 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11\n"
                              ".sym state ctr 0 8\n"
                              ".const 0x1234\n"
                              ".table flows hash 4 8 64\n"
                              ".table - lpm 4 4 8\n"
                              ".file \"p.sl\"\n"
                              ".handler packet main\n"
                              ".handler timer f1 10\n"
                              ".func main\n"
                              ".loc 0 4 2\n"
                              "    plen r1\n"
                              "loop:\n"
                              "    jlt r1, 14, out\n"
                              "    tget r2, r3, r4, flows\n"
                              "    tdel r2, r3, t1\n"
                              "    call helper\n"
                              "    ldk r5, k0\n"
                              "    ja loop\n"
                              "    jeq r1, r2, @1\n"
                              "out:\n"
                              "    drop\n"
                              ".func helper 1\n"
                              "    mov r0, r1\n"
                              "    ret\n";

static void test_text(void **state)
{
    (void)state;
    Img im;
    assemble(program, sizeof program - 1, 0, &im);
    char *t = disasm(&im, NULL);
    has_line(t, ".port eth0");
    has_line(t, ".state 20");
    has_line(t, ".data 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10");
    has_line(t, ".data 11");
    has_line(t, ".sym state ctr 0 8");
    has_line(t, ".const 0x1234");
    has_line(t, ".table flows hash 4 8 64");
    has_line(t, ".table - lpm 4 4 8");
    has_line(t, ".file \"p.sl\"");
    has_line(t, ".handler packet main");
    has_line(t, ".handler timer helper 10");
    has_line(t, ".func main");
    has_line(t, ".loc 0 4 2");
    has_line(t, "loop:");
    has_line(t, "    jlt r1, 14, out");
    has_line(t, "    tget r2, r3, r4, flows");
    has_line(t, "    tdel r2, r3, t1");
    has_line(t, "    call helper");
    has_line(t, "    ldk r5, k0");
    has_line(t, "    ja loop");
    has_line(t, "    jeq r1, r2, loop"); /* @1 has a label */
    has_line(t, "out:");
    has_line(t, ".func helper 1");
    /* declarations come before the code, in the documented order */
    assert_true(strstr(t, ".port") < strstr(t, ".state"));
    assert_true(strstr(t, ".state") < strstr(t, ".const"));
    assert_true(strstr(t, ".const") < strstr(t, ".table"));
    assert_true(strstr(t, ".table") < strstr(t, ".func"));
    free(t);
    t = round_trip(im.bytes, im.len, 0);
    free(t);
    free(im.bytes);
}

static void test_stripped(void **state)
{
    (void)state;
    Img im;
    assemble(program, sizeof program - 1, SL_ASM_STRIP, &im);
    char *t = disasm(&im, NULL);
    has_line(t, ".func");
    has_line(t, ".func - 1");
    has_line(t, "    call f1");
    has_line(t, "    ja @1");
    has_line(t, "    tget r2, r3, r4, t0");
    has_line(t, ".handler packet f0");
    assert_null(strstr(t, ".loc"));
    assert_null(strstr(t, "loop"));
    free(t);
    t = round_trip(im.bytes, im.len, SL_ASM_STRIP);
    free(t);
    free(im.bytes);
}

/* Verified code is printed instead of the image's, .nc forms included. */
static void test_verified_code(void **state)
{
    (void)state;
    Img im;
    assemble(program, sizeof program - 1, 0, &im);
    SlInsn *code = calloc(im.img.code_count, sizeof *code);
    assert_non_null(code);
    for (uint32_t i = 0; i < im.img.code_count; i++)
        code[i] = sl_insn_decode(im.img.code + (size_t)i * SL_INSN_SIZE);
    code[0] = (SlInsn){SL_OP_LDP16_NC, 3, 1, 0, 12, 0};
    char *t = disasm(&im, code);
    has_line(t, "    ldp16.nc r3, [r1+12]");
    has_line(t, "    ja loop");
    free(t);
    free(code);
    free(im.bytes);
}

/* An image only a builder makes: bad opcodes, stray fields, odd and clashing symbol names. */
static uint8_t *odd_image(int unspellable, size_t *len)
{
    SlBuild *b = sl_build_new();
    assert_non_null(b);
    const SlInsn code[] = {
        {0xfe, 1, 2, 0, -3, 77},              /* unknown opcode */
        {SL_OP_MOV, 1, 2, 0, 0, 5},           /* imm set on an AB instruction */
        {SL_OP_LDP8_NC, 1, 2, 0, 4, 0},       /* an internal form */
        {SL_OP_CSUM, 1, 2, 0, 0x13, 0},       /* bits above register c */
        {SL_OP_JA, 0, 0, 0, -100, 0},         /* outside the code */
        {SL_OP_CALL, 0, 0, 0, 0, -1},         /* no such function */
        {SL_OP_TGET, 1, 2, 0, 3, 9},          /* no such table */
        {SL_OP_EXIT, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof code / sizeof code[0]; i++)
        assert_true(sl_build_insn(b, &code[i]) >= 0);
    SlFuncDecl f = {0, 9};
    assert_int_equal(sl_build_func(b, &f), 0);
    SlHandlerDecl h = {9, 12345, 0};
    assert_int_equal(sl_build_handler(b, &h), 0);
    SlTableDecl t = {77, 0, 0, 0};
    assert_int_equal(sl_build_table(b, &t), 0);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "main", 4) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "alias", 5) >= 0);     /* a second name */
    assert_true(sl_build_sym(b, SL_SYM_LABEL, 7, 0, "end", 3) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_LABEL, 3, 0, "end", 3) >= 0);      /* clashes */
    assert_true(sl_build_sym(b, SL_SYM_LABEL, 500, 0, "far", 3) >= 0);    /* beyond the code */
    assert_true(sl_build_sym(b, SL_SYM_TABLE, 0, 0, "tab", 3) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_CONST, 2, 0, "k", 1) >= 0);
    assert_true(sl_build_sym(b, 99, 1, 2, "x", 1) >= 0);
    assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 7, "sized", 5) >= 0);   /* .func cannot give a size */
    assert_true(sl_build_sym(b, SL_SYM_LABEL, 2, 1, "wide", 4) >= 0);
    if (unspellable) {
        assert_true(sl_build_sym(b, SL_SYM_FUNC, 0, 0, "r1", 2) >= 0);
        assert_true(sl_build_sym(b, SL_SYM_LABEL, 7, 0, "has space", 9) >= 0);
        assert_true(sl_build_sym(b, SL_SYM_STATE, 0, 0, "", 0) >= 0);
    }
    uint8_t *bytes;
    assert_int_equal(sl_build_write(b, 0, &bytes, len), 0);
    sl_build_free(b);
    return bytes;
}

static void test_bad_code_and_symbols(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = odd_image(0, &len);
    char *text = round_trip(bytes, len, 0);
    has_line(text, "    .insn 0xfe, 1, 2, -3, 77");
    has_line(text, "    .insn 0x0, 1, 2, 0, 5");
    has_line(text, "    .insn 0x61, 1, 2, 4, 0");
    has_line(text, "    .insn 0x5d, 1, 2, 19, 0");
    has_line(text, "    ja @-95");
    has_line(text, "    call f-1");
    has_line(text, "    tget r1, r2, r3, t9");
    has_line(text, ".func alias 9"); /* the first name in sorted order */
    has_line(text, ".handler 9 f12345");
    has_line(text, ".table tab 77 0 0 0");
    has_line(text, "end:");
    has_line(text, ".sym func main 0 0");
    has_line(text, ".sym label end 7 0");
    has_line(text, ".sym label far 500 0");
    has_line(text, ".sym const k 2 0");
    has_line(text, ".sym 99 x 1 2");
    has_line(text, ".sym func sized 0 7");
    has_line(text, ".sym label wide 2 1");
    free(text);
    free(bytes);
}

/* Names that are not assembler names (a register's, with a space, empty) print quoted in .sym
 * lines: the text assembles back to the same bytes. */
static void test_unspellable_names(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = odd_image(1, &len);
    char *text = round_trip(bytes, len, 0);
    has_line(text, ".sym func \"r1\" 0 0");
    has_line(text, ".sym label \"has space\" 7 0");
    has_line(text, ".sym state \"\" 0 0");
    free(text);
    free(bytes);
}

/* A function table that does not describe the code still prints, as comments. */
static void test_malformed_function_table(void **state)
{
    (void)state;
    SlBuild *b = sl_build_new();
    SlInsn ex = {SL_OP_EXIT, 0, 0, 0, 0, 0};
    assert_true(sl_build_insn(b, &ex) >= 0);
    assert_true(sl_build_insn(b, &ex) >= 0);
    SlFuncDecl f1 = {1, 0}, f0 = {0, 0}, f9 = {9, 0};
    assert_true(sl_build_func(b, &f1) >= 0);
    assert_true(sl_build_func(b, &f0) >= 0);
    assert_true(sl_build_func(b, &f9) >= 0);
    Img im;
    assert_int_equal(sl_build_write(b, 0, &im.bytes, &im.len), 0);
    sl_build_free(b);
    char perr[128];
    assert_int_equal(sl_image_parse(im.bytes, im.len, &im.img, perr, sizeof perr), 0);
    char *t = disasm(&im, NULL);
    assert_non_null(strstr(t, "; warning: the function table does not describe the code"));
    has_line(t, "; function f2: entry 9, 0 arguments");
    has_line(t, ".func");
    free(t);
    free(im.bytes);
}

/* Every opcode row prints as text that assembles back to it. */
static void test_every_opcode(void **state)
{
    (void)state;
    SlBuild *b = sl_build_new();
    for (unsigned op = 0; op < SL_OP_COUNT; op++) {
        if (!sl_op_valid_in_image(op))
            continue;
        SlInsn in = {(uint8_t)op, 3, 4, 0, 0, 0};
        switch ((SlFormat)sl_op_info[op].format) {
        case SL_FMT_N: in.a = in.b = 0; break;
        case SL_FMT_A: in.b = 0; break;
        case SL_FMT_AB: break;
        case SL_FMT_AI:
        case SL_FMT_AK: in.b = 0; in.imm = -9; break;
        case SL_FMT_LD:
        case SL_FMT_ST: in.off = -7; break;
        case SL_FMT_J: in.a = in.b = 0; in.off = -1; break;
        case SL_FMT_JAB: in.off = 2; break;
        case SL_FMT_JAI: in.b = 0; in.off = 0; in.imm = 100; break;
        case SL_FMT_CALL:
        case SL_FMT_I: in.a = in.b = 0; in.imm = 3; break;
        case SL_FMT_ABC: in.off = 5; break;
        case SL_FMT_ABCT: in.off = 5; in.imm = 1; break;
        case SL_FMT_ABT:
        case SL_FMT_ABI: in.imm = 2; break;
        }
        assert_true(sl_build_insn(b, &in) >= 0);
    }
    SlFuncDecl f = {0, 0};
    sl_build_func(b, &f);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(sl_build_write(b, SL_BUILD_STRIP, &bytes, &len), 0);
    sl_build_free(b);
    char *text = round_trip(bytes, len, SL_ASM_STRIP);
    assert_null(strstr(text, ".insn"));
    has_line(text, "    ldk r3, k-9");
    has_line(text, "    add r3, -9");
    has_line(text, "    ldp32 r3, [r4-7]");
    has_line(text, "    stm8 [r3-7], r4");
    free(text);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_stripped),
        cmocka_unit_test(test_verified_code),
        cmocka_unit_test(test_bad_code_and_symbols),
        cmocka_unit_test(test_unspellable_names),
        cmocka_unit_test(test_malformed_function_table),
        cmocka_unit_test(test_every_opcode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

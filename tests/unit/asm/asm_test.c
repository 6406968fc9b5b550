/* Tests of asm/asm.c: what each line assembles to, and every error message, exactly, from a
 * crafted input; then hostile input (junk, NUL bytes, huge lines and numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "vm.h"

static uint8_t *image;
static size_t image_len;
static SlImage img;

/* Assembles src, failing the test with the messages if it does not assemble. */
static void assemble_ok(const char *src, int flags)
{
    char err[2048];
    free(image);
    image = NULL;
    int rc = sl_asm_assemble(src, strlen(src), "t.sla", flags, &image, &image_len, err, sizeof err);
    if (rc < 0)
        fail_msg("assembly failed: %s", err);
    char perr[128];
    if (sl_image_parse(image, image_len, &img, perr, sizeof perr) < 0)
        fail_msg("parse failed: %s", perr);
}

static SlInsn insn(uint32_t i)
{
    assert_true(i < img.code_count);
    return sl_insn_decode(img.code + (size_t)i * SL_INSN_SIZE);
}

static void check_insn(uint32_t i, unsigned op, unsigned a, unsigned b, int off, int32_t imm)
{
    SlInsn in = insn(i);
    assert_int_equal(in.op, op);
    assert_int_equal(in.a, a);
    assert_int_equal(in.b, b);
    assert_int_equal(in.off, off);
    assert_int_equal(in.imm, imm);
}

static int teardown(void **state)
{
    (void)state;
    free(image);
    image = NULL;
    return 0;
}

static void test_formats(void **state)
{
    (void)state;
    assemble_ok(".func main\n"
                "    add r1, r2\n"          /* 0 AB picks ADD */
                "    add r1, 7\n"           /* 1 AI picks ADDI */
                "    mov r3, 0x80000000\n"  /* 2 hex pattern */
                "    mov r3, 0xffffffff\n"  /* 3 */
                "    mov r3, -2147483648\n" /* 4 */
                "    ldp16 r3, [r1+14]\n"   /* 5 */
                "    ldm8 r3, [r1-32768]\n" /* 6 */
                "    stm32 [r4], r5\n"      /* 7 */
                "top: jeq r1, 3, top\n"     /* 8 backward label */
                "    jne r1, r2, @0\n"      /* 9 absolute */
                "    ja end\n"              /* 10 forward label */
                "    csum r1, r2, r15\n"    /* 11 c in off */
                "    tget r1, r2, r3, t5\n" /* 12 */
                "    hash r1, r2, 13\n"     /* 13 */
                "    trap -1\n"             /* 14 */
                "    call f0\n"             /* 15 */
                "end:\n"
                "    exit\n",               /* 16 */
                0);
    assert_int_equal(img.code_count, 17);
    check_insn(0, SL_OP_ADD, 1, 2, 0, 0);
    check_insn(1, SL_OP_ADDI, 1, 0, 0, 7);
    check_insn(2, SL_OP_MOVI, 3, 0, 0, INT32_MIN);
    check_insn(3, SL_OP_MOVI, 3, 0, 0, -1);
    check_insn(4, SL_OP_MOVI, 3, 0, 0, INT32_MIN);
    check_insn(5, SL_OP_LDP16, 3, 1, 14, 0);
    check_insn(6, SL_OP_LDM8, 3, 1, -32768, 0);
    check_insn(7, SL_OP_STM32, 4, 5, 0, 0);
    check_insn(8, SL_OP_JEQI, 1, 0, -1, 3);
    check_insn(9, SL_OP_JNE, 1, 2, -10, 0);
    check_insn(10, SL_OP_JA, 0, 0, 5, 0);
    check_insn(11, SL_OP_CSUM, 1, 2, 15, 0);
    check_insn(12, SL_OP_TGET, 1, 2, 3, 5);
    check_insn(13, SL_OP_HASH, 1, 2, 0, 13);
    check_insn(14, SL_OP_TRAP, 0, 0, 0, -1);
    check_insn(15, SL_OP_CALL, 0, 0, 0, 0);
    check_insn(16, SL_OP_EXIT, 0, 0, 0, 0);
}

static void test_names_and_directives(void **state)
{
    (void)state;
    assemble_ok("; comment\n"
                "# another\n"
                ".port eth0\n"
                ".port wan-1\n"
                ".state 16\n"
                ".data 0a ff\n"
                ".const 9\n"
                ".table flows hash 4 8 64\n"
                ".table - lpm 4 4 8\n"
                ".handler packet main\n"
                ".handler timer helper 250\n"
                ".handler init f1\n"
                ".func main\n"
                "    ldk r1, =9\n"       /* reuses k0 */
                "    ldk r2, =-1\n"      /* appends k1 */
                "    ldk r3, =0xffffffffffffffff\n" /* the same as -1 */
                "    tdel r1, r2, flows\n"
                "    call helper\n"
                "    exit\n"
                ".func helper 2\n"
                "    mov r0, r1\n"
                "    ret\n",
                0);
    assert_int_equal(img.port_count, 2);
    assert_int_equal(img.state_size, 16);
    assert_int_equal(img.state_init_len, 2);
    assert_memory_equal(img.state_init, "\x0a\xff", 2);
    assert_int_equal(img.const_count, 2);
    assert_true(sl_image_const(&img, 1) == UINT64_MAX);
    check_insn(0, SL_OP_LDK, 1, 0, 0, 0);
    check_insn(1, SL_OP_LDK, 2, 0, 0, 1);
    check_insn(2, SL_OP_LDK, 3, 0, 0, 1);
    check_insn(3, SL_OP_TDEL, 1, 2, 0, 0);
    check_insn(4, SL_OP_CALL, 0, 0, 0, 1);
    assert_int_equal(img.table_count, 2);
    assert_int_equal(sl_image_table(&img, 1).kind, SL_TABLE_LPM);
    assert_int_equal(img.func_count, 2);
    assert_int_equal(sl_image_func(&img, 1).entry, 6);
    assert_int_equal(sl_image_func(&img, 1).nargs, 2);
    assert_int_equal(img.handler_count, 3);
    assert_int_equal(sl_image_handler(&img, 1).kind, SL_HANDLER_TIMER);
    assert_int_equal(sl_image_handler(&img, 1).func, 1);
    assert_int_equal(sl_image_handler(&img, 1).period_ms, 250);
    assert_int_equal(sl_image_handler(&img, 2).func, 1);
    /* symbols: 2 functions and 1 named table (sorted: FUNC before TABLE) */
    assert_int_equal(img.dbg_sym_count, 3);
    SlSym s = sl_image_dbg_sym(&img, 2);
    assert_int_equal(s.kind, SL_SYM_TABLE);
    assert_int_equal(s.name_len, 5);
    assert_memory_equal(s.name, "flows", 5);
}

static void test_debug_info_and_strip(void **state)
{
    (void)state;
    const char *src = ".file \"a\\\"b.sl\"\n"
                      ".sym state ctr 8 4\n"
                      ".func main\n"
                      ".loc 0 7 3\n"
                      "L1: L2:\n"
                      "    mov r0, 0\n"
                      ".loc 0 8 1\n"
                      "    ret\n";
    assemble_ok(src, 0);
    assert_int_equal(img.has_debug, 1);
    assert_int_equal(img.dbg_file_count, 1);
    uint32_t len;
    const char *name = sl_image_dbg_file(&img, 0, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(name, "a\"b.sl", 6);
    assert_int_equal(img.dbg_line_count, 2);
    SlLine row = sl_image_dbg_line(&img, 1);
    assert_int_equal(row.insn, 1);
    assert_int_equal(row.line, 8);
    assert_int_equal(img.dbg_sym_count, 4); /* main, ctr, L1, L2 */
    uint8_t hash[32];
    memcpy(hash, img.hash, 32);
    size_t full_len = image_len;
    assemble_ok(src, SL_ASM_STRIP);
    assert_int_equal(img.has_debug, 0);
    assert_true(image_len < full_len);
    assert_memory_equal(img.hash, hash, 32);
}

static void test_insn_directive(void **state)
{
    (void)state;
    assemble_ok(".func\n"
                "    .insn 0xff, 15, 1, -32768, 0xffffffff\n"
                "    .insn 97, 3, 4, 0, 0\n",
                0);
    check_insn(0, 0xff, 15, 1, -32768, -1);
    check_insn(1, SL_OP_LDP8_NC, 3, 4, 0, 0);
}

/* ---- every error message, from a crafted input ----------------------------------------- */

typedef struct ErrCase {
    const char *src;
    const char *want; /* the whole first message */
} ErrCase;

static const ErrCase err_cases[] = {
    {".func main\n    exit\n  \x01", "t.sla:3:3: error: unexpected character '\\x01'"},
    {".func main\n    mov r1, 12ab\n", "t.sla:2:13: error: invalid number '12ab'"},
    {".file \"abc\n", "t.sla:1:7: error: unterminated string '\"abc'"},
    {".func main\n    mov r1,\n", "t.sla:2:12: error: expected an operand at the end of the line"},
    {".func main\n    mov r1, r2 r3\n", "t.sla:2:16: error: expected the end of the line, found 'r3'"},
    {"r1: .func main\n", "t.sla:1:1: error: 'r1' is a register name and cannot name a label"},
    {".func f1\n", "t.sla:1:7: error: 'f1' is reserved for references by index and cannot name a function"},
    {".table 5 hash 4 4 4\n", "t.sla:1:8: error: expected a table name, found '5'"},
    {".func main\n    mov r16, 1\n", "t.sla:2:9: error: no register 'r16' (registers are r0..r15)"},
    {".func main 6000\n", "t.sla:1:12: error: argument count '6000' out of range (0..255)"},
    {".func main\n    add r1, 2147483648\n",
     "t.sla:2:13: error: immediate '2147483648' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
    {".func main\n    add r1, -0x80000001\n",
     "t.sla:2:13: error: immediate '-0x80000001' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
    {".func main\n    .insn 1, 2, 3, 4, 0x100000000\n",
     "t.sla:2:23: error: immediate '0x100000000' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
    {".func main\n    ldm8 r1, [r2+32768]\n", "t.sla:2:17: error: offset '+32768' out of range (-32768..32767)"},
    {".func main\n    ldm8 r1, [r2-32769]\n", "t.sla:2:17: error: offset '-32769' out of range (-32768..32767)"},
    {".func main\n    ja @40000\n",
     "t.sla:2:8: error: branch target @40000 is too far from instruction 0 (offset must fit 16 bits)"},
    {".func main\n    ldk r1, =18446744073709551616\n",
     "t.sla:2:14: error: constant '18446744073709551616' does not fit 64 bits"},
    {".const -9223372036854775809\n", "t.sla:1:8: error: constant '-9223372036854775809' does not fit 64 bits"},
    {".func main\n    call f2147483648\n",
     "t.sla:2:10: error: index 'f2147483648' out of range (-2147483648..2147483647)"},
    {".func main\n    jump @1\n", "t.sla:2:5: error: unknown instruction 'jump'"},
    {".func main\n    ldp8.nc r1, [r2+0]\n",
     "t.sla:2:5: error: 'ldp8.nc' is an internal form that only the verifier produces"},
    {".func main\n    tget r1, r2, r3, t0, r5\n", "t.sla:2:26: error: too many operands for 'tget'"},
    {".func main\n    add r1, [r2]\n",
     "t.sla:2:13: error: invalid operands for 'add' (expected 'rA, rB' or 'rA, imm')"},
    {".func main\n    exit r1\n", "t.sla:2:10: error: invalid operands for 'exit' (expected 'no operands')"},
    {".func main\n    call t1\n", "t.sla:2:10: error: invalid operands for 'call' (expected 'function')"},
    {".func main\n.func next\n    exit\n", "t.sla:1:1: error: function 'main' has no instructions"},
    {".func main\n    exit\n.func\n", "t.sla:3:1: error: function 'f1' has no instructions"},
    {".func main\n    exit\n.func main\n    exit\n",
     "t.sla:3:7: error: duplicate function 'main' (first defined on line 1)"},
    {".handler packet f4294967296\n",
     "t.sla:1:17: error: function index 'f4294967296' out of range (0..4294967295)"},
    {".handler timer main\n", "t.sla:1:20: error: expected timer period at the end of the line"},
    {".handler packet\n", "t.sla:1:16: error: expected a function name or fN at the end of the line"},
    {".handler fast main\n", "t.sla:1:10: error: expected 'packet', 'init' or 'timer', found 'fast'"},
    {".state 8\n.state 8\n", "t.sla:2:1: error: duplicate .state (the state size is set once)"},
    {".state 67108865\n", "t.sla:1:8: error: state size '67108865' out of range (0..67108864)"},
    {".data 01 2 03\n", "t.sla:1:10: error: .data takes bytes as two hex digits, found '2'"},
    {".table t hash 4 4 4\n.table t hash 4 4 4\n",
     "t.sla:2:8: error: duplicate table 't' (first defined on line 1)"},
    {".table t cuckoo 4 4 4\n", "t.sla:1:10: error: expected 'hash' or 'lpm', found 'cuckoo'"},
    {".table t hash 256 4 4\n", "t.sla:1:15: error: key size '256' out of range (0..255)"},
    {".port\n", "t.sla:1:6: error: expected a port name at the end of the line"},
    {".port a b\n", "t.sla:1:9: error: expected the end of the line, found 'b'"},
    {".port eth/0\n", "t.sla:1:7: error: invalid port name 'eth/0' (1..32 characters of A-Z a-z 0-9 _ . -)"},
    {".file \"a\\qb\"\n",
     "t.sla:1:9: error: invalid escape in string (use \\\\, \\\", \\n, \\t, \\r, \\0 or \\xHH)"},
    {".file \"a\"\n.loc 1 2 3\n", "t.sla:2:6: error: file index 1 not declared by a .file before it"},
    {"    exit\n", "t.sla:1:5: error: instruction outside a function (start one with .func)"},
    {".function main\n", "t.sla:1:1: error: unknown directive '.function'"},
    {".func main\nL: exit\nL: exit\n", "t.sla:3:1: error: duplicate label 'L' (first defined on line 2)"},
    {".func main\n    ja nowhere\n", "t.sla:2:8: error: undefined label 'nowhere'"},
    {".func main\n    call nobody\n", "t.sla:2:10: error: undefined function 'nobody'"},
    {".func main\n    tdel r1, r2, none\n", "t.sla:2:18: error: undefined table 'none'"},
    {".handler packet nobody\n.func main\n    exit\n", "t.sla:1:17: error: undefined function 'nobody'"},
    {"", "t.sla:1:1: error: no functions (a program needs at least one .func with instructions)"},
    {".state 2\n.data 01 02 03\n.func main\n    exit\n",
     "t.sla:2:1: error: initial state data (3 bytes) is longer than the state size (2 bytes)"},
    {".sym variable x 1 2\n",
     "t.sla:1:6: error: expected a symbol kind (state, func, table, label, const or var), found 'variable'"},
    {".sym state x 1\n", "t.sla:1:15: error: expected symbol size at the end of the line"},
    {".sym label k7 1\n", "t.sla:1:12: error: 'k7' is reserved for references by index and cannot name a symbol"},
    {".func main\n    ldk r1, 5\n",
     "t.sla:2:13: error: invalid operands for 'ldk' (expected 'rA, kN or rA, =value')"},
    {".func main\n    mov r1, [r2+5\n", "t.sla:2:18: error: expected ']' at the end of the line"},
    {".func main\n    mov r1, @\n", "t.sla:2:14: error: expected an instruction index after '@' at the end of the line"},
    {".func main\n    42\n", "t.sla:2:5: error: expected an instruction, a directive or a label, found '42'"},
    {".insn 1, 2\n", "t.sla:1:11: error: expected ',' at the end of the line"},
    {".insn 1, 16, 0, 0, 0\n", "t.sla:1:10: error: register field '16' out of range (0..15)"},
};

static void test_error_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        const ErrCase *c = &err_cases[i];
        char err[2048];
        uint8_t *out = (uint8_t *)"sentinel";
        size_t len = 99;
        int rc = sl_asm_assemble(c->src, strlen(c->src), "t.sla", 0, &out, &len, err, sizeof err);
        if (rc != -SL_ESYNTAX)
            fail_msg("case %zu (%s): rc %d, expected -SL_ESYNTAX", i, c->want, rc);
        assert_null(out);
        assert_int_equal(len, 0);
        char *nl = strchr(err, '\n');
        if (nl)
            *nl = '\0';
        if (strcmp(err, c->want) != 0)
            fail_msg("case %zu:\n  got:  %s\n  want: %s", i, err, c->want);
    }
}

/* Limits that take many lines to reach. */
static char *repeat(const char *head, const char *line, unsigned n)
{
    size_t hl = strlen(head), ll = strlen(line);
    char *s = malloc(hl + ll * n + 1);
    assert_non_null(s);
    memcpy(s, head, hl);
    for (unsigned i = 0; i < n; i++)
        memcpy(s + hl + (size_t)i * ll, line, ll);
    s[hl + (size_t)ll * n] = '\0';
    return s;
}

static void expect_error(const char *src, size_t len, const char *want)
{
    char err[4096];
    uint8_t *out;
    size_t out_len;
    int rc = sl_asm_assemble(src, len, "t.sla", 0, &out, &out_len, err, sizeof err);
    assert_int_equal(rc, -SL_ESYNTAX);
    if (!strstr(err, want))
        fail_msg("missing '%s' in:\n%s", want, err);
}

static void test_limits(void **state)
{
    (void)state;
    char *s = repeat(".func main\n", "    exit\n", SL_MAX_CODE + 1);
    expect_error(s, strlen(s), "t.sla:1048578:5: error: too many instructions (the limit is 1048576)");
    free(s);
    s = repeat("", ".table - hash 4 4 4\n", SL_MAX_TABLES + 1);
    expect_error(s, strlen(s), "t.sla:257:1: error: too many tables (the limit is 256)");
    free(s);
    s = repeat("", ".port p\n", SL_MAX_PORTS + 1);
    expect_error(s, strlen(s), "t.sla:257:1: error: too many ports (the limit is 256)");
    free(s);
    s = repeat(".func main\n    exit\n", ".handler packet main\n", SL_MAX_HANDLERS + 1);
    expect_error(s, strlen(s), "t.sla:67:1: error: too many handlers (the limit is 64)");
    free(s);
    s = repeat("", ".const 1\n", SL_MAX_CONSTS + 1);
    expect_error(s, strlen(s), "t.sla:65537:1: error: too many constants (the limit is 65536)");
    free(s);
    /* a file name longer than its 16-bit length field */
    s = repeat(".file \"", "x", 65536);
    strcat(s = realloc(s, strlen(s) + 3), "\"\n");
    expect_error(s, strlen(s), "t.sla:1:7: error: file name longer than 65535 bytes");
    free(s);
}

/* At most SL_ASM_MAX_ERRORS messages, each on its own line, and the buffer always terminated. */
static void test_error_limit_and_truncation(void **state)
{
    (void)state;
    char *s = repeat(".func main\n", "    bogus\n", 50);
    char err[8192];
    uint8_t *out;
    size_t len;
    assert_int_equal(sl_asm_assemble(s, strlen(s), "t.sla", 0, &out, &len, err, sizeof err), -SL_ESYNTAX);
    int lines = 1;
    for (char *p = err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, SL_ASM_MAX_ERRORS);
    assert_non_null(strstr(err, "t.sla:21:5: error: unknown instruction 'bogus'"));
    char small[16];
    memset(small, 'z', sizeof small);
    assert_int_equal(sl_asm_assemble(s, strlen(s), "t.sla", 0, &out, &len, small, sizeof small), -SL_ESYNTAX);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "t.sla:2:5: erro", 15);
    assert_int_equal(sl_asm_assemble(s, strlen(s), "t.sla", 0, &out, &len, NULL, 0), -SL_ESYNTAX);
    free(s);
}

static void test_hostile_input(void **state)
{
    (void)state;
    char err[4096];
    uint8_t *out;
    size_t len;
    /* NUL bytes inside an otherwise good program: reported, not a string terminator */
    static const char nul[] = ".func main\n    exit\x00 r1\n";
    assert_int_equal(sl_asm_assemble(nul, sizeof nul - 1, "t.sla", 0, &out, &len, err, sizeof err), -SL_ESYNTAX);
    assert_string_equal(err, "t.sla:2:9: error: unexpected character '\\x00'");

    /* a 1 MB line of one identifier, of digits, of commas */
    size_t big = 1 << 20;
    char *s = malloc(big + 32);
    assert_non_null(s);
    memcpy(s, ".func main\n    mov r1, ", 23);
    memset(s + 23, '9', big);
    expect_error(s, 23 + big, "t.sla:2:13: error: immediate '9999999999999999999999999999999999999999...' out of range");
    memset(s + 23, 'a', big);
    expect_error(s, 23 + big, "t.sla:2:13: error: invalid operands for 'mov'");
    memset(s + 23, ',', big);
    expect_error(s, 23 + big, "t.sla:2:13: error: expected an operand, found ','");
    memset(s, ' ', big);
    memcpy(s + big, "\x01\n.func m\nexit\n", 15);
    assert_int_equal(sl_asm_assemble(s, big + 15, "t.sla", 0, &out, &len, err, sizeof err), -SL_ESYNTAX);
    assert_string_equal(err, "t.sla:1:1048577: error: unexpected character '\\x01'");
    memcpy(s + big, ".func m\nexit\n", 13); /* leading blanks are fine */
    assert_int_equal(sl_asm_assemble(s, big + 13, "t.sla", 0, &out, &len, err, sizeof err), 0);
    free(out);
    free(s);

    /* pseudo-random junk, and junk spliced into a valid program: errors or success, no crash */
    uint32_t x = 12345;
    char buf[512];
    for (int round = 0; round < 2000; round++) {
        size_t n = 0;
        if (round % 2) {
            static const char prefix[] = ".func main\n    add r1, ";
            memcpy(buf, prefix, sizeof prefix - 1);
            n = sizeof prefix - 1;
        }
        size_t extra = (x = x * 1103515245u + 12345u) >> 23;
        for (size_t i = 0; i < extra && n < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            static const char alphabet[] = " \n\t,[]+-:=@;#.\"rfkt0123456789xabAZ_";
            buf[n++] = (x >> 24) & 1 ? alphabet[(x >> 8) % (sizeof alphabet - 1)] : (char)(x >> 16);
        }
        int rc = sl_asm_assemble(buf, n, "j.sla", round & 4 ? SL_ASM_STRIP : 0, &out, &len, err, sizeof err);
        if (rc == 0) {
            SlImage im;
            char perr[128];
            assert_int_equal(sl_image_parse(out, len, &im, perr, sizeof perr), 0);
            free(out);
        } else {
            assert_int_equal(rc, -SL_ESYNTAX);
            assert_memory_equal(err, "j.sla:", 6);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_formats, teardown),
        cmocka_unit_test_teardown(test_names_and_directives, teardown),
        cmocka_unit_test_teardown(test_debug_info_and_strip, teardown),
        cmocka_unit_test_teardown(test_insn_directive, teardown),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_error_limit_and_truncation),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

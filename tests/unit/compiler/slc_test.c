/* Unit tests of the compiler library (compiler/slc.h): diagnostics text, constants and
 * types, the call graph, imports through the reader hook, debug symbols, code shape, hostile
 * input, and that every image it produces runs as the source says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "slc.h"
#include "vm.h"

static int compile(const char *src, SlcResult *res)
{
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    return sl_compile(&opt, "t.sl", src, strlen(src), res);
}

/* Compiles src, expecting errors, and checks the diagnostics contain want. */
static void expect_diag(const char *src, const char *want)
{
    SlcResult r;
    int rc = compile(src, &r);
    if (!strstr(r.diags, want))
        fail_msg("diagnostics lack \"%s\":\n%s", want, r.diags);
    if (strstr(want, "error:")) {
        assert_true(rc < 0);
        assert_null(r.image);
    }
    sl_compile_result_free(&r);
}

static void expect_ok(const char *src, SlcResult *r)
{
    int rc = compile(src, r);
    if (rc != 0)
        fail_msg("compile failed:\n%s", r->diags);
    assert_non_null(r->image);
}

/* Runs the packet handler of an image on a packet; returns the verdict and fills port. */
static int run_packet(const SlcResult *r, uint8_t *pkt, uint32_t len, uint32_t *port, SlResult *out)
{
    SlImage img;
    char err[256];
    assert_int_equal(sl_image_parse(r->image, r->image_len, &img, err, sizeof err), 0);
    SlVmConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    size_t need = sl_vm_footprint(&img);
    void *mem = aligned_alloc(64, (need + 63) / 64 * 64);
    assert_non_null(mem);
    SlVm *vm;
    assert_int_equal(sl_vm_create(mem, need, &img, &cfg, &vm, err, sizeof err), 0);
    int h = sl_image_find_handler(&img, SL_HANDLER_PACKET, 0);
    assert_true(h >= 0);
    uint8_t buf[SL_PKT_HEADROOM + SL_PKT_MAX];
    memset(buf, 0, sizeof buf);
    memcpy(buf + SL_PKT_HEADROOM, pkt, len);
    SlPacket p;
    memset(&p, 0, sizeof p);
    p.buf = buf;
    p.cap = sizeof buf;
    p.head = SL_PKT_HEADROOM;
    p.len = len;
    SlEnv env;
    memset(&env, 0, sizeof env);
    int rc = sl_vm_run(vm, (uint32_t)h, &p, &env, 1u << 20, out);
    assert_int_equal(rc, 0);
    *port = out->port;
    memcpy(pkt, buf + p.head, p.len < len ? p.len : len);
    free(mem);
    if (out->status == SL_RUN_FAULT)
        print_message("fault %u at %u (trap %d)\n", out->fault, out->pc, out->trap);
    return (int)out->status == SL_RUN_FAULT ? -1 : (int)out->verdict;
}

static void test_syntax_error_format(void **state)
{
    (void)state;
    expect_diag("port a;\non packet(p: packet) {\n    let x = ;\n}\n",
                "t.sl:3:13: error: syntax error, unexpected ';'");
    expect_diag("port a;\non packet(p: packet) {\n    let x = ;\n}\n", "    3 |     let x = ;\n      |             ^\n");
}

static void test_type_errors(void **state)
{
    (void)state;
    expect_diag("fn f(a: u8, b: bool) -> u8 { return a + b; }", "error: mismatched types u8 and bool in '+'");
    expect_diag("fn f() -> u8 { let x: u8 = 300; return x; }", "error: constant 300 does not fit in u8");
    expect_diag("fn f(a: u16) -> u8 { return a; }", "expected u8, found u16");
    expect_diag("fn f(a: u8) -> u8 { return a / 0; }", "error: division by zero");
    expect_diag("fn f(a: u8) -> bool { return a as bool; }", "cannot convert u8 to bool");
    expect_diag("fn f() -> u64 { return 1 << 70; }", "outside the 64-bit range");
}

static void test_optional_must_be_checked(void **state)
{
    (void)state;
    const char *src = "header ipv4 { ttl: u8; }\nport o;\non packet(p: packet) {\n"
                      "    let ip = p.extract(ipv4, 14);\n    if ip.ttl == 0 { drop(); }\n    send(o);\n}\n";
    expect_diag(src, "t.sl:5:8: error: header 'ipv4' may be absent here");
    expect_diag(src, "note: check it first: 'if let ip = p.extract(ipv4, offset) { ... }'");
}

static void test_warnings(void **state)
{
    (void)state;
    expect_diag("port o;\non packet() {\n    let x = 1;\n    send(o);\n}\n", "t.sl:3:9: warning: unused variable 'x'");
    expect_diag("port o;\non packet() {\n    send(o);\n    drop();\n}\n", "t.sl:4:5: warning: unreachable code");
    expect_diag("fn f(a: u8) -> u8 { if a == 1 { return 2; } }", "error: missing return");
    SlcResult r;
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    opt.werror = 1;
    const char *src = "port o;\non packet() { let x = 1; send(o); }";
    assert_true(sl_compile(&opt, "t.sl", src, strlen(src), &r) < 0);
    assert_non_null(strstr(r.diags, "error: unused variable 'x' [-Werror]"));
    sl_compile_result_free(&r);
}

static void test_call_graph(void **state)
{
    (void)state;
    expect_diag("fn a() { b(); }\nfn b() { a(); }\nport o;\non packet() { a(); send(o); }",
                "error: recursive call: a -> b -> a");
    expect_diag("fn f(a: u8, b: u8, c: u8, d: u8, e: u8, g: u8) {}", "the limit is 5");
}

static void test_let_else_must_not_fall_through(void **state)
{
    (void)state;
    expect_diag("header h { x: u8; }\nport o;\non packet(p: packet) {\n"
                "    let a = p.extract(h, 0) else { }\n    send(o);\n}\n",
                "must not fall through");
}

static void test_many_errors_then_stop(void **state)
{
    (void)state;
    char src[4096] = "fn f() {\n";
    for (int i = 0; i < 40; i++) {
        char line[64];
        snprintf(line, sizeof line, "  let _x%d: u8 = 300;\n", i);
        strcat(src, line);
    }
    strcat(src, "}\n");
    SlcResult r;
    assert_true(compile(src, &r) < 0);
    assert_non_null(strstr(r.diags, "slc: too many errors, stopping"));
    assert_int_equal(r.errors, 20);
    sl_compile_result_free(&r);
}

static void test_hostile_input(void **state)
{
    (void)state;
    /* binary junk, deep nesting, a 1 MB line: errors, never a crash */
    char junk[512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 37 + 11);
    SlcResult r;
    assert_true(sl_compile(NULL, "junk.sl", junk, sizeof junk, &r) < 0);
    assert_true(r.errors > 0);
    sl_compile_result_free(&r);

    size_t n = 100000;
    char *deep = malloc(n * 2 + 64);
    assert_non_null(deep);
    strcpy(deep, "fn f() -> u64 { return ");
    size_t k = strlen(deep);
    for (size_t i = 0; i < n; i++)
        deep[k++] = '(';
    deep[k++] = '1';
    deep[k] = '\0';
    assert_true(compile(deep, &r) < 0);
    assert_non_null(strstr(r.diags, "nested too deeply"));
    sl_compile_result_free(&r);

    k = strlen("fn f() -> u64 { return ");
    for (size_t i = 0; i < n; i++) {
        deep[k++] = '1';
        deep[k++] = '+';
    }
    strcpy(deep + k, "1; }");
    assert_true(compile(deep, &r) < 0);
    assert_non_null(strstr(r.diags, "nested too deeply"));
    sl_compile_result_free(&r);
    free(deep);

    char *line = malloc((1 << 20) + 16);
    assert_non_null(line);
    memset(line, 'x', 1 << 20);
    strcpy(line + (1 << 20), " = 1;");
    assert_true(compile(line, &r) < 0);
    sl_compile_result_free(&r);
    free(line);
}

static int read_mem(void *user, const char *path, char **data, size_t *len)
{
    (void)user;
    if (strcmp(path, "lib/std/two.sl") != 0)
        return -1;
    const char *text = "const TWO: u32 = 2;\nstate shared: u32;\n";
    *data = strdup(text);
    *len = strlen(text);
    return *data ? 0 : -1;
}

static void test_imports_and_state_order(void **state)
{
    (void)state;
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    opt.stdlib_dir = "lib";
    opt.read_file = read_mem;
    opt.debug_info = 1;
    const char *src = "import \"std/two\";\nimport \"std/two\";\nstate mine: u8;\nport o;\n"
                      "on packet() { shared = TWO; mine = 1; send(o); }\n";
    SlcResult r;
    int rc = sl_compile(&opt, "t.sl", src, strlen(src), &r);
    if (rc)
        fail_msg("%s", r.diags);
    /* imported state comes first */
    assert_non_null(strstr(r.asm_text, ".sym state \"shared\" 0 4"));
    assert_non_null(strstr(r.asm_text, ".sym state \"mine\" 4 1"));
    sl_compile_result_free(&r);
    const char *bad = "import \"std/nope\";\n";
    assert_true(sl_compile(&opt, "t.sl", bad, strlen(bad), &r) < 0);
    assert_non_null(strstr(r.diags, "cannot find import \"std/nope\""));
    sl_compile_result_free(&r);
}

static void test_debug_symbols_and_strip(void **state)
{
    (void)state;
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    opt.debug_info = 1;
    const char *src = "port o;\nfn f(a: u32) -> u32 { let x = a * 3; if x > 7 { let y = x; return y; }"
                      " let y = x + 1; return y; }\non packet(p: packet) { let n = f(p.len()); send(o); }\n";
    SlcResult g, plain;
    assert_int_equal(sl_compile(&opt, "t.sl", src, strlen(src), &g), 0);
    assert_non_null(strstr(g.asm_text, ".file \"t.sl\""));
    assert_non_null(strstr(g.asm_text, ".loc 0 "));
    assert_non_null(strstr(g.asm_text, ".sym var \"on_packet.n\""));
    SlImage img;
    char err[128];
    assert_int_equal(sl_image_parse(g.image, g.image_len, &img, err, sizeof err), 0);
    assert_true(img.dbg_line_count > 0);
    int vars = 0;
    for (uint32_t i = 0; i < img.dbg_sym_count; i++)
        vars += sl_image_dbg_sym(&img, i).kind == SL_SYM_VAR;
    assert_true(vars >= 1);
    /* the same code without -g: same content hash */
    opt.debug_info = 0;
    assert_int_equal(sl_compile(&opt, "t.sl", src, strlen(src), &plain), 0);
    SlImage img2;
    assert_int_equal(sl_image_parse(plain.image, plain.image_len, &img2, err, sizeof err), 0);
    assert_memory_equal(img.hash, img2.hash, SL_IMAGE_HASH_SIZE);
    assert_int_equal(img2.dbg_sym_count, 0);
    sl_compile_result_free(&g);
    sl_compile_result_free(&plain);
}

static void test_header_access_is_proven(void **state)
{
    (void)state;
    /* one length check, then unchecked loads at constant offsets */
    const char *src = "header eth { dst: u48; src: u48; t: u16; }\nport o;\non packet(p: packet) {\n"
                      "    let e = p.extract(eth, 0) else { drop(); }\n    if e.t == 0x800 { send(o); }\n"
                      "    e.src = e.dst;\n    send(o);\n}\n";
    SlcResult r;
    expect_ok(src, &r);
    assert_non_null(strstr(r.asm_text, "plen"));
    assert_non_null(strstr(r.asm_text, ", 14, "));
    SlImage img;
    char err[256];
    assert_int_equal(sl_image_parse(r.image, r.image_len, &img, err, sizeof err), 0);
    size_t ss = sl_verify_scratch_size(&img);
    void *scratch = malloc(ss + 8);
    SlInsn *code = malloc((img.code_count + 1) * sizeof *code);
    assert_int_equal(sl_verify(&img, code, scratch, ss, err, sizeof err), 0);
    int nc = 0, checked = 0;
    for (uint32_t i = 0; i < img.code_count; i++) {
        nc += code[i].op >= SL_OP_LDP8_NC && code[i].op <= SL_OP_STP64_NC;
        checked += (code[i].op >= SL_OP_LDP8 && code[i].op <= SL_OP_STP64);
    }
    assert_true(nc >= 3);
    assert_int_equal(checked, 0);
    free(scratch);
    free(code);
    sl_compile_result_free(&r);
}

static void test_runs_as_written(void **state)
{
    (void)state;
    const char *src =
        "header eth { dst: u48; src: u48; t: u16; }\n"
        "header ip4 { v: u4; ihl: u4; tos: u8; len: u16; id: u16; fl: u3; frag: u13; ttl: u8; pr: u8; }\n"
        "port a, b, c;\n"
        "state seen: [4]u32;\n"
        "table macs: hash<u48, u16>[16];\n"
        "fn sat(x: i8, y: i8) -> i8 { let s = x as i16 + y as i16; return max(-128, min(s, 127)) as i8; }\n"
        "on packet(p: packet, port: u32) {\n"
        "    let e = p.extract(eth, 0) else { drop(); }\n"
        "    seen[port] += 1;\n"
        "    macs.put(e.src, 7);\n"
        "    let ip = p.extract(ip4, 14) else { send(c); }\n"
        "    ip.ttl -= 1;\n"
        "    ip.frag = 0x1abc;\n"
        "    if sat(100, 100) != 127 || sat(-100, -100) != -128 { trap(300); }\n"
        "    let total: u32 = 0;\n"
        "    for i in 0..4 { total += seen[i]; }\n"
        "    if let v = macs.get(e.src) { if v == 7 && total == 1 { send(b); } }\n"
        "    send(a);\n"
        "}\n";
    SlcResult r;
    expect_ok(src, &r);
    uint8_t pkt[40];
    memset(pkt, 0, sizeof pkt);
    pkt[6] = 0x02;
    pkt[12] = 0x08;
    pkt[14] = 0x45;
    pkt[20] = 0xe0; /* flags 111, frag 0 */
    pkt[22] = 64;   /* ttl */
    uint32_t port = 99;
    SlResult out;
    assert_int_equal(run_packet(&r, pkt, sizeof pkt, &port, &out), SL_VERDICT_SEND);
    assert_int_equal(port, 1);
    assert_int_equal(pkt[22], 63);
    assert_int_equal(pkt[20], 0xe0 | 0x1a); /* flags kept, 13 bits written */
    assert_int_equal(pkt[21], 0xbc);
    /* too short for the IPv4 header: port c */
    uint8_t small[20];
    memset(small, 0, sizeof small);
    assert_int_equal(run_packet(&r, small, sizeof small, &port, &out), SL_VERDICT_SEND);
    assert_int_equal(port, 2);
    sl_compile_result_free(&r);
}

static void test_library_module_without_handlers(void **state)
{
    (void)state;
    SlcResult r;
    expect_ok("const X = 5;\nheader h { a: u8; }\n", &r);
    sl_compile_result_free(&r);
    expect_ok("fn f(a: u8) -> u8 { return a + 1; }\n", &r);
    sl_compile_result_free(&r);
}

/* -g adds line markers to the IR: the code must not change with them (a long block of
 * constant-offset packet accesses renews its zero register at the same places). */
static void test_debug_info_keeps_code(void **state)
{
    (void)state;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "header h { a: u8; b: u16; c: u32; d: u48; }\nport o;\n"
                                                   "state s: [8]u32;\non packet(p: packet) {\n"
                                                   "    let x = p.extract(h, 0) else { drop(); }\n");
    for (int i = 0; i < 24; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "    x.b = x.b + %d; x.a ^= x.c as u8; s[%d] = x.c + s[%d];\n",
                              i, i % 8, (i + 3) % 8);
    snprintf(text + n, sizeof text - n, "    send(o);\n}\n");
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    SlcResult g, plain;
    opt.debug_info = 1;
    assert_int_equal(sl_compile(&opt, "t.sl", text, strlen(text), &g), 0);
    opt.debug_info = 0;
    assert_int_equal(sl_compile(&opt, "t.sl", text, strlen(text), &plain), 0);
    SlImage a, b;
    char err[128];
    assert_int_equal(sl_image_parse(g.image, g.image_len, &a, err, sizeof err), 0);
    assert_int_equal(sl_image_parse(plain.image, plain.image_len, &b, err, sizeof err), 0);
    assert_memory_equal(a.hash, b.hash, SL_IMAGE_HASH_SIZE);
    sl_compile_result_free(&g);
    sl_compile_result_free(&plain);
}

/* slc -d opt: each function's IR after the optimiser, next to -d ir's before. */
static void test_dump_opt(void **state)
{
    (void)state;
    const char *src = "port o;\nfn odd(x: u32) -> bool { return x % 2 == 1 && x > 2; }\n"
                      "on packet(p: packet) { if odd(p.len()) { send(o); } drop(); }\n";
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.dump = SLC_DUMP_IR | SLC_DUMP_OPT;
    SlcResult r;
    assert_int_equal(sl_compile(&opt, "t.sl", src, strlen(src), &r), 0);
    assert_non_null(r.dump_text);
    const char *first = strstr(r.dump_text, "function on_packet");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "function on_packet"));
    sl_compile_result_free(&r);
    uint8_t pkt[5] = {0};
    uint32_t port = 9;
    SlResult out;
    for (uint32_t len = 1; len <= 5; len++) { /* odd lengths above 2 are sent */
        SlcResult c;
        expect_ok(src, &c);
        int v = run_packet(&c, pkt, len, &port, &out);
        assert_int_equal(v, len % 2 == 1 && len > 2 ? SL_VERDICT_SEND : SL_VERDICT_DROP);
        sl_compile_result_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_error_format),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_optional_must_be_checked),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_call_graph),
        cmocka_unit_test(test_let_else_must_not_fall_through),
        cmocka_unit_test(test_many_errors_then_stop),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_imports_and_state_order),
        cmocka_unit_test(test_debug_symbols_and_strip),
        cmocka_unit_test(test_header_access_is_proven),
        cmocka_unit_test(test_runs_as_written),
        cmocka_unit_test(test_library_module_without_handlers),
        cmocka_unit_test(test_debug_info_keeps_code),
        cmocka_unit_test(test_dump_opt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

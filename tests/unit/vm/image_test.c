/* The image reader on well-formed and hostile containers: every rejection has a crafted input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mkimage.h"
#include "vm.h"

static MkImage m;
static char err[256];

static void minimal(void)
{
    SlInsn code[] = {INSN(EXIT, 0, 0, 0, 0)};
    mk_begin(&m);
    mk_code(&m, code, 1);
    mk_func0(&m);
}

static int parse(void)
{
    SlImage img;
    return sl_image_parse(m.buf, m.len, &img, err, sizeof err);
}

static void test_minimal_image_parses(void **state)
{
    (void)state;
    minimal();
    SlImage img;
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    assert_int_equal(img.code_count, 1);
    assert_int_equal(img.func_count, 1);
    assert_int_equal(sl_image_func(&img, 0).entry, 0);
    assert_int_equal(img.has_debug, 0);
}

static void test_every_truncation_is_rejected(void **state)
{
    (void)state;
    minimal();
    size_t full = m.len;
    for (size_t n = 0; n < full; n++) {
        SlImage img;
        int rc = sl_image_parse(m.buf, n, &img, err, sizeof err);
        assert_true(rc < 0);
        assert_true(strlen(err) > 0);
    }
}

static void test_bad_magic(void **state)
{
    (void)state;
    minimal();
    m.buf[1] = 'X';
    assert_int_equal(parse(), -SL_EMAGIC);
    assert_string_equal(err, "offset 0: not a Sluice image (bad magic)");
}

static void test_bad_version(void **state)
{
    (void)state;
    minimal();
    m.buf[4] = 2;
    assert_int_equal(parse(), -SL_EVERSION);
}

static void test_section_past_end(void **state)
{
    (void)state;
    minimal();
    sl_put_le32(m.buf + SL_IMAGE_HEADER_SIZE + 4, 1000);
    assert_int_equal(parse(), -SL_ETRUNCATED);
    assert_string_equal(err, "offset 52: section body runs past the end of the image");
}

static void test_unknown_and_duplicate_sections(void **state)
{
    (void)state;
    minimal();
    mk_section(&m, 0x7e, "x", 1);
    assert_int_equal(parse(), -SL_ESECTION);
    assert_string_equal(err, "offset 80: unknown section id");

    minimal();
    mk_section(&m, SL_SEC_FUNCS, NULL, 4);
    assert_int_equal(parse(), -SL_ESECTION);
    assert_true(strstr(err, "not strictly ascending") != NULL);
}

static void test_unknown_debug_section_is_skipped(void **state)
{
    (void)state;
    minimal();
    mk_section(&m, 0xf0, "whatever", 8);
    assert_int_equal(parse(), 0);
}

static void test_counts_must_fill_sections(void **state)
{
    (void)state;
    SlInsn code[] = {INSN(EXIT, 0, 0, 0, 0)};
    mk_begin(&m);
    mk_code(&m, code, 1);
    uint8_t funcs[12] = {0};
    sl_put_le32(funcs, 2); /* claims two functions, holds one */
    mk_section(&m, SL_SEC_FUNCS, funcs, 12);
    assert_int_equal(parse(), -SL_ESECTION);
    assert_true(strstr(err, "do not fill the section") != NULL);
}

static void test_code_and_funcs_required(void **state)
{
    (void)state;
    mk_begin(&m);
    mk_func0(&m);
    assert_int_equal(parse(), -SL_ESECTION);
    assert_true(strstr(err, "no code section") != NULL);
}

static void test_state_init_longer_than_size(void **state)
{
    (void)state;
    minimal();
    uint8_t body[8] = {2, 0, 0, 0, 1, 2, 3, 4};
    mk_section(&m, SL_SEC_STATE, body, 8);
    assert_int_equal(parse(), -SL_ESECTION);
}

static void test_port_names(void **state)
{
    (void)state;
    minimal();
    mk_ports(&m, 3);
    SlImage img;
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    uint32_t len;
    const char *name = sl_image_port_name(&img, 2, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(name, "p2", 2);

    minimal();
    uint8_t bad[7] = {1, 0, 0, 0, 2, 'a', ' '};
    mk_section(&m, SL_SEC_PORTS, bad, 7);
    assert_int_equal(parse(), -SL_ESECTION);
}

static void test_strip_drops_debug_only(void **state)
{
    (void)state;
    minimal();
    uint8_t files[9] = {1, 0, 0, 0, 3, 0, 'a', '.', 's'};
    mk_section(&m, SL_SEC_DBG_FILES, files, 9);
    SlImage img;
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    assert_int_equal(img.has_debug, 1);
    uint8_t out[512];
    size_t n = sl_image_strip(&img, out, sizeof out);
    assert_int_equal(n, m.len - 17);
    SlImage stripped;
    assert_int_equal(sl_image_parse(out, n, &stripped, err, sizeof err), 0);
    assert_int_equal(stripped.has_debug, 0);
    assert_memory_equal(stripped.hash, img.hash, SL_IMAGE_HASH_SIZE);
    assert_int_equal(sl_image_strip(&img, out, 10), n); /* too small: sizes only */
}

static void test_line_lookup(void **state)
{
    (void)state;
    minimal();
    uint8_t lines[4 + 32] = {2};
    sl_put_le32(lines + 4, 0);
    sl_put_le32(lines + 12, 10);
    sl_put_le32(lines + 20, 5);
    sl_put_le32(lines + 28, 20);
    mk_section(&m, SL_SEC_DBG_LINES, lines, sizeof lines);
    SlImage img;
    assert_int_equal(sl_image_parse(m.buf, m.len, &img, err, sizeof err), 0);
    SlLine l;
    assert_int_equal(sl_image_line_for(&img, 3, &l), 1);
    assert_int_equal(l.line, 10);
    assert_int_equal(sl_image_line_for(&img, 7, &l), 1);
    assert_int_equal(l.line, 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_image_parses),
        cmocka_unit_test(test_every_truncation_is_rejected),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_section_past_end),
        cmocka_unit_test(test_unknown_and_duplicate_sections),
        cmocka_unit_test(test_unknown_debug_section_is_skipped),
        cmocka_unit_test(test_counts_must_fill_sections),
        cmocka_unit_test(test_code_and_funcs_required),
        cmocka_unit_test(test_state_init_longer_than_size),
        cmocka_unit_test(test_port_names),
        cmocka_unit_test(test_strip_drops_debug_only),
        cmocka_unit_test(test_line_lookup),
    };
    return cmocka_run_group_tests_name("vm/image", tests, NULL, NULL);
}

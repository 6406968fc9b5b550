/* Tests of the DBG_TYPES debug section (asm/dbg_types.h): the bytes the assembler writes for
 * .type/.field/.hdr, the round trip assembler -> image -> disassembler -> assembler, stripping,
 * the assembler's checks, and the hosted parser on malformed bodies (which the freestanding
 * image reader only keeps a view of). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "dbg_types.h"
#include "disasm.h"
#include "vm.h"

static uint8_t *assemble(const char *src, int flags, size_t *len, SlImage *img)
{
    char err[2048], perr[128];
    uint8_t *bytes;
    int rc = sl_asm_assemble(src, strlen(src), "t.sla", flags, &bytes, len, err, sizeof err);
    if (rc < 0)
        fail_msg("assembly failed: %s\n--- source ---\n%s", err, src);
    if (sl_image_parse(bytes, *len, img, perr, sizeof perr) < 0)
        fail_msg("parse failed: %s", perr);
    return bytes;
}

static const char program[] = ".port out\n"
                              ".file \"h.sl\"\n"
                              ".type h 2\n"
                              ".field a 0 12\n"
                              ".field b 12 4\n"
                              ".hdr \"f.x\" 0 2147483654 1 2\n"
                              ".handler packet f\n"
                              ".func f\n"
                              "    mov r6, 0\n"
                              "    send r6\n";

/* The section's bytes, as docs/image-format.md describes them. */
static void test_bytes(void **state)
{
    (void)state;
    size_t len;
    SlImage img;
    uint8_t *bytes = assemble(program, 0, &len, &img);
    static const uint8_t want[] = {
        0x01, 0x00, 0x00, 0x00,                                     /* 1 type */
        0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'h',        /* "h": 2 fields, 2 bytes */
        0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 'a',        /* "a": 12 bits at bit 0 */
        0x01, 0x00, 0x04, 0x00, 0x0c, 0x00, 0x00, 0x00, 'b',        /* "b": 4 bits at bit 12 */
        0x01, 0x00, 0x00, 0x00,                                     /* 1 header variable */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* name length 3, type 0 */
        0x06, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* r6, 1..2 */
        'f', '.', 'x',
    };
    assert_non_null(img.dbg_types);
    assert_int_equal(img.dbg_types_len, sizeof want);
    assert_memory_equal(img.dbg_types, want, sizeof want);
    /* the record header before it: id 0x83, length */
    assert_int_equal(img.dbg_types[-8], SL_SEC_DBG_TYPES);
    assert_true(img.has_debug);

    SlDbgTypes t;
    char err[160];
    assert_int_equal(sl_dbg_types_parse(img.dbg_types, img.dbg_types_len, &t, err, sizeof err), 0);
    assert_int_equal(t.ntypes, 1);
    assert_int_equal(t.types[0].size, 2);
    assert_int_equal(t.types[0].nfields, 2);
    assert_int_equal(t.types[0].fields[1].bit_off, 12);
    assert_int_equal(t.types[0].fields[1].bits, 4);
    assert_int_equal(t.nhdrs, 1);
    assert_int_equal(t.hdrs[0].loc, SL_DBG_LOC_REG | 6);
    assert_int_equal(t.hdrs[0].start, 1);
    assert_int_equal(t.hdrs[0].end, 2);
    assert_memory_equal(t.hdrs[0].name, "f.x", 3);
    sl_dbg_types_free(&t);
    free(bytes);
}

/* asm -> image -> disasm -> asm gives the same bytes, odd names included; --strip drops the
 * section and keeps the hash. */
static void test_round_trip(void **state)
{
    (void)state;
    static const char src[] = ".port out\n"
                              ".type \"we\\\"ird\\x01name\" 12\n"
                              ".field magic 0 16\n"
                              ".field \"v\\n\" 16 4\n"
                              ".field wide 32 64\n"
                              ".type empty 0\n"
                              ".type h 2\n"
                              ".field a 0 16\n"
                              ".hdr \"on_packet.t\" 0 1073741838 0 2\n"
                              ".hdr \"on_packet.t#2\" 2 2147483648 2 2\n"
                              ".hdr x 1 4096 0 0\n"
                              ".handler packet f\n"
                              ".func f\n"
                              "    mov r1, 0\n"
                              "    send r1\n";
    size_t len, len2, slen;
    SlImage img, img2, simg;
    uint8_t *a = assemble(src, 0, &len, &img);
    char *text;
    size_t tlen;
    assert_int_equal(sl_disasm(&img, NULL, &text, &tlen), 0);
    assert_non_null(strstr(text, ".type \"we\\\"ird\\x01name\" 12"));
    assert_non_null(strstr(text, ".field \"v\\x0a\" 16 4"));
    assert_non_null(strstr(text, ".field \"wide\" 32 64"));
    assert_non_null(strstr(text, ".hdr \"on_packet.t\" 0 1073741838 0 2"));
    assert_non_null(strstr(text, "at =14"));
    assert_non_null(strstr(text, "at r0"));
    assert_non_null(strstr(text, "at @4096"));
    uint8_t *b = assemble(text, 0, &len2, &img2);
    if (len2 != len || memcmp(a, b, len) != 0)
        fail_msg("round trip changed the image; the text was:\n%s", text);
    free(text);

    uint8_t *s = assemble(src, SL_ASM_STRIP, &slen, &simg);
    assert_null(simg.dbg_types);
    assert_false(simg.has_debug);
    assert_memory_equal(simg.hash, img.hash, SL_IMAGE_HASH_SIZE);
    uint8_t *st = malloc(len);
    assert_non_null(st);
    size_t n = sl_image_strip(&img, st, len);
    assert_int_equal(n, slen);
    assert_memory_equal(st, s, slen);
    free(st);
    free(a);
    free(b);
    free(s);
}

static void asm_fails(const char *src, const char *msg)
{
    char err[1024];
    uint8_t *bytes = NULL;
    size_t len;
    int rc = sl_asm_assemble(src, strlen(src), "t.sla", 0, &bytes, &len, err, sizeof err);
    if (rc >= 0)
        fail_msg("assembled: %s", src);
    if (!strstr(err, msg))
        fail_msg("expected '%s' in: %s", msg, err);
}

static void test_asm_errors(void **state)
{
    (void)state;
    const char *tail = "\n.func f\n    exit\n";
    char src[512];
    static const struct {
        const char *lines, *msg;
    } cases[] = {
        {".field a 0 8", ".field before any .type"},
        {".type h 1\n.field a 0 9", "runs past the end of its type"},
        {".type h 16\n.field a 0 65", "field width '65' out of range (1..64)"},
        {".type h 16\n.field a 0 0", "field width '0' out of range"},
        {".hdr x 0 0 0 1", "type index 0 not declared"},
        {".type h 1\n.hdr x 0 2147483664 0 1", "a register location (bit 31) has other bits set"},
        {".type h 1\n.hdr x 0 0 5 4", "ends before it starts"},
        {".type 1 2", "expected a type name"},
        {".type h", "expected type size"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(src, sizeof src, "%s%s", cases[i].lines, tail);
        asm_fails(src, cases[i].msg);
    }
}

/* Malformed bodies: the image reader keeps the view (engines do not care), the parser refuses. */
static void test_parser_rejects(void **state)
{
    (void)state;
    static const uint8_t good[] = {
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 'h',
        0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 'a',
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x0e, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 'x',
    };
    SlDbgTypes t;
    char err[160];
    assert_int_equal(sl_dbg_types_parse(good, sizeof good, &t, err, sizeof err), 0);
    assert_int_equal(t.hdrs[0].loc, SL_DBG_LOC_CONST | 14);
    sl_dbg_types_free(&t);
    assert_int_equal(sl_dbg_types_parse(NULL, 0, &t, err, sizeof err), 0);
    assert_int_equal(t.ntypes + t.nhdrs, 0);
    /* every truncation fails */
    for (size_t n = 1; n < sizeof good; n++) {
        uint8_t *cut = malloc(n); /* exact size: ASan sees any read past it */
        memcpy(cut, good, n);
        assert_int_equal(sl_dbg_types_parse(cut, n, &t, err, sizeof err), -SL_ESECTION);
        assert_true(err[0] != '\0');
        assert_null(t.types);
        free(cut);
    }
    static const struct {
        size_t at;
        uint8_t value;
        const char *msg;
    } edits[] = {
        {0, 0x09, "type count larger than the section"},
        {15, 0, "width not in 1..64"},      /* field bits 0 */
        {15, 65, "width not in 1..64"},
        {15, 17, "runs past the end of its type"},
        {16, 1, "reserved byte not zero"},
        {17, 1, "runs past the end of its type"}, /* bit offset 1 + 16 > 16 */
        {22, 0x02, "binding count larger than the section"},
        {28, 1, "reserved bytes not zero"},
        {30, 1, "type index out of range"},
        {37, 0xc0, "register location with other bits set"}, /* 0xc000000e */
        {39, 0x01, "ends before it starts"},                 /* start 0x100 > end 9 */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        uint8_t bad[sizeof good];
        memcpy(bad, good, sizeof good);
        bad[edits[i].at] = edits[i].value;
        int rc = sl_dbg_types_parse(bad, sizeof bad, &t, err, sizeof err);
        if (rc != -SL_ESECTION || !strstr(err, edits[i].msg))
            fail_msg("edit %zu (byte %zu = %u): rc %d, '%s'; expected '%s'", i, edits[i].at, edits[i].value, rc, err,
                     edits[i].msg);
    }
    /* trailing bytes */
    uint8_t more[sizeof good + 1];
    memcpy(more, good, sizeof good);
    more[sizeof good] = 0;
    assert_int_equal(sl_dbg_types_parse(more, sizeof more, &t, err, sizeof err), -SL_ESECTION);
    assert_non_null(strstr(err, "bytes after the last binding"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_asm_errors),
        cmocka_unit_test(test_parser_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

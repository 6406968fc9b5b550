/* The frame file reader and writer (runner/frames.c): layout, and every rejection with a crafted
 * input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "vm.h"

/* A file with two frames: 3 bytes on port 2 at t=0x0102030405060708, none on port 7 at t=9. */
static size_t two_frames(uint8_t *buf)
{
    static const uint8_t data[3] = {0xaa, 0xbb, 0xcc};
    size_t n = 0;
    sl_frames_header(buf);
    n += SL_FRAMES_HEADER_SIZE;
    sl_frames_record(buf + n, 0x0102030405060708ull, 2, 3);
    n += SL_FRAMES_RECORD_SIZE;
    memcpy(buf + n, data, 3);
    n += 3;
    sl_frames_record(buf + n, 9, 7, 0);
    n += SL_FRAMES_RECORD_SIZE;
    return n;
}

static void test_layout_is_little_endian(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = two_frames(buf);
    static const uint8_t want[] = {
        'S', 'L', 'F', 'R', 1, 0, 0, 0,                   /* header */
        8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0, 3, 0, 0, 0,   /* t, port, len */
        0xaa, 0xbb, 0xcc,
        9, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_reads_back(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = two_frames(buf), off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    assert_int_equal(sl_frames_check(buf, n), 0);
    assert_int_equal(sl_frames_next(buf, n, &off, &f), 1);
    assert_true(f.tstamp_ns == 0x0102030405060708ull);
    assert_int_equal(f.port, 2);
    assert_int_equal(f.len, 3);
    assert_int_equal(f.data[2], 0xcc);
    assert_int_equal(sl_frames_next(buf, n, &off, &f), 1);
    assert_int_equal(f.port, 7);
    assert_int_equal(f.len, 0);
    assert_int_equal(sl_frames_next(buf, n, &off, &f), 0);
    assert_int_equal(off, n);
}

static void test_every_cut_is_rejected(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = two_frames(buf);
    /* Cuts inside the header: truncated (or bad magic once 4 bytes differ, never here). */
    for (size_t cut = 0; cut < SL_FRAMES_HEADER_SIZE; cut++)
        assert_int_equal(sl_frames_check(buf, cut), -SL_ETRUNCATED);
    /* Cuts inside a record: the walk ends with truncated, except at record boundaries. */
    for (size_t cut = SL_FRAMES_HEADER_SIZE; cut < n; cut++) {
        size_t off = SL_FRAMES_HEADER_SIZE;
        SlFrame f;
        int rc;
        while ((rc = sl_frames_next(buf, cut, &off, &f)) > 0)
            ;
        size_t first_end = SL_FRAMES_HEADER_SIZE + SL_FRAMES_RECORD_SIZE + 3;
        int boundary = cut == SL_FRAMES_HEADER_SIZE || cut == first_end;
        assert_int_equal(rc, boundary ? 0 : -SL_ETRUNCATED);
    }
}

static void test_bad_header(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = two_frames(buf);
    buf[0] = 'X';
    assert_int_equal(sl_frames_check(buf, n), -SL_EMAGIC);
    assert_int_equal(sl_frames_check(buf, 2), -SL_EMAGIC);
    buf[0] = 'S';
    buf[4] = 2;
    assert_int_equal(sl_frames_check(buf, n), -SL_EVERSION);
    buf[4] = 1;
    buf[7] = 1;
    assert_int_equal(sl_frames_check(buf, n), -SL_EVERSION);
    assert_string_equal(sl_frames_error(-SL_ETRUNCATED), "cut short");
    assert_string_equal(sl_frames_error(-SL_EMAGIC), "not a frame file (bad magic)");
}

static void test_length_limit(void **state)
{
    (void)state;
    uint8_t buf[SL_FRAMES_HEADER_SIZE + SL_FRAMES_RECORD_SIZE];
    sl_frames_header(buf);
    sl_frames_record(buf + SL_FRAMES_HEADER_SIZE, 0, 0, SL_FRAMES_MAX_LEN + 1);
    size_t off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    assert_int_equal(sl_frames_next(buf, sizeof buf, &off, &f), -SL_ELIMIT);
    /* A length at the limit is allowed; here the bytes are missing. */
    sl_frames_record(buf + SL_FRAMES_HEADER_SIZE, 0, 0, SL_FRAMES_MAX_LEN);
    assert_int_equal(sl_frames_next(buf, sizeof buf, &off, &f), -SL_ETRUNCATED);
    /* A huge length must not wrap the bounds check. */
    sl_frames_record(buf + SL_FRAMES_HEADER_SIZE, 0, 0, 0xffffffffu);
    assert_int_equal(sl_frames_next(buf, sizeof buf, &off, &f), -SL_ELIMIT);
    assert_int_equal(off, SL_FRAMES_HEADER_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_is_little_endian),
        cmocka_unit_test(test_reads_back),
        cmocka_unit_test(test_every_cut_is_rejected),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_length_limit),
    };
    return cmocka_run_group_tests_name("runner/frames", tests, NULL, NULL);
}

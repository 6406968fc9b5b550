/* slrun's counters record and run log (runner/report.c): fixed layout, round trip, rejections. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "vm.h"

static SlReportPort ports[2] = {{1, 2, 3, 4}, {5, 6, 7, 8}};
static const uint8_t state_bytes[3] = {0x11, 0x22, 0x33};

static SlReport sample(void)
{
    SlReport r;
    memset(&r, 0, sizeof r);
    r.mode = SL_REPORT_MODE_VM;
    r.nports = 2;
    r.ports = ports;
    for (unsigned i = 0; i < SL_REPORT_TOTALS; i++)
        r.total[i] = 0x100 + i;
    r.fault[SL_FAULT_DIV_ZERO] = 0x0a0b0c0d0e0f1011ull;
    r.fault[SL_FAULT_NO_HANDLER] = 9;
    r.state = state_bytes;
    r.state_size = 3;
    return r;
}

static void test_layout(void **state)
{
    (void)state;
    SlReport r = sample();
    size_t n = sl_report_size(&r);
    assert_int_equal(n, 24 + 8 * SL_REPORT_TOTALS + 32 * 2 + 8 * (SL_FAULT_COUNT - 1) + 3);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    sl_report_encode(&r, buf);
    static const uint8_t head[] = {'S', 'L', 'R', 'C', 1, 0, 1, 0, 2, 0, 0, 0};
    assert_memory_equal(buf, head, sizeof head);
    assert_int_equal(buf[12], SL_FAULT_COUNT - 1);
    assert_int_equal(buf[16], SL_REPORT_TOTALS);
    assert_int_equal(buf[20], 3);
    /* frames_in first, little-endian */
    assert_int_equal(buf[24], 0x00);
    assert_int_equal(buf[25], 0x01);
    /* port 1's in_bytes */
    size_t p1 = 24 + 8 * SL_REPORT_TOTALS + 32;
    assert_int_equal(buf[p1 + 8], 6);
    /* DIV_ZERO is the first fault kind */
    size_t f0 = 24 + 8 * SL_REPORT_TOTALS + 64;
    assert_int_equal(buf[f0], 0x11);
    assert_int_equal(buf[f0 + 7], 0x0a);
    assert_memory_equal(buf + n - 3, state_bytes, 3);
    free(buf);
}

static void test_round_trip_and_rejections(void **state)
{
    (void)state;
    SlReport r = sample(), back;
    size_t n = sl_report_size(&r);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    sl_report_encode(&r, buf);
    SlReportPort got[4];
    assert_int_equal(sl_report_decode(buf, n, &back, got, 4), 0);
    assert_int_equal(back.mode, SL_REPORT_MODE_VM);
    assert_int_equal(back.nports, 2);
    assert_memory_equal(back.total, r.total, sizeof r.total);
    assert_memory_equal(back.fault + 1, r.fault + 1, sizeof r.fault - sizeof r.fault[0]);
    assert_memory_equal(got, ports, sizeof ports);
    assert_int_equal(back.state_size, 3);
    assert_memory_equal(back.state, state_bytes, 3);

    assert_int_equal(sl_report_decode(buf, n, &back, got, 1), -SL_ELIMIT); /* more ports than room */
    assert_int_equal(sl_report_decode(buf, n - 1, &back, got, 4), -SL_ETRUNCATED);
    assert_int_equal(sl_report_decode(buf, 23, &back, got, 4), -SL_ETRUNCATED);
    buf[16]++; /* a totals count this reader does not know */
    assert_int_equal(sl_report_decode(buf, n, &back, got, 4), -SL_ELIMIT);
    buf[16]--;
    buf[4] = 2;
    assert_int_equal(sl_report_decode(buf, n, &back, got, 4), -SL_EVERSION);
    buf[0] = 'X';
    assert_int_equal(sl_report_decode(buf, n, &back, got, 4), -SL_EMAGIC);
    free(buf);
    assert_string_equal(sl_report_total_name(SL_REPORT_INSNS), "insns");
    assert_string_equal(sl_report_total_name(SL_REPORT_TOTALS), "?");
}

static void test_runlog_record(void **state)
{
    (void)state;
    SlResult res = {.status = SL_RUN_FAULT, .verdict = 0, .fault = SL_FAULT_TRAP, .port = 3,
                    .pc = 0x01020304, .trap = -2, .insns = 0x1122334455667788ull};
    uint8_t rec[SL_RUNLOG_RECORD_SIZE], hdr[SL_RUNLOG_HEADER_SIZE];
    sl_runlog_header(hdr);
    assert_memory_equal(hdr, "SLRL\1\0\0\0", 8);
    sl_runlog_record(rec, 0xffffffffu, 5, &res, 60);
    assert_int_equal(rec[8], SL_RUN_FAULT);
    assert_int_equal(rec[16], 0x04);
    assert_int_equal(rec[20], 0xfe);
    assert_int_equal(rec[23], 0xff);
    assert_int_equal(sl_runlog_len(rec), 60);
    SlResult back;
    uint32_t frame, handler;
    sl_runlog_decode(rec, &frame, &handler, &back);
    assert_int_equal(frame, 0xffffffffu);
    assert_int_equal(handler, 5);
    assert_int_equal(back.fault, SL_FAULT_TRAP);
    assert_int_equal(back.port, 3);
    assert_int_equal(back.pc, 0x01020304);
    assert_int_equal(back.trap, -2);
    assert_true(back.insns == 0x1122334455667788ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_round_trip_and_rejections),
        cmocka_unit_test(test_runlog_record),
    };
    return cmocka_run_group_tests_name("runner/report", tests, NULL, NULL);
}

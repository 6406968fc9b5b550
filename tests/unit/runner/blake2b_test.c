/* The runner's BLAKE2b (runner/blake2b.c) against libsodium's, and the image hash check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "asm.h"
#include "blake2b.h"
#include "vm.h"

static void test_rfc7693_abc(void **state)
{
    (void)state;
    /* RFC 7693 appendix A: BLAKE2b-512("abc"). */
    static const uint8_t want[8] = {0xba, 0x80, 0xa5, 0x3f, 0x98, 0x1c, 0x4d, 0x0d};
    uint8_t out[64];
    SlBlake2b s;
    sl_blake2b_init(&s, 64);
    sl_blake2b_update(&s, (const uint8_t *)"abc", 3);
    sl_blake2b_final(&s, out);
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(out[63], 0x23);
}

/* Every length around the block size, fed whole and in uneven pieces, as libsodium computes it. */
static void test_matches_libsodium(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    enum { MAX = 1100 };
    uint8_t *data = malloc(MAX);
    assert_non_null(data);
    for (size_t i = 0; i < MAX; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    for (size_t n = 0; n < MAX; n += n < 300 ? 1 : 37) {
        uint8_t want[32], got[32], got2[32];
        crypto_generichash(want, sizeof want, data, n, NULL, 0);
        SlBlake2b s;
        sl_blake2b_init(&s, 32);
        sl_blake2b_update(&s, data, n);
        sl_blake2b_final(&s, got);
        assert_memory_equal(got, want, 32);
        sl_blake2b_init(&s, 32);
        for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 % 200 + 1)
            sl_blake2b_update(&s, data + off, step < n - off ? step : n - off);
        sl_blake2b_final(&s, got2);
        assert_memory_equal(got2, want, 32);
    }
    free(data);
}

static void test_image_check(void **state)
{
    (void)state;
    static const char src[] = ".state 8\n.data 01 02\n.func main 0\n    exit\n.handler packet main\n";
    uint8_t *bytes;
    size_t len;
    char err[512];
    assert_int_equal(
        sl_asm_assemble(src, sizeof src - 1, "t.sla", SL_ASM_STRIP, &bytes, &len, err, sizeof err), 0);
    SlImage img;
    assert_int_equal(sl_image_parse(bytes, len, &img, err, sizeof err), 0);
    assert_int_equal(sl_blake2b_image_check(&img), 0);
    /* A flipped bit in the state's initial bytes (01 02) is caught. */
    size_t at = 0;
    while (at + 1 < len && !(bytes[at] == 0x01 && bytes[at + 1] == 0x02))
        at++;
    assert_true(at + 1 < len);
    bytes[at + 1] ^= 1;
    assert_int_equal(sl_image_parse(bytes, len, &img, err, sizeof err), 0);
    assert_int_equal(sl_blake2b_image_check(&img), -SL_EHASH);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7693_abc),
        cmocka_unit_test(test_matches_libsodium),
        cmocka_unit_test(test_image_check),
    };
    return cmocka_run_group_tests_name("runner/blake2b", tests, NULL, NULL);
}

/* Tables against a reference model: random inserts, replaces, deletes and lookups, with the
 * capacity reached, so backward-shift deletion and probing are exercised in every order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vm_int.h"

enum { CAP = 64, KEY = 3, VAL = 2 };

typedef struct Model {
    int used[256];
    uint16_t value[256];
    int count;
} Model;

static uint64_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}

static SlTable make_table(uint8_t kind, uint8_t key, uint16_t value, uint32_t cap, void **mem)
{
    SlTable t = {0};
    uint32_t nslots;
    t.decl = (SlTableDecl){kind, key, value, cap};
    size_t bytes = sl_table_bytes(&t.decl, &nslots);
    *mem = calloc(1, bytes);
    t.key_len = key + (kind == SL_TABLE_LPM);
    t.slot_size = 1 + t.key_len + value;
    t.mask = nslots - 1;
    t.seed = 99;
    size_t counters = kind == SL_TABLE_LPM ? ((8u * key + 1) * 4 + 7) & ~7u : 0;
    t.plen_count = counters ? *mem : NULL;
    t.slots = (uint8_t *)*mem + counters;
    return t;
}

static void test_hash_matches_model(void **state)
{
    (void)state;
    void *mem;
    SlTable t = make_table(SL_TABLE_HASH, KEY, VAL, CAP, &mem);
    Model m = {0};
    for (int step = 0; step < 200000; step++) {
        uint8_t k = (uint8_t)(next_rand() % 200); /* more keys than capacity: full happens */
        uint8_t key[KEY] = {k, (uint8_t)(k * 7), 0x5a};
        uint8_t val[VAL], out[VAL] = {0xee, 0xee};
        uint16_t v = (uint16_t)next_rand();
        val[0] = (uint8_t)v;
        val[1] = (uint8_t)(v >> 8);
        switch (next_rand() % 3) {
        case 0: {
            int rc = sl_table_put(&t, key, val);
            if (m.used[k]) {
                assert_int_equal(rc, 0);
                m.value[k] = v;
            } else if (m.count == CAP) {
                assert_int_equal(rc, -1);
            } else {
                assert_int_equal(rc, 1);
                m.used[k] = 1;
                m.value[k] = v;
                m.count++;
            }
            break;
        }
        case 1: {
            int rc = sl_table_del(&t, key);
            assert_int_equal(rc, m.used[k]);
            if (m.used[k]) {
                m.used[k] = 0;
                m.count--;
            }
            break;
        }
        default: {
            int rc = sl_table_get(&t, key, out);
            assert_int_equal(rc, m.used[k]);
            if (rc)
                assert_int_equal(out[0] | out[1] << 8, m.value[k]);
            else
                assert_int_equal(out[0], 0xee);
        }
        }
        assert_int_equal(t.count, (uint32_t)m.count);
    }
    free(mem);
}

/* LPM against a linear scan over the live prefixes. */
/* cap 128 takes the hash probes per prefix length, cap 16 the slot scan of small tables */
static void lpm_matches_linear_scan(uint32_t cap)
{
    void *mem;
    SlTable t = make_table(SL_TABLE_LPM, 4, 4, cap, &mem);
    uint32_t pfx[128], plen[128], nh[128];
    int n = 0;
    for (int step = 0; step < 50000; step++) {
        uint32_t addr = next_rand() & 0xff0f00ffu;
        uint8_t key[5] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr,
                          (uint8_t)(next_rand() % 33)};
        uint32_t len = key[4];
        uint32_t mask = len ? 0xffffffffu << (32 - len) : 0;
        int op = (int)(next_rand() % 4);
        int found = -1;
        for (int i = 0; i < n; i++)
            if (plen[i] == len && pfx[i] == (addr & mask))
                found = i;
        if (op == 0) {
            uint8_t val[4] = {(uint8_t)step, (uint8_t)(step >> 8), 0, 0};
            int rc = sl_table_put(&t, key, val);
            if (found >= 0) {
                assert_int_equal(rc, 0);
                nh[found] = (uint32_t)step & 0xffff;
            } else if (n == (int)cap) {
                assert_int_equal(rc, -1);
            } else {
                assert_int_equal(rc, 1);
                pfx[n] = addr & mask;
                plen[n] = len;
                nh[n++] = (uint32_t)step & 0xffff;
            }
        } else if (op == 1) {
            assert_int_equal(sl_table_del(&t, key), found >= 0);
            if (found >= 0) {
                pfx[found] = pfx[n - 1];
                plen[found] = plen[n - 1];
                nh[found] = nh[--n];
            }
        } else {
            int best = -1;
            for (int i = 0; i < n; i++) {
                uint32_t mk = plen[i] ? 0xffffffffu << (32 - plen[i]) : 0;
                if ((addr & mk) == pfx[i] && (best < 0 || plen[i] > plen[best]))
                    best = i;
            }
            uint8_t out[4] = {0};
            int rc = sl_table_get(&t, key, out);
            assert_int_equal(rc, best >= 0);
            if (best >= 0)
                assert_int_equal(out[0] | out[1] << 8, nh[best]);
        }
    }
    uint8_t bad[5] = {1, 2, 3, 4, 33};
    assert_int_equal(sl_table_put(&t, bad, bad), -2);
    assert_int_equal(sl_table_del(&t, bad), -2);
    free(mem);
}

static void test_lpm_matches_linear_scan(void **state)
{
    (void)state;
    lpm_matches_linear_scan(128);
}

static void test_small_lpm_matches_linear_scan(void **state)
{
    (void)state;
    lpm_matches_linear_scan(16);
}

static void test_hash_function_is_fixed(void **state)
{
    (void)state;
    /* FNV-1a-64 of "" is its offset basis; the finaliser of it is a fixed value everywhere. */
    assert_int_equal(sl_hash_bytes((const uint8_t *)"", 0), sl_mix64(0xcbf29ce484222325ull));
    assert_true(sl_hash_bytes((const uint8_t *)"a", 1) != sl_hash_bytes((const uint8_t *)"b", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_matches_model),
        cmocka_unit_test(test_lpm_matches_linear_scan),
        cmocka_unit_test(test_small_lpm_matches_linear_scan),
        cmocka_unit_test(test_hash_function_is_fixed),
    };
    return cmocka_run_group_tests_name("vm/table", tests, NULL, NULL);
}

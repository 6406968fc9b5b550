/* Hash and longest-prefix-match tables with a capacity fixed by the image (see vm_int.h). */
#include "mem.h"
#include "vm_int.h"

uint64_t sl_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

uint64_t sl_hash_bytes(const uint8_t *p, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return sl_mix64(h);
}

/* Slots: a power of two at least twice the capacity, so probe runs stay short. */
size_t sl_table_bytes(const SlTableDecl *d, uint32_t *slots)
{
    uint64_t n = 4;
    while (n < 2ull * d->capacity)
        n <<= 1;
    *slots = (uint32_t)n;
    uint64_t key_len = d->key_size + (d->kind == SL_TABLE_LPM);
    uint64_t bytes = n * (1 + key_len + d->value_size);
    if (d->kind == SL_TABLE_LPM) /* per-prefix-length counters, 8-byte aligned, before the slots */
        bytes += ((8ull * d->key_size + 1) * sizeof(uint32_t) + 7) & ~7ull;
    return (size_t)bytes;
}

static uint8_t *slot(const SlTable *t, uint32_t i) { return t->slots + (size_t)i * t->slot_size; }

static uint32_t home(const SlTable *t, const uint8_t *key)
{
    uint64_t h = t->seed;
    for (uint32_t i = 0; i < t->key_len; i++)
        h = (h ^ key[i]) * 0x100000001b3ull;
    return (uint32_t)sl_mix64(h) & t->mask;
}

/* Index of the slot holding key, or of the empty slot that ends its probe run (*found = 0).
 * Terminates: the table is never more than half full. */
static uint32_t probe(const SlTable *t, const uint8_t *key, int *found)
{
    uint32_t i = home(t, key);
    for (;;) {
        const uint8_t *s = slot(t, i);
        if (!s[0]) {
            *found = 0;
            return i;
        }
        if (memcmp(s + 1, key, t->key_len) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & t->mask;
    }
}

/* Builds the stored LPM key: address masked to plen bits, then plen. */
static void lpm_key(const SlTable *t, const uint8_t *addr, unsigned plen, uint8_t *out)
{
    unsigned n = t->decl.key_size;
    for (unsigned i = 0; i < n; i++) {
        unsigned bits = plen > 8 * i ? plen - 8 * i : 0;
        uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
        out[i] = addr[i] & m;
    }
    out[n] = (uint8_t)plen;
}

/* Does the stored LPM key s (address masked to its prefix, then the prefix length) cover addr? */
static int lpm_covers(const uint8_t *s, const uint8_t *addr, unsigned key_size, unsigned plen)
{
    for (unsigned i = 0; i < key_size && 8 * i < plen; i++) {
        unsigned bits = plen - 8 * i;
        uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
        if ((addr[i] & m) != s[i])
            return 0;
    }
    return 1;
}

static int small_lpm(const SlTable *t) { return t->plen_count && t->mask < SL_LPM_SCAN_SLOTS; }

static unsigned slot_plen(const SlTable *t, uint32_t i) { return slot(t, i)[1 + t->decl.key_size]; }

/* Small LPM tables: keeps lpm_order (the live slots, longest prefix first) in step with the
 * slots. Entries of one prefix length keep their insertion order; any order among them gives
 * the same lookups, since at most one of them covers a given address. */
static void order_insert(SlTable *t, uint32_t i)
{
    unsigned plen = slot_plen(t, i);
    uint32_t n = t->count - 1, at = 0; /* count already includes the new entry */
    while (at < n && slot_plen(t, t->lpm_order[at]) >= plen)
        at++;
    for (uint32_t k = n; k > at; k--)
        t->lpm_order[k] = t->lpm_order[k - 1];
    t->lpm_order[at] = (uint8_t)i;
}

static void order_remove(SlTable *t, uint32_t i)
{
    uint32_t n = t->count + 1, k = 0; /* count already excludes the entry */
    while (k < n && t->lpm_order[k] != i)
        k++;
    for (; k + 1 < n; k++)
        t->lpm_order[k] = t->lpm_order[k + 1];
}

static void order_move(SlTable *t, uint32_t from, uint32_t to)
{
    for (uint32_t k = 0; k < t->count; k++)
        if (t->lpm_order[k] == from) {
            t->lpm_order[k] = (uint8_t)to;
            return;
        }
}

/* Small LPM lookup: the live slots longest prefix first, the first that covers addr wins (the
 * same answer as probing each prefix length in use, from the same slots). For the router
 * benchmark's 16 routes this is a few comparisons, not one hash probe per prefix length. */
static int lpm_scan(const SlTable *t, const uint8_t *addr, uint8_t *value)
{
    const unsigned ks = t->decl.key_size;
    const uint8_t *best = 0;
    if (ks == 4) { /* IPv4: one 32-bit comparison per entry */
        uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
        for (uint32_t n = 0; n < t->count; n++) {
            const uint8_t *s = slot(t, t->lpm_order[n]);
            unsigned plen = s[5];
            uint32_t k = (uint32_t)s[1] << 24 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 8 | s[4];
            uint32_t m = plen ? ~0u << (32 - plen) : 0; /* plen <= 32: put checks it */
            if ((a & m) == k) {
                best = s;
                break;
            }
        }
    } else {
        for (uint32_t n = 0; n < t->count; n++) {
            const uint8_t *s = slot(t, t->lpm_order[n]);
            if (lpm_covers(s + 1, addr, ks, s[1 + ks])) {
                best = s;
                break;
            }
        }
    }
    if (!best)
        return 0;
    const uint8_t *v = best + 1 + t->key_len;
    if (t->decl.value_size <= 16) /* the usual next hop: no call for a few bytes */
        for (unsigned i = 0; i < t->decl.value_size; i++)
            value[i] = v[i];
    else
        memcpy(value, v, t->decl.value_size);
    return 1;
}

/* Prefix lengths in use, longest first: walk the bitmap from the top word down. */
static int lpm_get(SlTable *t, const uint8_t *key, uint8_t *value)
{
    if (small_lpm(t))
        return lpm_scan(t, key, value);
    uint8_t k[SL_MAX_KEY + 1];
    int found;
    for (int w = 2; w >= 0; w--) {
        uint64_t bits = t->plen_bits[w];
        while (bits) {
            int top = 63 - __builtin_clzll(bits);
            bits &= ~(1ull << top);
            lpm_key(t, key, (unsigned)(64 * w + top), k);
            uint32_t i = probe(t, k, &found);
            if (found) {
                memcpy(value, slot(t, i) + 1 + t->key_len, t->decl.value_size);
                return 1;
            }
        }
    }
    return 0;
}

static void count_plen(SlTable *t, unsigned plen, int delta)
{
    t->plen_count[plen] += (uint32_t)delta;
    if (t->plen_count[plen])
        t->plen_bits[plen / 64] |= 1ull << (plen % 64);
    else
        t->plen_bits[plen / 64] &= ~(1ull << (plen % 64));
}

int sl_table_get(SlTable *t, const uint8_t *key, uint8_t *value)
{
    int found;
    if (t->decl.kind == SL_TABLE_LPM)
        return lpm_get(t, key, value);
    uint32_t i = probe(t, key, &found);
    if (!found)
        return 0;
    memcpy(value, slot(t, i) + 1 + t->key_len, t->decl.value_size);
    return 1;
}

int sl_table_put(SlTable *t, const uint8_t *key, const uint8_t *value)
{
    uint8_t k[SL_MAX_KEY + 1];
    const uint8_t *stored = key;
    if (t->decl.kind == SL_TABLE_LPM) {
        unsigned plen = key[t->decl.key_size];
        if (plen > 8u * t->decl.key_size)
            return -2;
        lpm_key(t, key, plen, k);
        stored = k;
    }
    int found;
    uint32_t i = probe(t, stored, &found);
    uint8_t *s = slot(t, i);
    if (!found) {
        if (t->count >= t->decl.capacity)
            return -1;
        s[0] = 1;
        memcpy(s + 1, stored, t->key_len);
        t->count++;
        if (t->plen_count)
            count_plen(t, stored[t->decl.key_size], 1);
        if (small_lpm(t))
            order_insert(t, i);
    }
    memcpy(s + 1 + t->key_len, value, t->decl.value_size);
    return !found;
}

int sl_table_del(SlTable *t, const uint8_t *key)
{
    uint8_t k[SL_MAX_KEY + 1];
    const uint8_t *stored = key;
    if (t->decl.kind == SL_TABLE_LPM) {
        unsigned plen = key[t->decl.key_size];
        if (plen > 8u * t->decl.key_size)
            return -2;
        lpm_key(t, key, plen, k);
        stored = k;
    }
    int found;
    uint32_t i = probe(t, stored, &found);
    if (!found)
        return 0;
    if (t->plen_count)
        count_plen(t, stored[t->decl.key_size], -1);
    t->count--;
    if (small_lpm(t))
        order_remove(t, i);
    /* Backward shift: pull later members of the run into the hole when their home allows. */
    for (uint32_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
        uint8_t *sj = slot(t, j);
        if (!sj[0])
            break;
        uint32_t h = home(t, sj + 1);
        /* sj may move to i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            memcpy(slot(t, i), sj, t->slot_size);
            if (small_lpm(t))
                order_move(t, j, i);
            i = j;
        }
    }
    slot(t, i)[0] = 0;
    return 1;
}

void sl_table_clear(SlTable *t)
{
    memset(t->slots, 0, (size_t)(t->mask + 1) * t->slot_size);
    if (t->plen_count)
        memset(t->plen_count, 0, (8u * t->decl.key_size + 1) * sizeof(uint32_t));
    memset(t->plen_bits, 0, sizeof t->plen_bits);
    t->count = 0;
}

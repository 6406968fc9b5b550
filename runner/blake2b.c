/* BLAKE2b as RFC 7693 gives it (section 3 and appendix C), plain 64-bit integer arithmetic. */
#include "blake2b.h"

#include "bytes.h"
#include "image.h"
#include "mem.h"
#include "vm.h"

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

static const uint8_t SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static uint64_t rotr(uint64_t x, unsigned n) { return x >> n | x << (64 - n); }

#define G(a, b, c, d, x, y)                 \
    do {                                    \
        v[a] = v[a] + v[b] + (x);           \
        v[d] = rotr(v[d] ^ v[a], 32);       \
        v[c] = v[c] + v[d];                 \
        v[b] = rotr(v[b] ^ v[c], 24);       \
        v[a] = v[a] + v[b] + (y);           \
        v[d] = rotr(v[d] ^ v[a], 16);       \
        v[c] = v[c] + v[d];                 \
        v[b] = rotr(v[b] ^ v[c], 63);       \
    } while (0)

static void compress(SlBlake2b *s, const uint8_t block[128], int last)
{
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++)
        m[i] = sl_le64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = IV[i];
    }
    v[12] ^= s->t0;
    v[13] ^= s->t1;
    if (last)
        v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *z = SIGMA[r];
        G(0, 4, 8, 12, m[z[0]], m[z[1]]);
        G(1, 5, 9, 13, m[z[2]], m[z[3]]);
        G(2, 6, 10, 14, m[z[4]], m[z[5]]);
        G(3, 7, 11, 15, m[z[6]], m[z[7]]);
        G(0, 5, 10, 15, m[z[8]], m[z[9]]);
        G(1, 6, 11, 12, m[z[10]], m[z[11]]);
        G(2, 7, 8, 13, m[z[12]], m[z[13]]);
        G(3, 4, 9, 14, m[z[14]], m[z[15]]);
    }
    for (int i = 0; i < 8; i++)
        s->h[i] ^= v[i] ^ v[i + 8];
}

static void count(SlBlake2b *s, uint64_t n)
{
    s->t0 += n;
    if (s->t0 < n)
        s->t1++;
}

void sl_blake2b_init(SlBlake2b *s, size_t outlen)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 8; i++)
        s->h[i] = IV[i];
    s->h[0] ^= 0x01010000u ^ (uint64_t)outlen; /* no key, fanout 1, depth 1 */
    s->outlen = outlen;
}

/* A full buffer is compressed only when more input follows: the last block needs the flag. */
void sl_blake2b_update(SlBlake2b *s, const uint8_t *p, size_t n)
{
    while (n) {
        if (s->len == sizeof s->buf) {
            count(s, sizeof s->buf);
            compress(s, s->buf, 0);
            s->len = 0;
        }
        size_t k = sizeof s->buf - s->len;
        if (k > n)
            k = n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
}

void sl_blake2b_final(SlBlake2b *s, uint8_t *out)
{
    count(s, s->len);
    memset(s->buf + s->len, 0, sizeof s->buf - s->len);
    compress(s, s->buf, 1);
    for (size_t i = 0; i < s->outlen; i++)
        out[i] = (uint8_t)(s->h[i / 8] >> (8 * (i % 8)));
}

/* The hash covers the first 8 header bytes and every non-debug section record (asm/image_hash.c). */
int sl_blake2b_image_check(const SlImage *img)
{
    SlBlake2b s;
    uint8_t h[SL_IMAGE_HASH_SIZE];
    sl_blake2b_init(&s, SL_IMAGE_HASH_SIZE);
    sl_blake2b_update(&s, img->bytes, 8);
    const uint8_t *p = img->bytes + SL_IMAGE_HEADER_SIZE, *end = img->bytes + img->size;
    while (p < end) {
        size_t rec = 8 + (size_t)sl_le32(p + 4);
        if (p[0] < SL_SEC_DEBUG_FIRST)
            sl_blake2b_update(&s, p, rec);
        p += rec;
    }
    sl_blake2b_final(&s, h);
    return memcmp(h, img->hash, SL_IMAGE_HASH_SIZE) == 0 ? 0 : -SL_EHASH;
}

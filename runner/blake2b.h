/* BLAKE2b (RFC 7693), unkeyed, for checking an image's content hash where there is no libsodium:
 * the device runner. The same function as libsodium's crypto_generichash (tests compare them).
 * Freestanding. */
#ifndef SLUICE_RUNNER_BLAKE2B_H
#define SLUICE_RUNNER_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

typedef struct SlBlake2b {
    uint64_t h[8];
    uint64_t t0, t1;   /* bytes compressed so far (128-bit counter) */
    uint8_t buf[128];
    size_t len;        /* bytes waiting in buf */
    size_t outlen;
} SlBlake2b;

/* outlen 1..64 bytes. */
void sl_blake2b_init(SlBlake2b *s, size_t outlen);
void sl_blake2b_update(SlBlake2b *s, const uint8_t *p, size_t n);
void sl_blake2b_final(SlBlake2b *s, uint8_t *out);

/* An image's content hash (docs/image-format.md) checked against the one it carries: 0 or
 * -SL_EHASH. img must come from sl_image_parse(). */
struct SlImage;
int sl_blake2b_image_check(const struct SlImage *img);

#endif

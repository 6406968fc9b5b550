/* Little-endian and big-endian field helpers: shifts, never pointer casts, so every host reads
 * the same values. */
#ifndef SLUICE_BYTES_H
#define SLUICE_BYTES_H

#include <stdint.h>

static inline uint16_t sl_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t sl_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t sl_le64(const uint8_t *p) { return (uint64_t)sl_le32(p) | (uint64_t)sl_le32(p + 4) << 32; }
static inline uint16_t sl_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t sl_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline uint64_t sl_be64(const uint8_t *p) { return (uint64_t)sl_be32(p) << 32 | sl_be32(p + 4); }

static inline void sl_put_le16(uint8_t *p, uint64_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sl_put_le32(uint8_t *p, uint64_t v)
{
    sl_put_le16(p, v);
    sl_put_le16(p + 2, v >> 16);
}
static inline void sl_put_le64(uint8_t *p, uint64_t v)
{
    sl_put_le32(p, v);
    sl_put_le32(p + 4, v >> 32);
}
static inline void sl_put_be16(uint8_t *p, uint64_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void sl_put_be32(uint8_t *p, uint64_t v)
{
    sl_put_be16(p, v >> 16);
    sl_put_be16(p + 2, v);
}
static inline void sl_put_be64(uint8_t *p, uint64_t v)
{
    sl_put_be32(p, v >> 32);
    sl_put_be32(p + 4, v);
}

#endif

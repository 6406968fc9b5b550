/* Builds small images in memory for the core's unit tests, independent of the assembler. */
#ifndef MKIMAGE_H
#define MKIMAGE_H

#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "image.h"
#include "isa.h"

typedef struct MkImage {
    uint8_t buf[1 << 16];
    size_t len;
    uint32_t nsec;
} MkImage;

static inline void mk_begin(MkImage *m)
{
    memset(m, 0, sizeof *m);
    m->buf[0] = 0x7f;
    m->buf[1] = 'S';
    m->buf[2] = 'L';
    m->buf[3] = 'B';
    sl_put_le16(m->buf + 4, SL_IMAGE_VERSION_MAJOR);
    m->len = SL_IMAGE_HEADER_SIZE;
}

/* Appends a section; body may be NULL to reserve zeros. */
static inline void mk_section(MkImage *m, uint8_t id, const void *body, uint32_t len)
{
    uint8_t *p = m->buf + m->len;
    p[0] = id;
    sl_put_le32(p + 4, len);
    if (body)
        memcpy(p + 8, body, len);
    m->len += 8 + len;
    m->nsec++;
    sl_put_le32(m->buf + 40, m->nsec);
}

static inline void mk_code(MkImage *m, const SlInsn *code, uint32_t n)
{
    uint8_t body[8 * 256];
    for (uint32_t i = 0; i < n; i++)
        sl_insn_encode(&code[i], body + 8 * i);
    mk_section(m, SL_SEC_CODE, body, 8 * n);
}

static inline void mk_state(MkImage *m, uint32_t size)
{
    uint8_t body[4];
    sl_put_le32(body, size);
    mk_section(m, SL_SEC_STATE, body, 4);
}

static inline void mk_table(MkImage *m, uint8_t kind, uint8_t key, uint16_t value, uint32_t cap)
{
    uint8_t body[16] = {0};
    sl_put_le32(body, 1);
    body[4] = kind;
    body[5] = key;
    sl_put_le16(body + 6, value);
    sl_put_le32(body + 8, cap);
    mk_section(m, SL_SEC_TABLES, body, 16);
}

/* One function at 0 with no arguments. */
static inline void mk_func0(MkImage *m)
{
    uint8_t body[12] = {0};
    sl_put_le32(body, 1);
    mk_section(m, SL_SEC_FUNCS, body, 12);
}

static inline void mk_packet_handler(MkImage *m)
{
    uint8_t body[16] = {0};
    sl_put_le32(body, 1);
    body[4] = SL_HANDLER_PACKET;
    mk_section(m, SL_SEC_HANDLERS, body, 16);
}

static inline void mk_ports(MkImage *m, uint32_t n)
{
    uint8_t body[4 + 8 * 16];
    size_t len = 4;
    sl_put_le32(body, n);
    for (uint32_t i = 0; i < n; i++) {
        body[len++] = 2;
        body[len++] = 'p';
        body[len++] = (uint8_t)('0' + i % 10);
    }
    mk_section(m, SL_SEC_PORTS, body, (uint32_t)len);
}

#define INSN(op_, a_, b_, off_, imm_) ((SlInsn){SL_OP_##op_, a_, b_, 0, off_, imm_})

#endif

/* The frame file: header and records (frames.h). */
#include "frames.h"

#include "bytes.h"
#include "vm.h"

static const uint8_t MAGIC[4] = {'S', 'L', 'F', 'R'};

void sl_frames_header(uint8_t out[SL_FRAMES_HEADER_SIZE])
{
    for (int i = 0; i < 4; i++)
        out[i] = MAGIC[i];
    sl_put_le16(out + 4, SL_FRAMES_VERSION);
    sl_put_le16(out + 6, 0);
}

int sl_frames_check(const uint8_t *buf, size_t size)
{
    for (size_t i = 0; i < 4; i++) {
        if (i >= size)
            return -SL_ETRUNCATED;
        if (buf[i] != MAGIC[i])
            return -SL_EMAGIC;
    }
    if (size < SL_FRAMES_HEADER_SIZE)
        return -SL_ETRUNCATED;
    if (sl_le16(buf + 4) != SL_FRAMES_VERSION || sl_le16(buf + 6) != 0)
        return -SL_EVERSION;
    return 0;
}

void sl_frames_record(uint8_t out[SL_FRAMES_RECORD_SIZE], uint64_t tstamp_ns, uint32_t port,
                      uint32_t len)
{
    sl_put_le64(out, tstamp_ns);
    sl_put_le32(out + 8, port);
    sl_put_le32(out + 12, len);
}

int sl_frames_next(const uint8_t *buf, size_t size, size_t *off, SlFrame *f)
{
    size_t at = *off;
    if (at >= size)
        return 0;
    if (size - at < SL_FRAMES_RECORD_SIZE)
        return -SL_ETRUNCATED;
    const uint8_t *r = buf + at;
    f->tstamp_ns = sl_le64(r);
    f->port = sl_le32(r + 8);
    f->len = sl_le32(r + 12);
    if (f->len > SL_FRAMES_MAX_LEN)
        return -SL_ELIMIT;
    if (size - at - SL_FRAMES_RECORD_SIZE < f->len)
        return -SL_ETRUNCATED;
    f->data = r + SL_FRAMES_RECORD_SIZE;
    *off = at + SL_FRAMES_RECORD_SIZE + f->len;
    return 1;
}

const char *sl_frames_error(int code)
{
    switch (code) {
    case -SL_EMAGIC: return "not a frame file (bad magic)";
    case -SL_EVERSION: return "unsupported frame file version";
    case -SL_ETRUNCATED: return "cut short";
    case -SL_ELIMIT: return "frame longer than the format allows";
    default: return sl_error_text(code);
    }
}

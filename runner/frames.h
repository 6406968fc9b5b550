/* The frame file (.slf): the flat packet file slrun reads and writes, and that the host tool
 * slframes converts from and to pcap. Byte layout (docs/device.md); every integer little-endian
 * whatever the host, as in the image format:
 *
 *   header   8 bytes: 'S' 'L' 'F' 'R', u16 version (1), u16 zero
 *   records  until the end of the file, each 16 bytes then the frame:
 *            u64 tstamp_ns, u32 port, u32 len, u8 bytes[len]      (len <= SL_FRAMES_MAX_LEN)
 *
 * No padding, no count, no index: a writer appends, a reader walks. Freestanding (the device
 * runner uses it): the reader takes a buffer and treats every byte as hostile. */
#ifndef SLUICE_FRAMES_H
#define SLUICE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

enum {
    SL_FRAMES_HEADER_SIZE = 8,
    SL_FRAMES_RECORD_SIZE = 16, /* the record header before the frame's bytes */
    SL_FRAMES_VERSION = 1,
    SL_FRAMES_MAX_LEN = 1 << 20, /* a frame's bytes at most */
};

typedef struct SlFrame {
    uint64_t tstamp_ns;
    uint32_t port;
    uint32_t len;
    const uint8_t *data; /* len bytes, inside the buffer given to sl_frames_next() */
} SlFrame;

/* Writes the file header into out. */
void sl_frames_header(uint8_t out[SL_FRAMES_HEADER_SIZE]);
/* Checks a file's first bytes: 0, or -SL_EMAGIC / -SL_EVERSION / -SL_ETRUNCATED. */
int sl_frames_check(const uint8_t *buf, size_t size);
/* Writes a record header into out; the frame's len bytes follow it in the file. */
void sl_frames_record(uint8_t out[SL_FRAMES_RECORD_SIZE], uint64_t tstamp_ns, uint32_t port,
                      uint32_t len);
/* Reads the record at *off (start with SL_FRAMES_HEADER_SIZE) and advances *off past it. 1 read,
 * 0 at the end, -SL_ETRUNCATED for a record cut short, -SL_ELIMIT for len > SL_FRAMES_MAX_LEN. */
int sl_frames_next(const uint8_t *buf, size_t size, size_t *off, SlFrame *f);
/* What a negative sl_frames_check/sl_frames_next status means for a frame file. */
const char *sl_frames_error(int code);

#endif

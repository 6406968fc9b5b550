/* Where the emulator's ports get their frames and put them: a backend is a const table of
 * functions (open, read next, write, close). The pcap file backend is the first; live
 * interfaces and in-memory vectors come later as one file and one table each.
 *
 * Frames are Ethernet frames: a backend that cannot promise that (a capture of another link
 * type) refuses to open. Status: 0 or -SL_E* (errors.def) with the text in a caller buffer;
 * backends never print. */
#ifndef SLUICE_EMU_PORTIO_H
#define SLUICE_EMU_PORTIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct SlPortFile SlPortFile; /* one open source or sink; backend-private */

typedef enum SlPortMode {
    SL_PORT_READ = 0,
    SL_PORT_WRITE = 1,
} SlPortMode;

typedef struct SlPortFrame {
    const uint8_t *data; /* captured bytes; owned by the source, valid until its next read or close */
    uint32_t caplen;     /* bytes at data */
    uint32_t len;        /* length on the wire: more than caplen when the capture cut the frame */
    uint64_t tstamp_ns;  /* capture time, ns since the epoch */
} SlPortFrame;

typedef struct SlPortIo {
    const char *name;
    /* Opens path as a source (SL_PORT_READ) or a sink (SL_PORT_WRITE). -SL_EARG when the
     * source is not Ethernet, -SL_EIO when it cannot be opened or read. */
    int (*open)(const char *path, SlPortMode mode, SlPortFile **out, char *err, size_t errcap);
    /* The next frame: 1 with *f filled, 0 at the end, -SL_EIO for a corrupt or cut-off source. */
    int (*read)(SlPortFile *pf, SlPortFrame *f, char *err, size_t errcap);
    /* Appends data[0..len) stamped tstamp_ns to a sink. 0 or -SL_EIO. */
    int (*write)(SlPortFile *pf, uint64_t tstamp_ns, const uint8_t *data, uint32_t len, char *err,
                 size_t errcap);
    /* Flushes a sink and frees the handle (also on error). 0 or -SL_EIO. */
    int (*close)(SlPortFile *pf, char *err, size_t errcap);
} SlPortIo;

/* pcap and pcapng sources read with nanosecond timestamps; sinks are pcap, LINKTYPE_ETHERNET,
 * nanosecond resolution. */
extern const SlPortIo sl_portio_pcap;

#endif

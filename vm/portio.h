/* Where a port's frames come from and where they go: a backend is a const table of functions
 * (open, read next, write, close, and two optional ones). The core never calls it; hosts that
 * drive the core do: the emulator's backends are pcap files and live interfaces (emu/ports.h),
 * and a device daemon can bring its own (a NIC ring, a vector in memory) with the same table.
 * Types only here: no C library, no libpcap, nothing to link.
 *
 * Frames are Ethernet frames: a backend that cannot promise that (a capture of another link
 * type) refuses to open. Status: 0 or -SL_E* (errors.def) with the text in a caller buffer;
 * backends never print. A handle is used by one thread at a time. */
#ifndef SLUICE_VM_PORTIO_H
#define SLUICE_VM_PORTIO_H

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
    /* Opens spec (a path, an interface name: the backend's business) as a source or a sink.
     * -SL_EARG when the source is not Ethernet, -SL_EIO when it cannot be opened or read. */
    int (*open)(const char *spec, SlPortMode mode, SlPortFile **out, char *err, size_t errcap);
    /* The next frame, never blocking on a live source: 1 with *f filled; 0 when there is none
     * (a file: its end; a live source: none yet, wait for poll_fd); -SL_EIO for a corrupt or
     * cut-off file or a failed interface. */
    int (*read)(SlPortFile *pf, SlPortFrame *f, char *err, size_t errcap);
    /* Appends (or transmits) data[0..len) stamped tstamp_ns. 0 or -SL_EIO. */
    int (*write)(SlPortFile *pf, uint64_t tstamp_ns, const uint8_t *data, uint32_t len, char *err,
                 size_t errcap);
    /* Flushes a sink and frees the handle (also on error). 0 or -SL_EIO. */
    int (*close)(SlPortFile *pf, char *err, size_t errcap);
    /* Optional (NULL: never). A live source's descriptor, readable when read may have a frame;
     * -1 for a source that never has to be waited for (a file). Live sources stamp frames with
     * the wall clock and never end. */
    int (*poll_fd)(SlPortFile *pf);
    /* Optional (NULL: unknown). How far a source has got: bytes consumed and its size. 0, or
     * -1 when the backend cannot tell. */
    int (*progress)(SlPortFile *pf, uint64_t *done, uint64_t *total);
} SlPortIo;

#endif

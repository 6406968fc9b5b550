/* The emulator's port backends (SlPortIo, vm/portio.h) and how a port's text picks one.
 *
 * A port binding's text (the FILE of -i PORT=FILE) names a capture file or a network interface:
 *   - "if:NAME" is always the interface NAME;
 *   - text with a '/' is always a file (write ./veth0 for a file called veth0);
 *   - other text is an interface when the system has an interface of that name, else a file;
 *     when a file of that name exists too, the text is ambiguous and refused.
 * sl_portio_emu applies the rule and hands each handle to sl_portio_pcap or sl_portio_live. */
#ifndef SLUICE_EMU_PORTS_H
#define SLUICE_EMU_PORTS_H

#include <stddef.h>

#include "portio.h"

/* pcap and pcapng files. Sources are read with nanosecond timestamps; sinks are pcap,
 * LINKTYPE_ETHERNET, nanosecond resolution. */
extern const SlPortIo sl_portio_pcap;
/* Network interfaces through libpcap: capture (immediate mode, incoming frames only, stamped
 * with the kernel's wall-clock time) and injection (pcap_inject). */
extern const SlPortIo sl_portio_live;
/* Either of the two, chosen per handle by the rule above. */
extern const SlPortIo sl_portio_emu;

typedef enum SlPortKind {
    SL_PORT_FILE = 0,
    SL_PORT_INTERFACE = 1,
} SlPortKind;

/* What spec names under the rule above: SL_PORT_FILE or SL_PORT_INTERFACE with the file path or
 * the interface name at *name; -SL_EARG for ambiguous text (err says why). */
int sl_portio_classify(const char *spec, const char **name, char *err, size_t errcap);

#endif

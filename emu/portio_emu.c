/* sl_portio_emu: the port text's rule (ports.h) picks the pcap file or the live-interface
 * backend, and the handle remembers which one holds the real handle. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ports.h"
#include "vm.h"

struct SlPortFile {
    const SlPortIo *io; /* the backend that opened inner */
    SlPortFile *inner;
};

int sl_portio_classify(const char *spec, const char **name, char *err, size_t errcap)
{
    struct stat st;
    if (strncmp(spec, "if:", 3) == 0) {
        *name = spec + 3;
        if (!**name) {
            snprintf(err, errcap, "%s: no interface name after if:", spec);
            return -SL_EARG;
        }
        return SL_PORT_INTERFACE;
    }
    *name = spec;
    if (strchr(spec, '/') || if_nametoindex(spec) == 0)
        return SL_PORT_FILE;
    if (stat(spec, &st) == 0) {
        snprintf(err, errcap, "%s is both a file and a network interface: write if:%s or ./%s", spec, spec, spec);
        return -SL_EARG;
    }
    return SL_PORT_INTERFACE;
}

static int emu_open(const char *spec, SlPortMode mode, SlPortFile **out, char *err, size_t errcap)
{
    const char *name;
    int kind = sl_portio_classify(spec, &name, err, errcap);
    if (kind < 0)
        return kind;
    SlPortFile *e = malloc(sizeof *e);
    if (!e) {
        snprintf(err, errcap, "%s: out of memory", spec);
        return -SL_EIO;
    }
    e->io = kind == SL_PORT_INTERFACE ? &sl_portio_live : &sl_portio_pcap;
    int rc = e->io->open(name, mode, &e->inner, err, errcap);
    if (rc < 0) {
        free(e);
        return rc;
    }
    *out = e;
    return 0;
}

static int emu_read(SlPortFile *pf, SlPortFrame *f, char *err, size_t errcap)
{
    SlPortFile *e = pf;
    return e->io->read(e->inner, f, err, errcap);
}

static int emu_write(SlPortFile *pf, uint64_t tstamp_ns, const uint8_t *data, uint32_t len, char *err,
                     size_t errcap)
{
    SlPortFile *e = pf;
    return e->io->write(e->inner, tstamp_ns, data, len, err, errcap);
}

static int emu_close(SlPortFile *pf, char *err, size_t errcap)
{
    SlPortFile *e = pf;
    int rc = e->io->close(e->inner, err, errcap);
    free(e);
    return rc;
}

static int emu_poll_fd(SlPortFile *pf)
{
    SlPortFile *e = pf;
    return e->io->poll_fd ? e->io->poll_fd(e->inner) : -1;
}

static int emu_progress(SlPortFile *pf, uint64_t *done, uint64_t *total)
{
    SlPortFile *e = pf;
    return e->io->progress ? e->io->progress(e->inner, done, total) : -1;
}

const SlPortIo sl_portio_emu = {
    .name = "emu",
    .open = emu_open,
    .read = emu_read,
    .write = emu_write,
    .close = emu_close,
    .poll_fd = emu_poll_fd,
    .progress = emu_progress,
};

/* The live-interface backend of SlPortIo, through libpcap.
 *
 * A source is a capture handle in immediate mode (each frame is delivered as it arrives, not
 * when a buffer fills), non-blocking, that sees incoming frames only (PCAP_D_IN): frames that
 * slemu itself injects, on this or another handle, never come back as input. Timestamps are
 * the kernel's, in nanoseconds when the system offers that. A sink is a handle used only for
 * pcap_inject, with a filter that accepts nothing so the kernel queues no frames for it. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"
#include "vm.h"

enum {
    SNAPLEN = 262144,    /* the largest frame libpcap hands over */
    BUFFER = 4 << 20,    /* kernel ring for a source: bursts of about 3000 full-size frames */
};

struct SlPortFile {
    pcap_t *pcap;
    int nano;         /* timestamps in nanoseconds (else microseconds) */
    int fd;           /* pcap_get_selectable_fd, sources only */
    const char *name; /* for messages: the caller's text outlives the handle */
};

/* libpcap's status for a handle that failed to activate, with its text when it has one. */
static void activate_error(pcap_t *p, const char *name, int rc, char *err, size_t errcap)
{
    const char *why = pcap_geterr(p);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_PERM_DENIED || !why || !*why)
        why = pcap_statustostr(rc);
    snprintf(err, errcap, "interface %s: %s", name, why);
}

static int live_open(const char *name, SlPortMode mode, SlPortFile **out, char *err, size_t errcap)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    SlPortFile *pf = calloc(1, sizeof *pf);
    if (!pf) {
        snprintf(err, errcap, "interface %s: out of memory", name);
        return -SL_EIO;
    }
    pf->name = name;
    pf->fd = -1;
    pf->pcap = pcap_create(name, perr);
    if (!pf->pcap) {
        snprintf(err, errcap, "interface %s: %s", name, perr);
        free(pf);
        return -SL_EIO;
    }
    pcap_set_snaplen(pf->pcap, SNAPLEN);
    pcap_set_promisc(pf->pcap, 1);
    pcap_set_immediate_mode(pf->pcap, 1);
    if (mode == SL_PORT_READ)
        pcap_set_buffer_size(pf->pcap, BUFFER);
    pf->nano = pcap_set_tstamp_precision(pf->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
    int rc = pcap_activate(pf->pcap);
    if (rc < 0) {
        activate_error(pf->pcap, name, rc, err, errcap);
        goto fail;
    }
    /* Warnings (rc > 0: promiscuous mode refused, ...) do not stop a capture. */
    int dlt = pcap_datalink(pf->pcap);
    if (dlt != DLT_EN10MB) {
        const char *dname = pcap_datalink_val_to_name(dlt);
        snprintf(err, errcap, "interface %s: link type %d (%s) is not Ethernet; slemu drives Ethernet interfaces only",
                 name, dlt, dname ? dname : "unknown");
        pcap_close(pf->pcap);
        free(pf);
        return -SL_EARG;
    }
    if (mode == SL_PORT_READ) {
        if (pcap_setdirection(pf->pcap, PCAP_D_IN) != 0 || pcap_setnonblock(pf->pcap, 1, perr) != 0) {
            snprintf(err, errcap, "interface %s: %s", name, *perr ? perr : pcap_geterr(pf->pcap));
            goto fail;
        }
        pf->fd = pcap_get_selectable_fd(pf->pcap);
        if (pf->fd < 0) {
            snprintf(err, errcap, "interface %s: cannot be waited on (no selectable descriptor)", name);
            goto fail;
        }
    } else {
        struct bpf_insn reject = BPF_STMT(BPF_RET | BPF_K, 0);
        struct bpf_program none = {1, &reject};
        if (pcap_setfilter(pf->pcap, &none) != 0) {
            snprintf(err, errcap, "interface %s: %s", name, pcap_geterr(pf->pcap));
            goto fail;
        }
    }
    *out = pf;
    return 0;
fail:
    pcap_close(pf->pcap);
    free(pf);
    return -SL_EIO;
}

static int live_read(SlPortFile *pf, SlPortFrame *f, char *err, size_t errcap)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(pf->pcap, &h, &data);
    if (rc == 0)
        return 0; /* nothing waiting */
    if (rc != 1) {
        snprintf(err, errcap, "interface %s: %s", pf->name,
                 rc == PCAP_ERROR ? pcap_geterr(pf->pcap) : pcap_statustostr(rc));
        return -SL_EIO;
    }
    f->data = data;
    f->caplen = h->caplen;
    f->len = h->len;
    f->tstamp_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * (pf->nano ? 1u : 1000u);
    return 1;
}

static int live_write(SlPortFile *pf, uint64_t tstamp_ns, const uint8_t *data, uint32_t len, char *err,
                      size_t errcap)
{
    (void)tstamp_ns; /* frames go out now; the wire has no timestamps */
    if (pcap_inject(pf->pcap, data, len) != (int)len) {
        snprintf(err, errcap, "interface %s: cannot send a frame of %" PRIu32 " bytes: %s", pf->name, len,
                 pcap_geterr(pf->pcap));
        return -SL_EIO;
    }
    return 0;
}

static int live_close(SlPortFile *pf, char *err, size_t errcap)
{
    (void)err;
    (void)errcap;
    pcap_close(pf->pcap);
    free(pf);
    return 0;
}

static int live_poll_fd(SlPortFile *pf)
{
    return pf->fd;
}

const SlPortIo sl_portio_live = {
    .name = "live",
    .open = live_open,
    .read = live_read,
    .write = live_write,
    .close = live_close,
    .poll_fd = live_poll_fd,
    .progress = NULL,
};

/* The pcap file backend of SlPortIo: sources through libpcap's offline reader (pcap and pcapng,
 * timestamps asked for in nanoseconds), sinks as pcap files of LINKTYPE_ETHERNET with
 * nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ports.h"
#include "vm.h"

enum {
    /* libpcap's largest Ethernet snapshot: readers reject records with more captured bytes,
     * so longer frames (a program can grow a packet) are written cut to it, len kept. */
    SINK_SNAPLEN = 262144,
    /* stdio buffer of each file: libpcap reads and writes a record as two stdio calls, which
     * with the default buffer (a block, 4 kB) costs a system call every few records. */
    FILE_BUFFER = 256 * 1024,
};

struct SlPortFile {
    pcap_t *pcap;
    pcap_dumper_t *dumper; /* sinks only */
    char *buf;             /* the FILE's buffer: freed once libpcap has closed the FILE */
};

/* Opens path with a FILE_BUFFER buffer; "-" is stdin (read) or stdout (write), left as they are. */
static FILE *open_buffered(const char *path, SlPortMode mode, char **buf)
{
    *buf = NULL;
    if (strcmp(path, "-") == 0)
        return mode == SL_PORT_READ ? stdin : stdout;
    FILE *f = fopen(path, mode == SL_PORT_READ ? "rb" : "wb");
    if (f && (*buf = malloc(FILE_BUFFER)) != NULL && setvbuf(f, *buf, _IOFBF, FILE_BUFFER) != 0) {
        free(*buf);
        *buf = NULL;
    }
    return f;
}

static int file_open(const char *path, SlPortMode mode, SlPortFile **out, char *err, size_t errcap)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    SlPortFile *pf = calloc(1, sizeof *pf);
    if (!pf) {
        snprintf(err, errcap, "%s: out of memory", path);
        return -SL_EIO;
    }
    FILE *f = open_buffered(path, mode, &pf->buf);
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        free(pf);
        return -SL_EIO;
    }
    int rc = -SL_EIO;
    if (mode == SL_PORT_READ) {
        pf->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
        if (!pf->pcap) {
            snprintf(err, errcap, "%s: %s", path, perr);
            goto fail_file;
        }
        int dlt = pcap_datalink(pf->pcap);
        if (dlt != DLT_EN10MB) {
            const char *name = pcap_datalink_val_to_name(dlt);
            snprintf(err, errcap, "%s: link type %d (%s) is not Ethernet; slemu reads Ethernet captures only",
                     path, dlt, name ? name : "unknown");
            rc = -SL_EARG;
            goto fail_pcap; /* pcap_close closes f */
        }
    } else {
        pf->pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, SINK_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
        if (!pf->pcap) {
            snprintf(err, errcap, "%s: cannot set up a pcap writer", path);
            goto fail_file;
        }
        pf->dumper = pcap_dump_fopen(pf->pcap, f);
        if (!pf->dumper) {
            snprintf(err, errcap, "%s: %s", path, pcap_geterr(pf->pcap));
            pcap_close(pf->pcap);
            goto fail_file;
        }
    }
    *out = pf;
    return 0;
fail_pcap:
    pcap_close(pf->pcap);
    free(pf->buf);
    free(pf);
    return rc;
fail_file:
    if (f != stdin && f != stdout)
        fclose(f);
    free(pf->buf);
    free(pf);
    return rc;
}

static int file_read(SlPortFile *pf, SlPortFrame *f, char *err, size_t errcap)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(pf->pcap, &h, &data);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1) {
        snprintf(err, errcap, "%s", pcap_geterr(pf->pcap));
        return -SL_EIO;
    }
    f->data = data;
    f->caplen = h->caplen;
    f->len = h->len;
    /* In nanosecond mode tv_usec holds nanoseconds. Wrapping arithmetic: odd timestamps
     * (before 1970, fractions out of range) still give one well-defined number. */
    f->tstamp_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
    return 1;
}

static int file_write(SlPortFile *pf, uint64_t tstamp_ns, const uint8_t *data, uint32_t len, char *err,
                      size_t errcap)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(tstamp_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(tstamp_ns % 1000000000u);
    h.caplen = len < SINK_SNAPLEN ? len : SINK_SNAPLEN;
    h.len = len;
    errno = 0;
    pcap_dump((u_char *)pf->dumper, &h, data);
    if (ferror(pcap_dump_file(pf->dumper))) {
        snprintf(err, errcap, "write error: %s", strerror(errno));
        return -SL_EIO;
    }
    return 0;
}

static int file_close(SlPortFile *pf, char *err, size_t errcap)
{
    int rc = 0;
    if (pf->dumper) {
        errno = 0;
        if (pcap_dump_flush(pf->dumper) != 0 || ferror(pcap_dump_file(pf->dumper))) {
            snprintf(err, errcap, "write error: %s", strerror(errno));
            rc = -SL_EIO;
        }
        pcap_dump_close(pf->dumper);
    }
    pcap_close(pf->pcap);
    free(pf->buf);
    free(pf);
    return rc;
}

/* Bytes of the file read so far (libpcap reads through stdio: the FILE's position, a buffer
 * ahead at most) and the file's size; -1 for a pipe. */
static int file_progress(SlPortFile *pf, uint64_t *done, uint64_t *total)
{
    FILE *f = pf->dumper ? NULL : pcap_file(pf->pcap);
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    off_t at = ftello(f);
    if (at < 0)
        return -1;
    *done = (uint64_t)at;
    *total = (uint64_t)st.st_size;
    return 0;
}

const SlPortIo sl_portio_pcap = {
    .name = "pcap",
    .open = file_open,
    .read = file_read,
    .write = file_write,
    .close = file_close,
    .poll_fd = NULL,
    .progress = file_progress,
};

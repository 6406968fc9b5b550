/* The baseline of the end-to-end slemu benchmark: the least a libpcap program can do to move a
 * capture to another file, pcap_open_offline + pcap_dump of every packet, no processing.
 *
 *   pcap_copy IN.pcap OUT.pcap
 *
 * Prints "pcap_copy: N packets" on stderr. Like slemu, it reads with nanosecond precision and
 * writes a nanosecond pcap of LINKTYPE_ETHERNET, so both do the same I/O work. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    if (argc != 3) {
        fprintf(stderr, "usage: pcap_copy IN.pcap OUT.pcap\n");
        return 2;
    }
    pcap_t *in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!in) {
        fprintf(stderr, "pcap_copy: %s\n", err);
        return 1;
    }
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, argv[2]) : NULL;
    if (!d) {
        fprintf(stderr, "pcap_copy: %s: %s\n", argv[2], dead ? pcap_geterr(dead) : "cannot set up a writer");
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long n = 0;
    int rc;
    while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
        pcap_dump((u_char *)d, h, data);
        n++;
    }
    int bad = rc != PCAP_ERROR_BREAK;
    if (bad)
        fprintf(stderr, "pcap_copy: %s: %s\n", argv[1], pcap_geterr(in));
    if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
        fprintf(stderr, "pcap_copy: %s: write error\n", argv[2]);
        bad = 1;
    }
    pcap_dump_close(d);
    pcap_close(dead);
    pcap_close(in);
    fprintf(stderr, "pcap_copy: %lu packets\n", n);
    return bad;
}

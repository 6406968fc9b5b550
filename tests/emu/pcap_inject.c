/* The live test's sender (tests/emu/live.sh), independent of slemu: transmits every frame of a
 * capture file on a network interface with pcap_inject, back to back.
 *
 *   pcap_inject IFACE FILE.pcap
 *
 * Prints "pcap_inject: N frames" on stdout; exit 1 on any failure. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    if (argc != 3) {
        fprintf(stderr, "usage: pcap_inject IFACE FILE.pcap\n");
        return 2;
    }
    pcap_t *in = pcap_open_offline(argv[2], err);
    if (!in) {
        fprintf(stderr, "pcap_inject: %s\n", err);
        return 1;
    }
    pcap_t *out = pcap_create(argv[1], err);
    if (!out || pcap_activate(out) < 0) {
        fprintf(stderr, "pcap_inject: %s: %s\n", argv[1], out ? pcap_geterr(out) : err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long n = 0;
    int rc;
    while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
        if (pcap_inject(out, data, h->caplen) != (int)h->caplen) {
            fprintf(stderr, "pcap_inject: %s: %s\n", argv[1], pcap_geterr(out));
            return 1;
        }
        n++;
    }
    if (rc != PCAP_ERROR_BREAK) {
        fprintf(stderr, "pcap_inject: %s: %s\n", argv[2], pcap_geterr(in));
        return 1;
    }
    printf("pcap_inject: %lu frames\n", n);
    pcap_close(out);
    pcap_close(in);
    return 0;
}

/* mkframes: seeds for fuzz_frames from captures.
 *
 *   mkframes OUTDIR FILE.pcap...
 *
 * Each capture gives one input, OUTDIR/<path with slashes made underscores>: a configuration
 * byte, then its first frames (up to 32 and 16 KiB) as [port][length, 2 bytes LE][bytes], the
 * ports taking turns. Captures are read with libpcap, so pcap and pcapng alike. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FRAMES = 32, MAX_SEED = 16384 };

static int seed_from(const char *outdir, const char *path, unsigned index)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, errbuf);
    if (!p) {
        fprintf(stderr, "mkframes: %s: %s\n", path, errbuf);
        return -1;
    }
    static uint8_t seed[MAX_SEED];
    size_t n = 0;
    seed[n++] = (uint8_t)(index * 37u); /* varies the quantum, the steering width, interleaving */
    struct pcap_pkthdr *h;
    const u_char *bytes;
    for (unsigned k = 0; k < MAX_FRAMES && pcap_next_ex(p, &h, &bytes) == 1; k++) {
        size_t len = h->caplen;
        if (n + 3 + len > MAX_SEED)
            break;
        seed[n++] = (uint8_t)(k % 3);
        seed[n++] = (uint8_t)len;
        seed[n++] = (uint8_t)(len >> 8);
        memcpy(seed + n, bytes, len);
        n += len;
    }
    pcap_close(p);
    char name[1024], out[4096];
    snprintf(name, sizeof name, "%s", path);
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '_';
    snprintf(out, sizeof out, "%s/%s", outdir, name);
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(seed, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "mkframes: %s: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkframes OUTDIR FILE.pcap...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (seed_from(argv[1], argv[i], (unsigned)i) < 0)
            return 1;
    return 0;
}

/* isa2frames: turns ISA conformance files (tests/isa/README.md) into what the device runner
 * takes, so that the same tests run on slrun on every target:
 *
 *   isa2frames OUTDIR FILE.sla...
 *
 * For each FILE writes OUTDIR/NAME.slb (assembled in process), OUTDIR/NAME.slf (one frame: the
 * `in`/`in-zeros` bytes on port `inport` at time `tstamp`) and OUTDIR/NAME.opt (one line of
 * slrun options: --seed, --budget, --now from `seed`, `budget`, `now`). The expectations
 * themselves are isa_runner's business; here the outputs of every target are compared with the
 * x86-64 interpreter's. Exit status 1 when a file cannot be read, assembled or written. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "frames.h"
#include "vm.h"

typedef struct Case {
    uint8_t *in;
    size_t len, cap;
    uint64_t inport, tstamp, now, seed, budget;
} Case;

static int put(Case *c, uint8_t b)
{
    if (c->len == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        uint8_t *p = realloc(c->in, cap);
        if (!p)
            return -1;
        c->in = p;
        c->cap = cap;
    }
    c->in[c->len++] = b;
    return 0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Hex byte pairs separated by blanks up to the end or a '(' comment. */
static int parse_hex(const char *s, const char *end, Case *c)
{
    while (s < end) {
        if (*s == ' ' || *s == '\t' || *s == '\r') {
            s++;
            continue;
        }
        if (*s == '(')
            return 0;
        if (end - s < 2 || hexval(s[0]) < 0 || hexval(s[1]) < 0)
            return -1;
        if (put(c, (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]))) < 0)
            return -1;
        s += 2;
    }
    return 0;
}

/* Decimal, 0x hex, or negative (two's complement), as isa_runner reads them. */
static int parse_num(const char *s, uint64_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    int neg = *s == '-';
    if (neg)
        s++;
    char *e;
    errno = 0;
    unsigned long long v = strtoull(s, &e, 0);
    if (errno || e == s)
        return -1;
    *out = neg ? 0 - (uint64_t)v : (uint64_t)v;
    return 0;
}

/* Reads the input directives of src. */
static int parse_case(const char *path, const char *src, Case *c)
{
    for (const char *line = src; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        const char *s = line;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if (s < end && *s == ';') {
            s++;
            while (s < end && (*s == ' ' || *s == '\t'))
                s++;
            const char *key = s;
            while (s < end && ((*s >= 'a' && *s <= 'z') || *s == '-'))
                s++;
            size_t klen = (size_t)(s - key);
            if (klen && s < end && *s == ':') {
                char val[128];
                size_t vlen = (size_t)(end - s - 1) < sizeof val - 1 ? (size_t)(end - s - 1) : sizeof val - 1;
                memcpy(val, s + 1, vlen);
                val[vlen] = 0;
                int bad = 0;
                uint64_t n;
#define KEY(k) (klen == sizeof k - 1 && !memcmp(key, k, klen))
                if (KEY("in"))
                    bad = parse_hex(s + 1, end, c);
                else if (KEY("in-zeros")) {
                    bad = parse_num(val, &n);
                    for (uint64_t i = 0; !bad && i < n; i++)
                        bad = put(c, 0);
                } else if (KEY("inport"))
                    bad = parse_num(val, &c->inport);
                else if (KEY("tstamp"))
                    bad = parse_num(val, &c->tstamp);
                else if (KEY("now"))
                    bad = parse_num(val, &c->now);
                else if (KEY("seed"))
                    bad = parse_num(val, &c->seed);
                else if (KEY("budget"))
                    bad = parse_num(val, &c->budget);
#undef KEY
                if (bad) {
                    fprintf(stderr, "isa2frames: %s: bad directive: %.*s\n", path, (int)(end - line), line);
                    return -1;
                }
            }
        }
        line = *end ? end + 1 : end;
    }
    return 0;
}

static int write_file(const char *path, const void *a, size_t an, const void *b, size_t bn)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(a, 1, an, f) == an && (!bn || fwrite(b, 1, bn, f) == bn);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "isa2frames: %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static int convert(const char *outdir, const char *path)
{
    size_t len;
    char *src = sl_file_read(path, &len);
    if (!src) {
        fprintf(stderr, "isa2frames: %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 4 && !strcmp(base + blen - 4, ".sla"))
        blen -= 4;
    char out[4096];
    Case c = {0};
    uint8_t *img = NULL;
    size_t img_len = 0;
    char err[2048];
    int rc = parse_case(path, src, &c);
    if (!rc && sl_asm_assemble(src, len, path, 0, &img, &img_len, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        rc = -1;
    }
    if (!rc) {
        snprintf(out, sizeof out, "%s/%.*s.slb", outdir, (int)blen, base);
        rc = write_file(out, img, img_len, NULL, 0);
    }
    if (!rc) {
        uint8_t head[SL_FRAMES_HEADER_SIZE + SL_FRAMES_RECORD_SIZE];
        sl_frames_header(head);
        sl_frames_record(head + SL_FRAMES_HEADER_SIZE, c.tstamp, (uint32_t)c.inport, (uint32_t)c.len);
        snprintf(out, sizeof out, "%s/%.*s.slf", outdir, (int)blen, base);
        rc = write_file(out, head, sizeof head, c.in, c.len);
    }
    if (!rc) {
        char opt[256];
        int n = snprintf(opt, sizeof opt, "--seed %" PRIu64 " --budget %" PRIu64 " --now %" PRIu64 "\n",
                         c.seed, c.budget, c.now);
        snprintf(out, sizeof out, "%s/%.*s.opt", outdir, (int)blen, base);
        rc = write_file(out, opt, (size_t)n, NULL, 0);
    }
    free(img);
    free(c.in);
    free(src);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: isa2frames OUTDIR FILE.sla...\n", stderr);
        return 2;
    }
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        if (convert(argv[1], argv[i]) < 0)
            rc = 1;
    }
    return rc;
}

/* slas: the assembler tool. slas [-s|--strip] [-o OUT] IN.sla
 * Messages go to stderr as "file:line:col: error: message", each followed by its source line
 * and a caret; exit 1 on any error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "vm.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: slas [-s|--strip] [-o OUT] IN.sla\n"
               "Assembles IN.sla (- for stdin) into a Sluice image, by default IN.slb\n"
               "(standard output when reading stdin; -o - for standard output).\n"
               "  -s, --strip   leave out debug info (symbols, line table)\n"
               "  -o OUT        write the image to OUT\n"
               "      --help    this text\n"
               "      --version the version\n");
}

/* Prints one message, then the source line it points at and a caret under its column. */
static void show_error(const char *msg, size_t msg_len, const char *name, const char *src, size_t src_len)
{
    fprintf(stderr, "%.*s\n", (int)msg_len, msg);
    size_t nl = strlen(name);
    unsigned long line = 0, col = 0;
    if (msg_len <= nl + 1 || memcmp(msg, name, nl) != 0 || msg[nl] != ':')
        return;
    if (sscanf(msg + nl + 1, "%lu:%lu:", &line, &col) != 2 || line == 0 || col == 0)
        return;
    size_t pos = 0;
    for (unsigned long l = 1; l < line && pos < src_len; l++) {
        const char *p = memchr(src + pos, '\n', src_len - pos);
        if (!p)
            return;
        pos = (size_t)(p - src) + 1;
    }
    const char *end = memchr(src + pos, '\n', src_len - pos);
    size_t len = end ? (size_t)(end - (src + pos)) : src_len - pos;
    const size_t max = 160;
    if (col > max)
        return; /* a caret far out in a huge line helps nobody */
    fputs("    ", stderr);
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)src[pos + i];
        fputc(c == '\t' ? '\t' : (c >= 0x20 && c < 0x7f ? c : '?'), stderr);
    }
    fputs(len > max ? "...\n    " : "\n    ", stderr);
    for (size_t i = 0; i + 1 < col; i++)
        fputc(pos + i < src_len && src[pos + i] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

int main(int argc, char **argv)
{
    int flags = 0;
    const char *in = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("slas (sluice) %s, image format %d.%d\n", SL_TOOLS_VERSION, SL_IMAGE_VERSION_MAJOR,
                   SL_IMAGE_VERSION_MINOR);
            return 0;
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--strip") == 0) {
            flags |= SL_ASM_STRIP;
        } else if (strcmp(a, "-o") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "slas: -o needs a file name\n");
                return 1;
            }
            outp = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "slas: unknown option '%s' (see slas --help)\n", a);
            return 1;
        } else if (in) {
            fprintf(stderr, "slas: more than one input file\n");
            return 1;
        } else {
            in = a;
        }
    }
    if (!in) {
        usage(stderr);
        return 1;
    }
    const char *name = strcmp(in, "-") == 0 ? "<stdin>" : in;
    size_t len;
    char *src = sl_file_read(in, &len);
    if (!src) {
        fprintf(stderr, "%s: error: %s\n", name, strerror(errno));
        return 1;
    }

    char err[8192];
    uint8_t *img;
    size_t img_len;
    int rc = sl_asm_assemble(src, len, name, flags, &img, &img_len, err, sizeof err);
    if (rc < 0) {
        for (const char *p = err; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            show_error(p, n, name, src, len);
            p += n + (nl ? 1 : 0);
        }
        free(src);
        return 1;
    }
    free(src);

    char *def = NULL;
    if (!outp) {
        if (strcmp(in, "-") == 0) {
            outp = "-";
        } else {
            size_t n = strlen(in);
            def = malloc(n + 5);
            if (!def) {
                fprintf(stderr, "slas: out of memory\n");
                free(img);
                return 1;
            }
            memcpy(def, in, n + 1);
            if (n > 4 && strcmp(in + n - 4, ".sla") == 0)
                def[n - 4] = '\0';
            strcat(def, ".slb");
            outp = def;
        }
    }
    int status = 0;
    FILE *f = strcmp(outp, "-") == 0 ? stdout : fopen(outp, "wb");
    if (!f || fwrite(img, 1, img_len, f) != img_len || (f != stdout ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "%s: error: cannot write: %s\n", outp, strerror(errno));
        status = 1;
    }
    free(def);
    free(img);
    return status;
}

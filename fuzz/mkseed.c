/* mkseed: makes the fuzzers' seed corpora from assembly sources.
 *
 *   mkseed OUTDIR FILE.sla...
 *
 * Each source goes to OUTDIR/fuzz_asm as it is; what assembles goes to OUTDIR/fuzz_image and
 * OUTDIR/fuzz_disasm twice, with debug sections and stripped. File names keep the source's path
 * (slashes made underscores) so sources of the same name in different folders do not collide.
 * Sources that do not assemble (some tests are meant to fail) only seed the assembler. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"

static int write_file(const char *dir, const char *sub, const char *name, const char *ext, const void *p,
                      size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s%s", dir, sub, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "mkseed: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkseed OUTDIR FILE.sla...\n");
        return 2;
    }
    const char *out = argv[1];
    int images = 0, sources = 0;
    for (int i = 2; i < argc; i++) {
        size_t len = 0;
        char *src = sl_file_read(argv[i], &len);
        if (!src) {
            fprintf(stderr, "mkseed: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        char name[1024];
        snprintf(name, sizeof name, "%s", argv[i]);
        for (char *p = name; *p; p++)
            if (*p == '/')
                *p = '_';
        if (write_file(out, "fuzz_asm", name, "", src, len) < 0) {
            free(src);
            return 1;
        }
        sources++;
        for (int strip = 0; strip <= 1; strip++) {
            uint8_t *img = NULL;
            size_t img_len = 0;
            char err[512];
            if (sl_asm_assemble(src, len, argv[i], strip ? SL_ASM_STRIP : 0, &img, &img_len, err, sizeof err) < 0)
                break;
            const char *ext = strip ? ".strip.slb" : ".slb";
            if (write_file(out, "fuzz_image", name, ext, img, img_len) < 0 ||
                write_file(out, "fuzz_disasm", name, ext, img, img_len) < 0) {
                free(img);
                free(src);
                return 1;
            }
            images++;
            free(img);
        }
        free(src);
    }
    printf("mkseed: %d sources, %d images\n", sources, images);
    return 0;
}

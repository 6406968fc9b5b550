/* slaot: the ahead-of-time translator tool.
 *
 *   slaot [-t TARGET] [-O0..-O3] [--emit-llvm | -S] [-n NAME] [-o OUT] IMAGE.slb|FILE.sla
 *
 * Checks the image and its content hash, verifies it and writes an ELF object for the target
 * (or LLVM IR / assembly). Errors: "slaot: file: message", exit 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot.h"
#include "asm.h"
#include "file.h"
#include "image_hash.h"
#include "vm.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: slaot [-t TARGET] [-O0..-O3] [--emit-llvm | -S] [-n NAME] [-o OUT] IN\n"
               "Translates a verified Sluice image (.slb, or .sla assembled in memory) to native\n"
               "code: an ELF object defining NAME (an SlNative descriptor, aot/native.h),\n"
               "NAME_entry and NAME_hash (the image's 32-byte content hash).\n"
               "  -t TARGET    target (default x86_64):\n");
    for (size_t i = 0; sl_aot_target_at(i); i++)
        fprintf(f, "                 %-10s %s\n", sl_aot_target_at(i)->name, sl_aot_target_at(i)->about);
    fprintf(f, "  -O0..-O3     LLVM optimisation level (default -O2)\n"
               "  --emit-llvm  write the optimised LLVM IR as text instead of an object\n"
               "  -S           write target assembly instead of an object\n"
               "  -n NAME      symbol prefix, a C identifier (default sl_aot)\n"
               "  -o OUT       output file (default IN with .o, .ll or .s)\n"
               "  --help       this text\n"
               "  --version    the version\n");
}

static char *default_out(const char *in, const char *ext)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        n = (size_t)(dot - base);
    char *out = malloc(n + strlen(ext) + 1);
    if (out) {
        memcpy(out, base, n);
        strcpy(out + n, ext);
    }
    return out;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int main(int argc, char **argv)
{
    SlAotOptions opt = {.target = sl_aot_target_find("x86_64"), .opt_level = 2};
    const char *in = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("slaot (sluice) %s, image format %d.%d, LLVM %s, native ABI %d\n",
                   SL_TOOLS_VERSION, SL_IMAGE_VERSION_MAJOR, SL_IMAGE_VERSION_MINOR,
                   sl_aot_llvm_version(), SL_NATIVE_ABI);
            return 0;
        } else if (!strcmp(a, "--emit-llvm")) {
            opt.output = SL_AOT_LLVM_IR;
        } else if (!strcmp(a, "-S")) {
            opt.output = SL_AOT_ASM;
        } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            opt.opt_level = a[2] - '0';
        } else if (!strcmp(a, "-t") || !strcmp(a, "-o") || !strcmp(a, "-n")) {
            if (++i >= argc) {
                fprintf(stderr, "slaot: %s needs a value\n", a);
                return 1;
            }
            if (a[1] == 't') {
                opt.target = sl_aot_target_find(argv[i]);
                if (!opt.target) {
                    fprintf(stderr, "slaot: unknown target '%s' (see slaot --help)\n", argv[i]);
                    return 1;
                }
            } else if (a[1] == 'o') {
                outp = argv[i];
            } else {
                opt.name = argv[i];
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "slaot: unknown option '%s' (see slaot --help)\n", a);
            return 1;
        } else if (in) {
            fprintf(stderr, "slaot: more than one input file\n");
            return 1;
        } else {
            in = a;
        }
    }
    if (!in) {
        usage(stderr);
        return 1;
    }

    size_t len;
    char *text = sl_file_read(in, &len);
    if (!text) {
        fprintf(stderr, "slaot: %s: %s\n", in, strerror(errno));
        return 1;
    }
    static char err[8192];
    uint8_t *bytes = (uint8_t *)text;
    if (ends_with(in, ".sla")) {
        size_t blen;
        if (sl_asm_assemble(text, len, in, 0, &bytes, &blen, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            free(text);
            return 1;
        }
        free(text);
        text = NULL;
        len = blen;
    }
    SlImage img;
    int rc = sl_image_parse(bytes, len, &img, err, sizeof err);
    if (rc == 0 && sl_image_hash_check(&img) < 0) {
        snprintf(err, sizeof err, "content hash does not match the image");
        rc = -SL_EHASH;
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (rc == 0)
        rc = sl_aot_compile(&img, &opt, &out, &out_len, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "slaot: %s: %s\n", in, err);
        free(bytes);
        return 1;
    }
    static const char *const exts[] = {".o", ".ll", ".s"};
    char *def = outp ? NULL : default_out(in, exts[opt.output]);
    const char *path = outp ? outp : def;
    FILE *f = !path ? NULL : strcmp(path, "-") ? fopen(path, "wb") : stdout;
    int ok = f && fwrite(out, 1, out_len, f) == out_len;
    if (f && f != stdout && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "slaot: %s: %s\n", path ? path : "output", strerror(errno));
    free(def);
    free(out);
    free(bytes);
    return ok ? 0 : 1;
}

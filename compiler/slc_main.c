/* slc: the Sluice compiler's command line (compiler/slc.h does the work). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asm.h"
#include "file.h"
#include "image.h"
#include "slc.h"

#ifndef SLC_DEFAULT_STDLIB
#define SLC_DEFAULT_STDLIB "stdlib"
#endif

static void usage(FILE *f)
{
    fputs("usage: slc [options] FILE.sl\n"
          "Compiles a Sluice program to an image (.slb).\n"
          "  -o FILE         output (default: the input's name with .slb, or .sla with -S)\n"
          "  -S              write the assembly (for slas) instead of an image\n"
          "  -g              debug info: line table, symbols for functions, state, tables, variables\n"
          "  -s, --strip     leave debug info out of the image (the content hash does not change)\n"
          "  -I DIR          look for imports in DIR (before the standard library)\n"
          "  --stdlib DIR    the standard library's directory (default: " SLC_DEFAULT_STDLIB ")\n"
          "  -W              warnings on (the default); -w off; -Werror makes them errors\n"
          "  -d LIST         dump passes to standard output: ast, ir, opt, asm (comma-separated)\n"
          "  --max-errors N  stop after N errors (default 20)\n"
          "  -h, --help      this text;  --version  the version\n"
          "Exit status: 0 compiled, 1 errors in the program, 2 bad arguments or files.\n",
          f);
}

static int dir_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The default standard library: the configured directory, else share/sluice/stdlib next to
 * the executable's bin/ directory (an installed slc). */
static const char *default_stdlib(const char *argv0, char *buf, size_t cap)
{
    if (dir_exists(SLC_DEFAULT_STDLIB))
        return SLC_DEFAULT_STDLIB;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../share/sluice/stdlib", exe);
            if (dir_exists(buf))
                return buf;
        }
    }
    (void)argv0;
    return SLC_DEFAULT_STDLIB;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "slc: cannot write %s\n", path);
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    if (f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad) {
        fprintf(stderr, "slc: error writing %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *in = NULL, *stdlib_dir = NULL;
    const char **incs = calloc((size_t)argc + 1, sizeof *incs);
    size_t nincs = 0;
    int asm_only = 0, strip = 0;
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.warnings = 1;
    if (!incs)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("slc (Sluice) %s\n", SL_TOOLS_VERSION);
            return 0;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(a, "-S") == 0) {
            asm_only = 1;
        } else if (strcmp(a, "-g") == 0) {
            opt.debug_info = 1;
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--strip") == 0) {
            strip = 1;
        } else if (strcmp(a, "-I") == 0 && i + 1 < argc) {
            incs[nincs++] = argv[++i];
        } else if (strncmp(a, "-I", 2) == 0 && a[2]) {
            incs[nincs++] = a + 2;
        } else if (strcmp(a, "--stdlib") == 0 && i + 1 < argc) {
            stdlib_dir = argv[++i];
        } else if (strcmp(a, "-W") == 0 || strcmp(a, "-Wall") == 0) {
            opt.warnings = 1;
        } else if (strcmp(a, "-w") == 0) {
            opt.warnings = 0;
        } else if (strcmp(a, "-Werror") == 0) {
            opt.werror = 1;
        } else if (strcmp(a, "--max-errors") == 0 && i + 1 < argc) {
            opt.max_errors = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "-d") == 0 && i + 1 < argc) {
            char *list = argv[++i], *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (strcmp(t, "ast") == 0)
                    opt.dump |= SLC_DUMP_AST;
                else if (strcmp(t, "ir") == 0)
                    opt.dump |= SLC_DUMP_IR;
                else if (strcmp(t, "opt") == 0)
                    opt.dump |= SLC_DUMP_OPT;
                else if (strcmp(t, "asm") == 0)
                    opt.dump |= SLC_DUMP_ASM;
                else {
                    fprintf(stderr, "slc: unknown dump '%s' (ast, ir, opt, asm)\n", t);
                    return 2;
                }
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "slc: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "slc: more than one input file ('%s' and '%s')\n", in, a);
            return 2;
        }
    }
    if (!in) {
        usage(stderr);
        return 2;
    }
    char stdbuf[4200];
    opt.include_dirs = incs;
    opt.n_include_dirs = nincs;
    opt.stdlib_dir = stdlib_dir ? stdlib_dir : default_stdlib(argv[0], stdbuf, sizeof stdbuf);
    size_t len;
    char *src = sl_file_read(in, &len);
    if (!src) {
        fprintf(stderr, "slc: cannot read %s\n", in);
        return 2;
    }
    SlcResult res;
    int rc = sl_compile(&opt, in, src, len, &res);
    fputs(res.diags, stderr);
    if (res.dump_text)
        fputs(res.dump_text, stdout);
    int status = 0;
    if (rc < 0) {
        status = 1;
    } else {
        char *def = NULL;
        if (!out) {
            size_t n = strlen(in);
            def = malloc(n + 5);
            if (!def)
                return 2;
            memcpy(def, in, n + 1);
            if (n > 3 && strcmp(def + n - 3, ".sl") == 0)
                def[n - 3] = '\0';
            strcat(def, asm_only ? ".sla" : ".slb");
            out = def;
        }
        if (asm_only) {
            if (write_file(out, res.asm_text, res.asm_len) < 0)
                status = 2;
        } else if (strip) {
            SlImage img;
            char err[256];
            uint8_t *s = NULL;
            size_t need = 0;
            if (sl_image_parse(res.image, res.image_len, &img, err, sizeof err) == 0) {
                need = sl_image_strip(&img, NULL, 0);
                s = malloc(need ? need : 1);
                if (s)
                    sl_image_strip(&img, s, need);
            }
            if (!s || write_file(out, s, need) < 0)
                status = 2;
            free(s);
        } else if (write_file(out, res.image, res.image_len) < 0) {
            status = 2;
        }
        free(def);
    }
    sl_compile_result_free(&res);
    free(src);
    free(incs);
    return status;
}

/* libFuzzer target: the Sluice compiler (sl_compile) on arbitrary source bytes.
 *
 * Imports are served from memory: the standard library's files (every .sl of stdlib/std, read
 * once at start-up from the repository root, where fuzz/run.sh runs) under
 * "stdlib/std/NAME.sl"; any other path fails, as a missing file would. The input's length picks
 * -g (odd) or not.
 *
 * Besides crashes and sanitizer reports, it aborts when the compiler contradicts itself:
 * - no errors reported but no image, or an image along with errors;
 * - an "slc: internal error" line (the assembler or verifier refused generated code; the source
 *   is echoed in diagnostics, so only a line that starts so counts);
 * - an image that does not parse, or that the VM refuses to load (verifier). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "fuzz.h"
#include "image.h"
#include "slc.h"
#include "vm.h"

enum { MAX_STD = 32 };

typedef struct StdFile {
    char path[256];
    char *text;
    size_t len;
} StdFile;

typedef struct StdLib {
    StdFile files[MAX_STD];
    int n;
} StdLib;

static StdLib *stdlib_files(void)
{
    static StdLib lib; /* read once, then only read: the harness's one piece of state */
    static int loaded;
    if (loaded)
        return &lib;
    loaded = 1;
    DIR *d = opendir("stdlib/std");
    if (!d)
        return &lib;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && lib.n < MAX_STD) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".sl") != 0)
            continue;
        StdFile *f = &lib.files[lib.n];
        snprintf(f->path, sizeof f->path, "stdlib/std/%s", e->d_name);
        f->text = sl_file_read(f->path, &f->len);
        if (f->text)
            lib.n++;
    }
    closedir(d);
    return &lib;
}

static int read_mem(void *user, const char *path, char **data, size_t *len)
{
    StdLib *lib = user;
    for (int i = 0; i < lib->n; i++)
        if (strcmp(lib->files[i].path, path) == 0) {
            *data = malloc(lib->files[i].len + 1);
            if (!*data)
                return -1;
            memcpy(*data, lib->files[i].text, lib->files[i].len + 1);
            *len = lib->files[i].len;
            return 0;
        }
    return -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    stdlib_files();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SlcOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.stdlib_dir = "stdlib";
    opt.debug_info = (int)(size & 1);
    opt.warnings = 1;
    opt.read_file = read_mem;
    opt.read_file_user = stdlib_files();
    SlcResult res;
    memset(&res, 0, sizeof res);
    int rc = sl_compile(&opt, "fuzz.sl", (const char *)data, size, &res);
    if ((rc == 0) != (res.image != NULL) || (res.image && res.errors) || (!res.image && !res.errors))
        abort();
    if (res.diags && (strncmp(res.diags, "slc: internal error", 19) == 0 ||
                      strstr(res.diags, "\nslc: internal error"))) {
        fprintf(stderr, "%s", res.diags);
        abort();
    }
    if (res.image) {
        SlImage img;
        char err[512];
        if (sl_image_parse(res.image, res.image_len, &img, err, sizeof err) != 0)
            abort();
        size_t fp = sl_vm_footprint(&img);
        if (fp && fp < ((size_t)64 << 20)) {
            void *mem = aligned_alloc(8, (fp + 7) / 8 * 8);
            SlVm *vm;
            SlVmConfig cfg = {0};
            if (mem && sl_vm_create(mem, fp, &img, &cfg, &vm, err, sizeof err) != 0) {
                fprintf(stderr, "verifier: %s\n", err);
                abort();
            }
            free(mem);
        }
    }
    sl_compile_result_free(&res);
    return 0;
}

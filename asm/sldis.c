/* sldis: the disassembler tool. sldis [--verified] [--force] [-o OUT] IN.slb
 * Checks the image and its content hash first; with --verified prints the code as the
 * verifier leaves it (.nc forms), or the verifier's message. Errors: "file: error: ...", exit 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "disasm.h"
#include "file.h"
#include "image_hash.h"
#include "vm.h"

enum { MAX_VM_MEMORY = 1 << 30 }; /* --verified: what sldis is ready to allocate */

static void usage(FILE *f)
{
    fprintf(f, "usage: sldis [--verified] [--force] [-o OUT] IN.slb\n"
               "Prints a Sluice image (- for stdin) as assembly that slas reads back.\n"
               "  --verified  verify the image and print the verifier's code (with .nc forms)\n"
               "  --force     disassemble even when the content hash does not match\n"
               "  -o OUT      write the text to OUT instead of standard output\n"
               "  --help      this text\n"
               "  --version   the version\n");
}

int main(int argc, char **argv)
{
    int verified = 0, force = 0;
    const char *in = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("sldis (sluice) %s, image format %d.%d\n", SL_TOOLS_VERSION, SL_IMAGE_VERSION_MAJOR,
                   SL_IMAGE_VERSION_MINOR);
            return 0;
        } else if (strcmp(a, "--verified") == 0) {
            verified = 1;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "-o") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "sldis: -o needs a file name\n");
                return 1;
            }
            outp = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "sldis: unknown option '%s' (see sldis --help)\n", a);
            return 1;
        } else if (in) {
            fprintf(stderr, "sldis: more than one input file\n");
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
    uint8_t *bytes = (uint8_t *)sl_file_read(in, &len);
    if (!bytes) {
        fprintf(stderr, "%s: error: %s\n", name, strerror(errno));
        return 1;
    }

    int status = 1;
    char err[512];
    SlImage img;
    void *mem = NULL;
    char *text = NULL;
    size_t text_len = 0;
    int rc = sl_image_parse(bytes, len, &img, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "%s: error: %s\n", name, err);
        goto done;
    }
    rc = sl_image_hash_check(&img);
    if (rc < 0) {
        fprintf(stderr, "%s: %s: hash mismatch\n", name, force ? "warning" : "error");
        if (!force)
            goto done;
    }
    const SlInsn *code = NULL;
    if (verified) {
        size_t need = sl_vm_footprint(&img);
        if (need == 0 || need > MAX_VM_MEMORY) {
            fprintf(stderr, "%s: error: the image needs more memory than sldis allows (%zu bytes)\n", name, need);
            goto done;
        }
        mem = calloc(1, need);
        if (!mem) {
            fprintf(stderr, "%s: error: out of memory\n", name);
            goto done;
        }
        SlVmConfig cfg = {0, 0};
        SlVm *vm;
        rc = sl_vm_create(mem, need, &img, &cfg, &vm, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "%s: error: %s\n", name, err);
            goto done;
        }
        uint32_t count;
        code = sl_vm_code(vm, &count);
    }
    rc = sl_disasm(&img, code, &text, &text_len);
    if (rc < 0) {
        fprintf(stderr, "%s: error: %s\n", name, sl_error_text(rc));
        goto done;
    }
    FILE *f = !outp || strcmp(outp, "-") == 0 ? stdout : fopen(outp, "w");
    if (!f || fwrite(text, 1, text_len, f) != text_len || (f != stdout ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "%s: error: cannot write: %s\n", outp ? outp : "<stdout>", strerror(errno));
        goto done;
    }
    status = 0;
done:
    free(text);
    free(mem);
    free(bytes);
    return status;
}

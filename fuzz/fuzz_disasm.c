/* fuzz_disasm: an arbitrary byte string as an image, through the disassembler.
 *
 * Whatever sl_image_parse() accepts, sl_disasm() must print, never crash, both the image's own
 * code and (when the verifier accepts the image) the verifier's code with its .nc forms. The
 * text must be terminated and as long as it says. When the text assembles, the result is an
 * image the assembler produced, for which the disassembler promises an exact round trip:
 * disassembling it and assembling the text again gives the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "disasm.h"
#include "fuzz.h"
#include "vm.h"

enum { MAX_FOOTPRINT = 8 << 20 };

/* Disassembles img (with code when not NULL); returns the malloc'd text. */
static char *disasm(const SlImage *img, const SlInsn *code, size_t *len)
{
    char *text = NULL;
    *len = 0;
    int rc = sl_disasm(img, code, &text, len);
    CHECK(rc == 0 || rc == -SL_ENOMEM);
    if (rc < 0)
        return NULL;
    CHECK(text && strlen(text) == *len);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    uint8_t *bytes = malloc(size ? size : 1); /* exact size: reads past the end are caught */
    CHECK(bytes);
    if (size)
        memcpy(bytes, data, size);
    SlImage img;
    if (sl_image_parse(bytes, size, &img, err, sizeof err) < 0) {
        free(bytes);
        return 0;
    }

    size_t len = 0;
    char *text = disasm(&img, NULL, &len);
    if (text) {
        uint8_t *again = NULL;
        size_t again_len = 0;
        if (sl_asm_assemble(text, len, "fuzz.sla", 0, &again, &again_len, err, sizeof err) == 0) {
            SlImage img2;
            CHECK(sl_image_parse(again, again_len, &img2, err, sizeof err) == 0);
            size_t len2 = 0;
            char *text2 = disasm(&img2, NULL, &len2);
            uint8_t *third = NULL;
            size_t third_len = 0;
            CHECK(text2 && sl_asm_assemble(text2, len2, "fuzz2.sla", 0, &third, &third_len, err, sizeof err) == 0);
            CHECK(third_len == again_len && memcmp(third, again, again_len) == 0);
            free(third);
            free(text2);
            free(again);
        }
        free(text);
    }

    /* The verifier's code, as `sldis --verified` prints it. */
    size_t footprint = sl_vm_footprint(&img);
    if (footprint > 0 && footprint <= MAX_FOOTPRINT) {
        void *mem = malloc(footprint);
        CHECK(mem);
        SlVmConfig cfg = {.seed = 1, .packet_budget = 1000};
        SlVm *vm = NULL;
        if (sl_vm_create(mem, footprint, &img, &cfg, &vm, err, sizeof err) == 0) {
            uint32_t n = 0;
            const SlInsn *code = sl_vm_code(vm, &n);
            CHECK(n == img.code_count);
            free(disasm(&img, code, &len));
        }
        free(mem);
    }
    free(bytes);
    return 0;
}

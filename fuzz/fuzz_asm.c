/* fuzz_asm: arbitrary text through the assembler.
 *
 * sl_asm_assemble() must answer every input with an image or with diagnostics, never crash, and
 * never write past the error buffer it is given (ASan watches exactly-sized buffers). What it
 * produces must be a well-formed image with a correct content hash, and assembling the same text
 * with SL_ASM_STRIP must give exactly what stripping the full image gives. The disassembler's
 * promise is checked too: its text for an image the assembler produced, full or stripped,
 * assembles back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "disasm.h"
#include "fuzz.h"
#include "image_hash.h"
#include "vm.h"

enum { ERRCAP = 4096, SMALL_ERRCAP = 7 };

static const char fname[] = "fuzz.sla";

/* Assembles into an exactly-sized malloc'd error buffer of errcap bytes. */
static int assemble(const char *src, size_t len, int flags, uint8_t **out, size_t *out_len, char **err,
                    size_t errcap)
{
    *err = malloc(errcap);
    CHECK(*err);
    memset(*err, 'x', errcap);
    *out = NULL;
    *out_len = 0;
    int rc = sl_asm_assemble(src, len, fname, flags, out, out_len, *err, errcap);
    CHECK(rc == 0 || rc == -SL_ESYNTAX || rc == -SL_ENOMEM);
    CHECK(memchr(*err, 0, errcap)); /* terminated inside the buffer */
    if (rc == 0)
        CHECK(*out != NULL && *out_len >= SL_IMAGE_HEADER_SIZE);
    return rc;
}

/* Disassembles an assembled image and assembles the text again: the bytes must not change. */
static void roundtrip(const uint8_t *img, size_t len)
{
    char perr[256];
    SlImage parsed;
    CHECK(sl_image_parse(img, len, &parsed, perr, sizeof perr) == 0);
    char *text = NULL;
    size_t text_len = 0;
    CHECK(sl_disasm(&parsed, NULL, &text, &text_len) == 0);
    CHECK(text && strlen(text) == text_len);
    uint8_t *again = NULL;
    size_t again_len = 0;
    char *err = NULL;
    CHECK(assemble(text, text_len, 0, &again, &again_len, &err, ERRCAP) == 0);
    CHECK(again_len == len && memcmp(again, img, len) == 0);
    free(again);
    free(err);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, not terminated: the assembler must respect len. */
    char *src = malloc(size ? size : 1);
    CHECK(src);
    if (size)
        memcpy(src, data, size);

    uint8_t *img = NULL, *simg = NULL;
    size_t img_len = 0, simg_len = 0;
    char *err = NULL, *serr = NULL;
    int rc = assemble(src, size, 0, &img, &img_len, &err, ERRCAP);
    if (rc == -SL_ESYNTAX) {
        /* Diagnostics name the file: "fuzz.sla:LINE:COL: error: ..." */
        CHECK(strncmp(err, fname, sizeof fname - 1) == 0 && err[sizeof fname - 1] == ':');
        CHECK(strstr(err, ": error: ") != NULL);
        /* A tiny buffer gets a truncated, terminated message. */
        CHECK(assemble(src, size, 0, &simg, &simg_len, &serr, SMALL_ERRCAP) == rc);
        CHECK(strncmp(serr, err, SMALL_ERRCAP - 1) == 0);
    } else if (rc == 0) {
        char perr[256];
        SlImage parsed;
        CHECK(sl_image_parse(img, img_len, &parsed, perr, sizeof perr) == 0);
        CHECK(sl_image_hash_check(&parsed) == 0);

        /* Assembling stripped = stripping the assembled image. */
        CHECK(assemble(src, size, SL_ASM_STRIP, &simg, &simg_len, &serr, ERRCAP) == 0);
        size_t need = sl_image_strip(&parsed, NULL, 0);
        uint8_t *stripped = malloc(need);
        CHECK(stripped && sl_image_strip(&parsed, stripped, need) == need);
        CHECK(need == simg_len && memcmp(stripped, simg, need) == 0);
        free(stripped);

        roundtrip(img, img_len);
        roundtrip(simg, simg_len);
    }
    free(img);
    free(simg);
    free(err);
    free(serr);
    free(src);
    return 0;
}

/* Native code linked statically, as on a device: bench/router.sla translated by slaot into an
 * object (symbol prefix aot_router), linked into this program with libsluice.a. Runs generated
 * traffic through it and through the interpreter and compares everything; then checks that the
 * runtime refuses the object for another image.
 *
 *   linked_run ROUTER.sla OTHER.sla */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "native.h"
#include "vm.h"

extern const SlNative aot_router;
extern const uint8_t aot_router_hash[SL_IMAGE_HASH_SIZE];
void aot_router_entry(SlNativeCtx *ctx);

enum { BUF = SL_PKT_HEADROOM + SL_PKT_MAX };

static int load(const char *path, uint8_t **bytes, SlImage *img)
{
    size_t len, ilen;
    char err[4096];
    char *src = sl_file_read(path, &len);
    if (!src || sl_asm_assemble(src, len, path, 0, bytes, &ilen, err, sizeof err) ||
        sl_image_parse(*bytes, ilen, img, err, sizeof err)) {
        fprintf(stderr, "linked_run: %s: %s\n", path, src ? err : "cannot read");
        free(src);
        return -1;
    }
    free(src);
    return 0;
}

static SlVm *vm_new(const SlImage *img, void **mem)
{
    char err[512];
    size_t size = sl_vm_footprint(img);
    SlVm *vm = NULL;
    *mem = aligned_alloc(8, (size + 7) / 8 * 8);
    if (!*mem || sl_vm_create(*mem, size, img, NULL, &vm, err, sizeof err)) {
        fprintf(stderr, "linked_run: %s\n", err);
        exit(1);
    }
    return vm;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: linked_run ROUTER.sla OTHER.sla\n");
        return 2;
    }
    uint8_t *b1, *b2;
    SlImage img, other;
    if (load(argv[1], &b1, &img) || load(argv[2], &b2, &other))
        return 1;
    if (aot_router.entry != aot_router_entry || aot_router.hash != aot_router_hash ||
        memcmp(aot_router_hash, img.hash, SL_IMAGE_HASH_SIZE) || aot_router.abi != SL_NATIVE_ABI) {
        fprintf(stderr, "linked_run: the object's symbols do not describe the image\n");
        return 1;
    }
    void *m1, *m2, *m3;
    SlVm *vi = vm_new(&img, &m1), *va = vm_new(&img, &m2), *vo = vm_new(&other, &m3);
    uint8_t *bi = malloc(BUF), *ba = malloc(BUF);
    int ih = sl_image_find_handler(&img, SL_HANDLER_INIT, 0);
    int ph = sl_image_find_handler(&img, SL_HANDLER_PACKET, 0);
    SlResult ri, ra;
    uint64_t x = 12345;
    unsigned sent = 0, n = 3000;
    for (unsigned i = 0; i < n + 1; i++) {
        uint32_t len = 14 + (uint32_t)(x % 120);
        memset(bi, 0, BUF);
        for (uint32_t k = 0; k < len; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            bi[SL_PKT_HEADROOM + k] = (uint8_t)(x >> 56);
        }
        if (i % 3) { /* a plausible IPv4 header for most: EtherType, version/IHL, checksum */
            uint8_t *p = bi + SL_PKT_HEADROOM;
            p[12] = 8, p[13] = 0, p[14] = 0x45, p[16] = 0, p[17] = (uint8_t)(len - 14), p[22] = 64;
            p[24] = p[25] = 0;
            uint32_t s = 0;
            for (int k = 0; k < 20; k += 2)
                s += (uint32_t)(p[14 + k] << 8 | p[15 + k]);
            while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
            p[24] = (uint8_t)(~s >> 8), p[25] = (uint8_t)~s;
        }
        memcpy(ba, bi, BUF);
        /* the init handler first (on an empty packet), then n packets */
        int init = i == 0 && ih >= 0;
        SlPacket pi = {.buf = bi, .cap = BUF, .head = SL_PKT_HEADROOM, .len = init ? 0 : len};
        SlPacket pa = pi;
        pa.buf = ba;
        uint32_t h = (uint32_t)(init ? ih : ph);
        int r1 = sl_vm_run(vi, h, &pi, NULL, ~0ull, &ri);
        int r2 = sl_native_run(va, &aot_router, h, &pa, NULL, ~0ull, &ra);
        uint32_t s1, s2;
        const uint8_t *st1 = sl_vm_state(vi, &s1), *st2 = sl_vm_state(va, &s2);
        if (r1 || r2 || memcmp(&ri, &ra, sizeof ri) || memcmp(bi, ba, BUF) || memcmp(st1, st2, s1)) {
            fprintf(stderr, "linked_run: packet %u: interpreter and linked native code differ\n", i);
            return 1;
        }
        sent += ri.status == SL_RUN_DONE && ri.verdict == SL_VERDICT_SEND;
    }
    SlPacket p = {.buf = ba, .cap = BUF, .head = SL_PKT_HEADROOM, .len = 20};
    int rc = sl_native_run(vo, &aot_router, 0, &p, NULL, ~0ull, &ra);
    if (rc != -SL_EHASH) {
        fprintf(stderr, "linked_run: the runtime ran native code on another image (%d)\n", rc);
        return 1;
    }
    printf("linked_run: %u packets identical (%u sent), other image refused\n", n, sent);
    free(bi);
    free(ba);
    free(m1);
    free(m2);
    free(m3);
    free(b1);
    free(b2);
    return 0;
}

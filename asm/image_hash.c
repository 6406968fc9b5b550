/* The content hash (image_hash.h). The container is validated by sl_image_parse() first, so
 * the walk over section records below cannot run past the end. */
#include "image_hash.h"

#include <sodium.h>
#include <string.h>

#include "bytes.h"
#include "vm.h"

int sl_image_hash_compute(const uint8_t *bytes, size_t size, uint8_t *out)
{
    SlImage img;
    char err[128];
    int rc = sl_image_parse(bytes, size, &img, err, sizeof err);
    if (rc < 0)
        return rc;
    if (sodium_init() < 0)
        return -SL_ENOMEM;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SL_IMAGE_HASH_SIZE);
    crypto_generichash_update(&st, bytes, 8);
    const uint8_t *p = bytes + SL_IMAGE_HEADER_SIZE, *end = bytes + size;
    while (p < end) {
        size_t rec = 8 + (size_t)sl_le32(p + 4);
        if (p[0] < SL_SEC_DEBUG_FIRST)
            crypto_generichash_update(&st, p, rec);
        p += rec;
    }
    crypto_generichash_final(&st, out, SL_IMAGE_HASH_SIZE);
    return 0;
}

int sl_image_hash_check(const SlImage *img)
{
    uint8_t h[SL_IMAGE_HASH_SIZE];
    if (!img || !img->bytes || !img->hash)
        return -SL_EARG;
    int rc = sl_image_hash_compute(img->bytes, img->size, h);
    if (rc < 0)
        return rc;
    return memcmp(h, img->hash, SL_IMAGE_HASH_SIZE) == 0 ? 0 : -SL_EHASH;
}

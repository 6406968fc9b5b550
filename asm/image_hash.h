/* The image's content hash (hosted: libsodium). BLAKE2b-256, no key, over header bytes 0..8
 * followed by every non-debug section record (its 8-byte header and body) in file order, so
 * stripping debug info keeps the hash. */
#ifndef SLUICE_IMAGE_HASH_H
#define SLUICE_IMAGE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

/* Computes the hash of the image in bytes[0..size) into out (SL_IMAGE_HASH_SIZE bytes).
 * 0, or -SL_E* when the bytes are not a well-formed image (sl_image_parse's code). */
int sl_image_hash_compute(const uint8_t *bytes, size_t size, uint8_t *out);

/* 0 when the hash stored in a parsed image matches its contents, else -SL_EHASH. */
int sl_image_hash_check(const SlImage *img);

#endif

/* Uploaded pictures: decoded and encoded again (core/image.c, with
 * libjpeg-turbo, libpng and libwebp underneath).
 *
 * Input: the bytes of a file.
 * seeds: tests/fixtures/images tests/fuzz/corpus/image
 */
#include "fuzz.h"

#include "core/image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    image_t im, again;
    image_status st = image_reencode(data, size, &im);
    if (st != IMAGE_OK) {
        if (im.data || !*image_why(st, "id") || !*image_why(st, "en"))
            abort();
        return 0;
    }
    /* What we wrote is a picture of the kind we said, inside the caps, and
     * reads back. */
    const char *kind = image_sniff(im.data, im.len);
    if (!kind || strcmp(kind, im.mime) != 0 || !im.width || !im.height ||
        im.width > IMAGE_SIDE_MAX || im.height > IMAGE_SIDE_MAX ||
        (long)im.width * (long)im.height > IMAGE_PIXELS_MAX)
        abort();
    if (image_reencode(im.data, im.len, &again) != IMAGE_OK || again.width != im.width ||
        again.height != im.height)
        abort();
    image_free(&again);
    image_free(&im);
    return 0;
}

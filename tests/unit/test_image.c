/* core/image: real pictures come back clean, everything else is refused.
 * The fixtures are tests/fixtures/images/ (made by gen.c there); run from
 * the repository root, as tests/run-all.sh does. */
#include "core/image.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIXTURES "tests/fixtures/images/"

typedef struct {
    unsigned char *data;
    size_t len;
} blob;

static blob load(const char *name)
{
    char path[256];
    blob b = {0};
    snprintf(path, sizeof path, FIXTURES "%s", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    b.data = malloc((size_t)n);
    assert_non_null(b.data);
    assert_int_equal(fread(b.data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b.len = (size_t)n;
    return b;
}

/* The first place of needle[0..n) in hay[0..len), or NULL. */
static unsigned char *find(unsigned char *hay, size_t len, const void *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

static bool contains(const image_t *im, const void *needle, size_t n)
{
    return find(im->data, im->len, needle, n) != NULL;
}

/* Re-encodes a fixture; checks the result is itself a clean image of the
 * same kind and size that re-encodes again. */
static void roundtrip(const char *name, const char *mime, unsigned w, unsigned h)
{
    blob b = load(name);
    image_t im, again;
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_OK);
    assert_string_equal(im.mime, mime);
    assert_int_equal(im.width, w);
    assert_int_equal(im.height, h);
    assert_string_equal(image_sniff(im.data, im.len), mime);
    assert_int_equal(image_reencode(im.data, im.len, &again), IMAGE_OK);
    assert_int_equal(again.width, w);
    image_free(&again);
    image_free(&im);
    image_free(&im); /* twice: accepted */
    free(b.data);
}

static void every_kind_reencodes(void **state)
{
    (void)state;
    roundtrip("exif-gps.jpg", "image/jpeg", 64, 48);
    roundtrip("progressive.jpg", "image/jpeg", 64, 48);
    roundtrip("gray.jpg", "image/jpeg", 32, 32);
    roundtrip("cmyk.jpg", "image/jpeg", 16, 16);
    roundtrip("text.png", "image/png", 16, 16);
    roundtrip("palette-interlaced.png", "image/png", 8, 8);
    roundtrip("lossy.webp", "image/webp", 16, 16);
    roundtrip("alpha.webp", "image/webp", 16, 16);
}

/* The EXIF block with the GPS position, the camera and the comment with a
 * phone number are gone; only the orientation is written back. */
static void metadata_is_dropped(void **state)
{
    (void)state;
    blob b = load("exif-gps.jpg");
    static const unsigned char gps_tag[] = {0x88, 0x25},
                               orient6[] = {0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6};
    assert_non_null(find(b.data, b.len, "PhoneCam", 8));
    assert_non_null(find(b.data, b.len, "0812-3456-7890", 14));
    assert_non_null(find(b.data, b.len, gps_tag, 2));
    image_t im;
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_OK);
    assert_false(contains(&im, "PhoneCam", 8));
    assert_false(contains(&im, "0812", 4));
    assert_false(contains(&im, gps_tag, 2));
    assert_true(contains(&im, "Exif\0\0MM", 8));
    assert_true(contains(&im, orient6, sizeof orient6));
    image_free(&im);
    free(b.data);

    b = load("text.png");
    assert_non_null(find(b.data, b.len, "tEXt", 4));
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_OK);
    assert_false(contains(&im, "tEXt", 4));
    assert_false(contains(&im, "0812", 4));
    image_free(&im);
    free(b.data);

    /* Without an orientation, no EXIF block at all. */
    b = load("progressive.jpg");
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_OK);
    assert_false(contains(&im, "Exif", 4));
    image_free(&im);
    free(b.data);
}

static void not_images_are_refused(void **state)
{
    (void)state;
    image_t im;
    static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\n";
    assert_int_equal(image_reencode("", 0, &im), IMAGE_NOT_IMAGE);
    assert_int_equal(image_reencode("abc", 3, &im), IMAGE_NOT_IMAGE);
    assert_int_equal(image_reencode(pdf, sizeof pdf - 1, &im), IMAGE_NOT_IMAGE);
    assert_int_equal(image_reencode("GIF89a\1\0\1\0\0\0\0", 13, &im), IMAGE_NOT_IMAGE);
    assert_null(im.data);
    /* The first bytes of a JPEG and nothing else (issue #19: stored today). */
    assert_int_equal(image_reencode("\xff\xd8\xff", 3, &im), IMAGE_CORRUPT);
    static const char fake[] = "\xff\xd8\xff\xe0 <?php system($_GET['c']); ?>";
    assert_int_equal(image_reencode(fake, sizeof fake - 1, &im), IMAGE_CORRUPT);
    assert_int_equal(image_reencode("\x89PNG\r\n\x1a\n", 8, &im), IMAGE_CORRUPT);
    assert_int_equal(image_reencode("RIFF\0\0\0\0WEBP", 12, &im), IMAGE_CORRUPT);
    assert_null(im.data);
    /* Arithmetic-coded JPEG: valid, but no browser shows it, and it packs
     * far more pixels into a few bytes than any camera does. */
    blob b = load("arithmetic.jpg");
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_UNSUPPORTED);
    free(b.data);
    assert_null(image_sniff("\xff\xd8", 2));
    assert_string_equal(image_sniff("\xff\xd8\xff", 3), "image/jpeg");
}

/* Every cut of every fixture is refused (or, at worst, is still a whole
 * picture), and none crashes: the sanitizers watch. */
static void truncated_files_are_refused(void **state)
{
    (void)state;
    static const char *names[] = {"exif-gps.jpg", "progressive.jpg", "gray.jpg",
                                  "cmyk.jpg",     "text.png",        "palette-interlaced.png",
                                  "lossy.webp",   "alpha.webp"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        blob b = load(names[k]);
        size_t step = b.len > 400 ? b.len / 200 : 1;
        for (size_t cut = 1; cut < b.len; cut += step) {
            image_t im;
            image_status st = image_reencode(b.data, cut, &im);
            if (st == IMAGE_OK)
                print_error("%s cut at %zu of %zu was accepted\n", names[k], cut, b.len);
            assert_int_not_equal(st, IMAGE_OK);
            assert_null(im.data);
        }
        image_t im;
        assert_int_equal(image_reencode(b.data, b.len / 2, &im),
                         b.len / 2 >= 3 ? IMAGE_CORRUPT : IMAGE_NOT_IMAGE);
        free(b.data);
    }
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A few hundred bytes that claim a giant picture: refused from the header,
 * before any pixel is decoded. */
static void header_bombs_are_refused(void **state)
{
    (void)state;
    image_t im;
    /* JPEG: the SOF0 frame header says 60000 x 60000. */
    blob b = load("gray.jpg");
    unsigned char *sof = find(b.data, b.len, "\xff\xc0", 2);
    assert_non_null(sof);
    sof[5] = 60000 >> 8;
    sof[6] = 60000 & 0xff;
    sof[7] = 60000 >> 8;
    sof[8] = 60000 & 0xff;
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_TOO_LARGE);
    /* ... and 16000 x 16000: each side allowed, the pixels not. */
    sof[5] = sof[7] = 16000 >> 8;
    sof[6] = sof[8] = 16000 & 0xff;
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_TOO_LARGE);
    /* ... and 2000 x 2000: allowed sizes, but 4 MP cannot be in 697 bytes. */
    sof[5] = sof[7] = 2000 >> 8;
    sof[6] = sof[8] = 2000 & 0xff;
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_CORRUPT);
    free(b.data);
    /* What the fuzzer found: 202 bytes that cost seconds of decoding. */
    b = load("../../fuzz/corpus/image/slow-202-bytes.jpg");
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_CORRUPT);
    free(b.data);

    /* PNG: IHDR (with a correct CRC) of 16000 x 16000, then 20000 x 10. */
    b = load("text.png");
    unsigned char *ihdr = b.data + 12; /* "IHDR" after the signature and length */
    assert_memory_equal(ihdr, "IHDR", 4);
    put32(ihdr + 4, 16000);
    put32(ihdr + 8, 16000);
    put32(ihdr + 17, crc32_of(ihdr, 17));
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_TOO_LARGE);
    put32(ihdr + 4, 20000);
    put32(ihdr + 8, 10);
    put32(ihdr + 17, crc32_of(ihdr, 17));
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_TOO_LARGE);
    put32(ihdr + 4, 1000);
    put32(ihdr + 8, 1000);
    put32(ihdr + 17, crc32_of(ihdr, 17));
    assert_int_equal(image_reencode(b.data, b.len, &im), IMAGE_CORRUPT);
    free(b.data);

    /* WebP (VP8X extended header): a 16384 x 16384 canvas. */
    unsigned char vp8x[30] = "RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0";
    vp8x[20] = 0; /* no flags */
    vp8x[24] = vp8x[27] = 0xff;
    vp8x[25] = vp8x[28] = 0x3f; /* width-1 = height-1 = 16383 */
    assert_int_not_equal(image_reencode(vp8x, sizeof vp8x, &im), IMAGE_OK);
    /* An animated one (the sticker kind) is not a photo. */
    vp8x[20] = 0x02;
    vp8x[24] = vp8x[27] = 15;
    vp8x[25] = vp8x[28] = 0;
    assert_int_equal(image_reencode(vp8x, sizeof vp8x, &im), IMAGE_UNSUPPORTED);
    assert_null(im.data);

    /* Over the input cap: refused before decoding. */
    unsigned char *big = calloc(1, (size_t)IMAGE_BYTES_MAX + 1);
    assert_non_null(big);
    memcpy(big, "\xff\xd8\xff", 3);
    assert_int_equal(image_reencode(big, (size_t)IMAGE_BYTES_MAX + 1, &im), IMAGE_TOO_LARGE);
    free(big);
}

static void reasons_in_both_languages(void **state)
{
    (void)state;
    for (int st = IMAGE_OK; st <= IMAGE_NOMEM; st++) {
        assert_true(strlen(image_why((image_status)st, "id")) > 10);
        assert_true(strlen(image_why((image_status)st, "en")) > 10);
        assert_string_not_equal(image_why((image_status)st, "id"),
                                image_why((image_status)st, "en"));
        assert_true(strlen(image_code((image_status)st)) > 1);
    }
    assert_string_equal(image_why(IMAGE_NOT_IMAGE, "id"),
                        "Berkas ini bukan gambar JPEG, PNG atau WebP");
    assert_string_equal(image_why(IMAGE_NOT_IMAGE, NULL), image_why(IMAGE_NOT_IMAGE, "id"));
    assert_string_equal(image_code(IMAGE_TOO_LARGE), "too_large");
    assert_string_equal(image_code((image_status)99), "corrupt");
}

/* A thumbnail: a JPEG scaled by 1/2, 1/4 or 1/8 keeping the longer side at
 * least min_side, without its metadata; one that is small already stays
 * as big; PNG and WebP are left to the caller. */
static void thumbnails_scale_jpeg_only(void **state)
{
    (void)state;
    blob b = load("exif-gps.jpg");
    image_t full, small, same;
    assert_int_equal(image_reencode(b.data, b.len, &full), IMAGE_OK);
    assert_int_equal(image_thumbnail(b.data, b.len, 8, &small), IMAGE_OK);
    assert_string_equal(small.mime, "image/jpeg");
    unsigned side = full.width > full.height ? full.width : full.height;
    unsigned got = small.width > small.height ? small.width : small.height;
    assert_true(got < side && got >= 8);
    assert_true(got * 2 > 8 || got * 8 >= side); /* the most scaling that keeps 8 px */
    assert_false(contains(&small, "PhoneCam", 8));
    assert_int_equal(image_thumbnail(b.data, b.len, 100000, &same), IMAGE_OK);
    assert_int_equal(same.width, full.width);
    image_free(&full);
    image_free(&small);
    image_free(&same);
    free(b.data);
    blob p = load("text.png");
    assert_int_equal(image_thumbnail(p.data, p.len, 8, &small), IMAGE_UNSUPPORTED);
    assert_null(small.data);
    free(p.data);
    assert_int_equal(image_thumbnail("not an image", 12, 8, &small), IMAGE_NOT_IMAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_reencodes),       cmocka_unit_test(metadata_is_dropped),
        cmocka_unit_test(not_images_are_refused),     cmocka_unit_test(truncated_files_are_refused),
        cmocka_unit_test(header_bombs_are_refused),   cmocka_unit_test(reasons_in_both_languages),
        cmocka_unit_test(thumbnails_scale_jpeg_only),
    };
    return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}

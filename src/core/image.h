/* image: every uploaded picture is decoded and encoded again from its pixels.
 *
 * What is stored is then an image we produced ourselves: a file that is not
 * really a picture (a "JPEG" of three bytes, a script with a JPEG name) is
 * refused, and nothing but pixels travels on. EXIF (the camera, the time,
 * the GPS position of the officer's or the citizen's phone), XMP, IPTC,
 * comments, ICC profiles and PNG text chunks are all dropped; of the EXIF
 * block only the orientation is written back, so a portrait photo still
 * shows upright. JPEG stays JPEG, PNG stays PNG, WebP stays WebP.
 *
 * Decoders: Debian's libjpeg-turbo, libpng and libwebp. JPEG and
 * non-interlaced PNG are re-encoded a row at a time, so memory stays at a
 * few rows whatever the size; WebP and interlaced PNG need the whole
 * picture in memory and have a lower cap. */
#ifndef ADUAN_IMAGE_H
#define ADUAN_IMAGE_H

#include <stddef.h>

/* The largest picture accepted, in pixels: above every phone camera's
 * default mode (12-50 MP; WhatsApp's own photos are at most 4096 px a side)
 * and a bound on the work one upload can cause (here, on one core: 0.3 s
 * for a 12 MP photo, 2 s for 49 MP of noise). A header that claims more is
 * a decompression bomb or not a photo. */
#define IMAGE_PIXELS_MAX (50L * 1000 * 1000)
/* The largest side, in pixels: 16383 is WebP's own limit; a wider JPEG or
 * PNG is a banner or a bomb, not evidence. */
#define IMAGE_SIDE_MAX 16383
/* Pictures that must be decoded whole (WebP, interlaced PNG) are held at
 * 4 bytes a pixel: at most 8 MP, 32 MiB, so that a few uploads at once stay
 * inside the server's memory budget (DESIGN.md §7: 64 MiB). A larger WebP
 * is scaled down to it while decoding; a larger interlaced PNG (phones do
 * not make them) is refused. */
#define IMAGE_BUFFERED_PIXELS_MAX (8L * 1000 * 1000)
/* libjpeg's own working memory: a progressive JPEG keeps all its
 * coefficients, 3 bytes a pixel with the usual 4:2:0 colour (about 21 MP
 * in 64 MiB); a larger progressive one is refused. */
#define IMAGE_JPEG_MEMORY_MAX (64L * 1024 * 1024)
/* A progressive JPEG with more scans than this is a CPU bomb (cameras and
 * encoders write about 10; libjpeg-turbo's djpeg -maxscans advice). */
#define IMAGE_JPEG_SCANS_MAX 100
/* A file must hold at least one byte for every this many pixels it claims.
 * Photos and screenshots hold far more (a plain white 12 MP JPEG is about
 * 100 kB); a few hundred bytes that claim megapixels are a decompression
 * bomb: without this, each would cost the decoder a full picture's work
 * (seconds of CPU for 200 bytes, found by tests/fuzz). Refused as damaged. */
#define IMAGE_PIXELS_PER_BYTE 1000
/* Input size: five times Meta's 5 MB image limit, room for a photo sent "as
 * a document", uncompressed, from a 50 MP camera. */
#define IMAGE_BYTES_MAX (32L * 1024 * 1024)
/* Encoding quality of JPEG and WebP: visually the same as a phone's own. */
#define IMAGE_QUALITY 90

typedef enum {
    IMAGE_OK = 0,
    IMAGE_NOT_IMAGE,   /* not JPEG, PNG or WebP by its first bytes */
    IMAGE_CORRUPT,     /* the right first bytes, but truncated, damaged, or a
                        * bomb (IMAGE_PIXELS_PER_BYTE) */
    IMAGE_TOO_LARGE,   /* over IMAGE_PIXELS_MAX, IMAGE_SIDE_MAX, IMAGE_BYTES_MAX */
    IMAGE_UNSUPPORTED, /* an image we do not read: animated WebP, 12-bit or
                        * arithmetic-coded JPEG (no browser shows those) */
    IMAGE_NOMEM,
} image_status;

typedef struct {
    unsigned char *data; /* the new file (malloc; image_free) */
    size_t len;
    const char *mime; /* "image/jpeg", "image/png" or "image/webp" (static) */
    unsigned width, height;
} image_t;

/* The type named by the first bytes: "image/jpeg", "image/png",
 * "image/webp", or NULL. Says nothing about the rest of the file. */
const char *image_sniff(const void *data, size_t len);

/* Decodes data[0..len) and encodes it again, metadata dropped, into *out
 * (zeroed on failure). Never reads past len. Thread-safe. */
image_status image_reencode(const void *data, size_t len, image_t *out)
    __attribute__((warn_unused_result));

/* A smaller copy of a JPEG for a thumbnail: scaled down by 1/2, 1/4 or 1/8
 * (the most that keeps the longer side at least min_side pixels; the
 * picture itself when it is already small), metadata dropped as by
 * image_reencode. IMAGE_UNSUPPORTED for PNG and WebP (the caller serves the
 * picture as it is). Thread-safe. */
image_status image_thumbnail(const void *data, size_t len, unsigned min_side, image_t *out)
    __attribute__((warn_unused_result));

/* Releases out->data; accepts a zeroed image_t. */
void image_free(image_t *out);

/* Why a file was refused, for the person who sent it: Indonesian ("id")
 * or English ("en"). Never NULL. */
const char *image_why(image_status st, const char *lang);

/* A short stable code for logs and the API ("not_image", "corrupt", ...). */
const char *image_code(image_status st);

#endif

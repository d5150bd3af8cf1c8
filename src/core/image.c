/* image: decode and encode again, from pixels only (see image.h). */
#include "core/image.h"

/* jpeglib.h needs stdio.h and stddef.h before it. */
#include <stddef.h>
#include <stdio.h>

#include <jpeglib.h>
/* jpeglib.h first: jerror.h names its types. */
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The new file may be larger than the old (a well-optimised PNG written
 * with ordinary settings); twice the input cap bounds it. */
#define IMAGE_OUTPUT_MAX (2 * IMAGE_BYTES_MAX)
/* Ancillary PNG chunks are dropped unread; this bounds any other. */
#define PNG_CHUNK_MAX (1024 * 1024)

/* ---- a growing output buffer --------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} obuf;

/* 0, or -1 when out of memory or over IMAGE_OUTPUT_MAX. */
static int obuf_reserve(obuf *b, size_t more)
{
    if (more > IMAGE_OUTPUT_MAX || b->len > IMAGE_OUTPUT_MAX - more)
        return -1;
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static void finish(obuf *b, const char *mime, unsigned w, unsigned h, image_t *out)
{
    out->data = b->p;
    out->len = b->len;
    out->mime = mime;
    out->width = w;
    out->height = h;
    b->p = NULL;
}

/* Whether w x h pixels are plausible in len bytes (IMAGE_PIXELS_PER_BYTE). */
static bool plausible(unsigned long w, unsigned long h, size_t len)
{
    return w * h <= (unsigned long)len * IMAGE_PIXELS_PER_BYTE;
}

/* ---- sniffing -------------------------------------------------------------- */

const char *image_sniff(const void *data, size_t n)
{
    const unsigned char *b = data;
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}

/* ---- JPEG ------------------------------------------------------------------ */

typedef struct jctx jctx;

typedef struct {
    struct jpeg_error_mgr pub;
    jctx *x;
} jerr;

struct jctx {
    struct jpeg_decompress_struct d;
    struct jpeg_compress_struct c;
    jerr derr, cerr;
    struct jpeg_destination_mgr dest;
    struct jpeg_progress_mgr progress;
    bool d_made, c_made;
    image_status why; /* set before longjmp */
    jmp_buf jb;
    obuf out;
    JSAMPLE *row, *rgb; /* one decoded row; its RGB form for CMYK */
    unsigned min_side;  /* image_thumbnail: scale down while the longer side stays >= it */
};

static void j_error_exit(j_common_ptr ci)
{
    jerr *e = (jerr *)ci->err;
    switch (e->pub.msg_code) {
    case JERR_NO_BACKING_STORE:
    case JERR_OUT_OF_MEMORY:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
        e->x->why = IMAGE_TOO_LARGE;
        break;
    case JERR_BAD_PRECISION:
        e->x->why = IMAGE_UNSUPPORTED;
        break;
    default:
        if (e->x->why == IMAGE_OK)
            e->x->why = IMAGE_CORRUPT;
    }
    longjmp(e->x->jb, 1);
}

/* Warnings are not printed. A JPEG cut short, or whose coded data stops
 * before its last block, would decode with grey at the bottom and one
 * warning: that is a damaged file, refused at once (a few bytes claiming a
 * large picture would otherwise cost the whole decode). Other warnings
 * (stray bytes before a marker, which some phones write) are harmless. */
static void j_emit(j_common_ptr ci, int level)
{
    jerr *e = (jerr *)ci->err;
    if (level >= 0)
        return;
    e->pub.num_warnings++;
    if (e->pub.msg_code == JWRN_JPEG_EOF || e->pub.msg_code == JWRN_HIT_MARKER) {
        e->x->why = IMAGE_CORRUPT;
        longjmp(e->x->jb, 1);
    }
}

static void j_progress(j_common_ptr ci)
{
    if (!ci->is_decompressor)
        return;
    jerr *e = (jerr *)ci->err;
    if (((j_decompress_ptr)ci)->input_scan_number > IMAGE_JPEG_SCANS_MAX) {
        e->x->why = IMAGE_TOO_LARGE;
        longjmp(e->x->jb, 1);
    }
}

/* The destination: our own buffer, so that an error leaves nothing behind
 * that only libjpeg knows of. */
static void d_init(j_compress_ptr c)
{
    jctx *x = ((jerr *)c->err)->x;
    if (obuf_reserve(&x->out, 64 * 1024) != 0) {
        x->why = IMAGE_NOMEM;
        longjmp(x->jb, 1);
    }
    c->dest->next_output_byte = x->out.p;
    c->dest->free_in_buffer = x->out.cap;
}

static boolean d_empty(j_compress_ptr c)
{
    jctx *x = ((jerr *)c->err)->x;
    x->out.len = x->out.cap; /* a full buffer, by libjpeg's contract */
    if (obuf_reserve(&x->out, x->out.cap) != 0) {
        x->why = IMAGE_TOO_LARGE;
        longjmp(x->jb, 1);
    }
    c->dest->next_output_byte = x->out.p + x->out.len;
    c->dest->free_in_buffer = x->out.cap - x->out.len;
    return TRUE;
}

static void d_term(j_compress_ptr c)
{
    jctx *x = ((jerr *)c->err)->x;
    x->out.len = x->out.cap - c->dest->free_in_buffer;
}

static unsigned get16(const unsigned char *p, bool be)
{
    return be ? (unsigned)(p[0] << 8 | p[1]) : (unsigned)(p[1] << 8 | p[0]);
}

static uint32_t get32(const unsigned char *p, bool be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The EXIF orientation (1-8) of the first APP1 "Exif" block; 1 when there
 * is none or it cannot be read. Every offset is checked against the block. */
static unsigned exif_orientation(j_decompress_ptr d)
{
    for (jpeg_saved_marker_ptr m = d->marker_list; m; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 14 ||
            memcmp(m->data, "Exif\0\0", 6) != 0)
            continue;
        const unsigned char *t = m->data + 6;
        size_t n = m->data_length - 6;
        bool be = t[0] == 'M' && t[1] == 'M';
        if (!be && !(t[0] == 'I' && t[1] == 'I'))
            return 1;
        uint32_t ifd = get32(t + 4, be);
        if (get16(t + 2, be) != 42 || ifd > n - 2)
            return 1;
        unsigned count = get16(t + ifd, be);
        for (unsigned i = 0; i < count; i++) {
            size_t at = (size_t)ifd + 2 + (size_t)i * 12;
            if (at + 12 > n)
                return 1;
            if (get16(t + at, be) == 0x0112 && get16(t + at + 2, be) == 3) {
                unsigned v = get16(t + at + 8, be);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }
    return 1;
}

/* A minimal EXIF block holding only the orientation (big-endian TIFF). */
static void write_orientation(j_compress_ptr c, unsigned v)
{
    static const unsigned char head[] = {'E', 'x', 'i', 'f', 0,    0,    'M', 'M', 0, 42, 0, 0,
                                         0,   8,   0,   1,   0x01, 0x12, 0,   3,   0, 0,  0, 1};
    unsigned char b[sizeof head + 8];
    memcpy(b, head, sizeof head);
    unsigned char *p = b + sizeof head;
    p[0] = 0;
    p[1] = (unsigned char)v;
    memset(p + 2, 0, 6); /* value padding, then no next IFD */
    jpeg_write_marker(c, JPEG_APP0 + 1, b, sizeof b);
}

/* CMYK as Adobe writes it (inverted) or plainly, to RGB. */
static void cmyk_to_rgb(const JSAMPLE *in, JSAMPLE *out, unsigned w, bool adobe)
{
    for (unsigned i = 0; i < w; i++, in += 4, out += 3) {
        unsigned k = adobe ? in[3] : 255u - in[3];
        for (int j = 0; j < 3; j++) {
            unsigned v = adobe ? in[j] : 255u - in[j];
            out[j] = (JSAMPLE)(v * k / 255);
        }
    }
}

/* Everything that may longjmp back to jpeg_reencode. */
static image_status jpeg_run(jctx *x, const unsigned char *in, size_t len)
{
    j_decompress_ptr d = &x->d;
    j_compress_ptr c = &x->c;
    d->err = jpeg_std_error(&x->derr.pub);
    x->derr.pub.error_exit = j_error_exit;
    x->derr.pub.emit_message = j_emit;
    x->derr.x = x;
    jpeg_create_decompress(d);
    x->d_made = true;
    d->mem->max_memory_to_use = IMAGE_JPEG_MEMORY_MAX;
    x->progress.progress_monitor = j_progress;
    d->progress = &x->progress;
    jpeg_save_markers(d, JPEG_APP0 + 1, 0xffff);
    jpeg_mem_src(d, in, (unsigned long)len);
    if (jpeg_read_header(d, TRUE) != JPEG_HEADER_OK)
        return IMAGE_CORRUPT;
    if (d->image_width == 0 || d->image_height == 0)
        return IMAGE_CORRUPT;
    if (d->image_width > IMAGE_SIDE_MAX || d->image_height > IMAGE_SIDE_MAX ||
        (long)d->image_width * (long)d->image_height > IMAGE_PIXELS_MAX)
        return IMAGE_TOO_LARGE;
    if (!plausible(d->image_width, d->image_height, len))
        return IMAGE_CORRUPT;
    if (d->arith_code)
        return IMAGE_UNSUPPORTED;
    unsigned orientation = exif_orientation(d);
    bool cmyk = d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK;
    bool gray = d->jpeg_color_space == JCS_GRAYSCALE;
    d->out_color_space = cmyk ? JCS_CMYK : gray ? JCS_GRAYSCALE : JCS_RGB;
    /* A thumbnail: libjpeg's DCT scaling (1/2, 1/4, 1/8) decodes fewer
     * coefficients, so a small copy costs less than the full picture. */
    unsigned side = d->image_width > d->image_height ? d->image_width : d->image_height;
    for (unsigned denom = 8; x->min_side && denom > 1; denom /= 2)
        if (side / denom >= x->min_side) {
            d->scale_num = 1;
            d->scale_denom = denom;
            break;
        }
    jpeg_start_decompress(d);
    unsigned w = d->output_width, h = d->output_height;
    int comps = d->output_components;
    x->row = malloc((size_t)w * (size_t)comps);
    x->rgb = cmyk ? malloc((size_t)w * 3) : NULL;
    if (!x->row || (cmyk && !x->rgb))
        return IMAGE_NOMEM;

    c->err = jpeg_std_error(&x->cerr.pub);
    x->cerr.pub.error_exit = j_error_exit;
    x->cerr.x = x;
    jpeg_create_compress(c);
    x->c_made = true;
    x->dest.init_destination = d_init;
    x->dest.empty_output_buffer = d_empty;
    x->dest.term_destination = d_term;
    c->dest = &x->dest;
    c->image_width = w;
    c->image_height = h;
    c->input_components = gray ? 1 : 3;
    c->in_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, IMAGE_QUALITY, TRUE);
    jpeg_start_compress(c, TRUE);
    if (orientation != 1)
        write_orientation(c, orientation);
    while (d->output_scanline < h) {
        JSAMPROW r = x->row;
        if (jpeg_read_scanlines(d, &r, 1) != 1)
            return IMAGE_CORRUPT;
        if (cmyk) {
            cmyk_to_rgb(x->row, x->rgb, w, d->saw_Adobe_marker);
            r = x->rgb;
        }
        jpeg_write_scanlines(c, &r, 1);
    }
    jpeg_finish_decompress(d);
    jpeg_finish_compress(c);
    return IMAGE_OK;
}

static image_status jpeg_reencode(const unsigned char *in, size_t len, unsigned min_side,
                                  image_t *out)
{
    jctx *x = calloc(1, sizeof *x);
    image_status st;
    if (!x)
        return IMAGE_NOMEM;
    x->min_side = min_side;
    if (setjmp(x->jb) == 0)
        st = jpeg_run(x, in, len);
    else
        st = x->why != IMAGE_OK ? x->why : IMAGE_CORRUPT;
    if (st == IMAGE_OK)
        finish(&x->out, "image/jpeg", x->c.image_width, x->c.image_height, out);
    if (x->d_made)
        jpeg_destroy_decompress(&x->d);
    if (x->c_made)
        jpeg_destroy_compress(&x->c);
    free(x->row);
    free(x->rgb);
    free(x->out.p);
    free(x);
    return st;
}

/* ---- PNG ------------------------------------------------------------------- */

typedef struct {
    png_structp r, w;
    png_infop ri, wi;
    const unsigned char *in;
    size_t len, at;
    image_status why;
    jmp_buf jb;
    obuf out;
    png_bytep row;   /* one row (non-interlaced) */
    png_bytep img;   /* the whole picture (interlaced) */
    png_bytepp rows; /* into img */
} pctx;

static void p_error(png_structp p, png_const_charp msg)
{
    (void)msg;
    pctx *x = png_get_error_ptr(p);
    if (x->why == IMAGE_OK)
        x->why = IMAGE_CORRUPT;
    longjmp(x->jb, 1);
}

static void p_warn(png_structp p, png_const_charp msg)
{
    (void)p;
    (void)msg;
}

static void p_read(png_structp p, png_bytep data, size_t n)
{
    pctx *x = png_get_io_ptr(p);
    if (n > x->len - x->at) {
        x->why = IMAGE_CORRUPT; /* truncated */
        longjmp(x->jb, 1);
    }
    memcpy(data, x->in + x->at, n);
    x->at += n;
}

static void p_write(png_structp p, png_bytep data, size_t n)
{
    pctx *x = png_get_io_ptr(p);
    if (obuf_reserve(&x->out, n) != 0) {
        x->why = IMAGE_TOO_LARGE;
        longjmp(x->jb, 1);
    }
    memcpy(x->out.p + x->out.len, data, n);
    x->out.len += n;
}

static void p_flush(png_structp p) { (void)p; }

/* Every ancillary chunk but transparency: not read at all (text, EXIF,
 * ICC, times, ...). */
static void skip_ancillary(png_structp r)
{
    static const png_byte names[] = "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0"
                                    "sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
    png_set_keep_unknown_chunks(r, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(r, PNG_HANDLE_CHUNK_NEVER, names, (int)(sizeof names / 5));
}

static image_status png_run(pctx *x)
{
    x->r = png_create_read_struct(PNG_LIBPNG_VER_STRING, x, p_error, p_warn);
    x->w = png_create_write_struct(PNG_LIBPNG_VER_STRING, x, p_error, p_warn);
    if (!x->r || !x->w || !(x->ri = png_create_info_struct(x->r)) ||
        !(x->wi = png_create_info_struct(x->w)))
        return IMAGE_NOMEM;
    png_set_read_fn(x->r, x, p_read);
    png_set_write_fn(x->w, x, p_write, p_flush);
    png_set_chunk_cache_max(x->r, 128);
    png_set_chunk_malloc_max(x->r, PNG_CHUNK_MAX);
    skip_ancillary(x->r);
    png_read_info(x->r, x->ri);
    png_uint_32 w, h;
    int depth, type, interlace;
    png_get_IHDR(x->r, x->ri, &w, &h, &depth, &type, &interlace, NULL, NULL);
    if (w > IMAGE_SIDE_MAX || h > IMAGE_SIDE_MAX || (long)w * (long)h > IMAGE_PIXELS_MAX)
        return IMAGE_TOO_LARGE;
    if (!plausible(w, h, x->len))
        return IMAGE_CORRUPT;
    /* To 8-bit gray, gray+alpha, RGB or RGBA. */
    png_set_expand(x->r);
    png_set_strip_16(x->r);
    int passes = png_set_interlace_handling(x->r);
    png_read_update_info(x->r, x->ri);
    int channels = png_get_channels(x->r, x->ri);
    size_t rowbytes = png_get_rowbytes(x->r, x->ri);
    int out_type = channels == 1   ? PNG_COLOR_TYPE_GRAY
                   : channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
                   : channels == 3 ? PNG_COLOR_TYPE_RGB
                                   : PNG_COLOR_TYPE_RGB_ALPHA;
    if (rowbytes != (size_t)w * (size_t)channels)
        return IMAGE_UNSUPPORTED;
    png_set_IHDR(x->w, x->wi, w, h, 8, out_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(x->w, x->wi);
    if (passes > 1) {
        /* Interlaced: the passes fill the whole picture in turn. */
        if ((long)w * (long)h > IMAGE_BUFFERED_PIXELS_MAX)
            return IMAGE_TOO_LARGE;
        x->img = malloc(rowbytes * h);
        x->rows = malloc(sizeof *x->rows * h);
        if (!x->img || !x->rows)
            return IMAGE_NOMEM;
        for (png_uint_32 i = 0; i < h; i++)
            x->rows[i] = x->img + rowbytes * i;
        png_read_image(x->r, x->rows);
        png_write_image(x->w, x->rows);
    } else {
        x->row = malloc(rowbytes);
        if (!x->row)
            return IMAGE_NOMEM;
        for (png_uint_32 i = 0; i < h; i++) {
            png_read_row(x->r, x->row, NULL);
            png_write_row(x->w, x->row);
        }
    }
    png_read_end(x->r, NULL);
    png_write_end(x->w, NULL);
    return IMAGE_OK;
}

static image_status png_reencode(const unsigned char *in, size_t len, image_t *out)
{
    pctx *x = calloc(1, sizeof *x);
    image_status st;
    if (!x)
        return IMAGE_NOMEM;
    x->in = in;
    x->len = len;
    if (setjmp(x->jb) == 0)
        st = png_run(x);
    else
        st = x->why != IMAGE_OK ? x->why : IMAGE_CORRUPT;
    if (st == IMAGE_OK)
        finish(&x->out, "image/png", png_get_image_width(x->w, x->wi),
               png_get_image_height(x->w, x->wi), out);
    png_destroy_read_struct(&x->r, &x->ri, NULL);
    png_destroy_write_struct(&x->w, &x->wi);
    free(x->row);
    free(x->img);
    free(x->rows);
    free(x->out.p);
    free(x);
    return st;
}

/* ---- WebP ------------------------------------------------------------------ */

static image_status webp_reencode(const unsigned char *in, size_t len, image_t *out)
{
    WebPBitstreamFeatures f;
    VP8StatusCode vs = WebPGetFeatures(in, len, &f);
    if (vs == VP8_STATUS_UNSUPPORTED_FEATURE)
        return IMAGE_UNSUPPORTED;
    if (vs != VP8_STATUS_OK || f.width <= 0 || f.height <= 0)
        return IMAGE_CORRUPT;
    if (f.has_animation)
        return IMAGE_UNSUPPORTED; /* animated stickers are not evidence */
    long pixels = (long)f.width * (long)f.height;
    if (pixels > IMAGE_PIXELS_MAX)
        return IMAGE_TOO_LARGE;
    if (!plausible((unsigned long)f.width, (unsigned long)f.height, len))
        return IMAGE_CORRUPT;
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg))
        return IMAGE_UNSUPPORTED;
    int w = f.width, h = f.height;
    if (pixels > IMAGE_BUFFERED_PIXELS_MAX) {
        double k = sqrt((double)IMAGE_BUFFERED_PIXELS_MAX / (double)pixels);
        w = (int)(w * k);
        h = (int)(h * k);
        w = w < 1 ? 1 : w;
        h = h < 1 ? 1 : h;
        cfg.options.use_scaling = 1;
        cfg.options.scaled_width = w;
        cfg.options.scaled_height = h;
    }
    cfg.output.colorspace = f.has_alpha ? MODE_RGBA : MODE_RGB;
    vs = WebPDecode(in, len, &cfg);
    if (vs != VP8_STATUS_OK) {
        WebPFreeDecBuffer(&cfg.output);
        return vs == VP8_STATUS_OUT_OF_MEMORY ? IMAGE_NOMEM : IMAGE_CORRUPT;
    }
    uint8_t *enc = NULL;
    const WebPRGBABuffer *b = &cfg.output.u.RGBA;
    size_t n = f.has_alpha ? WebPEncodeRGBA(b->rgba, w, h, b->stride, IMAGE_QUALITY, &enc)
                           : WebPEncodeRGB(b->rgba, w, h, b->stride, IMAGE_QUALITY, &enc);
    WebPFreeDecBuffer(&cfg.output);
    image_status st = IMAGE_NOMEM;
    obuf o = {0};
    if (n > 0 && obuf_reserve(&o, n) == 0) {
        memcpy(o.p, enc, n);
        o.len = n;
        finish(&o, "image/webp", (unsigned)w, (unsigned)h, out);
        st = IMAGE_OK;
    } else if (n > 0) {
        st = IMAGE_TOO_LARGE;
    }
    WebPFree(enc);
    free(o.p);
    return st;
}

/* ---- the interface ----------------------------------------------------------- */

image_status image_reencode(const void *data, size_t len, image_t *out)
{
    memset(out, 0, sizeof *out);
    const char *type = image_sniff(data, len);
    if (!type)
        return IMAGE_NOT_IMAGE;
    if (len > IMAGE_BYTES_MAX)
        return IMAGE_TOO_LARGE;
    if (type[6] == 'j')
        return jpeg_reencode(data, len, 0, out);
    if (type[6] == 'p')
        return png_reencode(data, len, out);
    return webp_reencode(data, len, out);
}

image_status image_thumbnail(const void *data, size_t len, unsigned min_side, image_t *out)
{
    memset(out, 0, sizeof *out);
    const char *type = image_sniff(data, len);
    if (!type)
        return IMAGE_NOT_IMAGE;
    if (len > IMAGE_BYTES_MAX)
        return IMAGE_TOO_LARGE;
    if (type[6] != 'j')
        return IMAGE_UNSUPPORTED;
    return jpeg_reencode(data, len, min_side, out);
}

void image_free(image_t *out)
{
    if (!out)
        return;
    free(out->data);
    memset(out, 0, sizeof *out);
}

static const struct {
    const char *code, *id, *en;
} whys[] = {
    [IMAGE_OK] = {"ok", "Gambar dapat dibaca", "The image can be read"},
    [IMAGE_NOT_IMAGE] = {"not_image", "Berkas ini bukan gambar JPEG, PNG atau WebP",
                         "The file is not a JPEG, PNG or WebP image"},
    [IMAGE_CORRUPT] = {"corrupt", "Gambar rusak atau terpotong; silakan kirim ulang",
                       "The image is damaged or cut short; please send it again"},
    [IMAGE_TOO_LARGE] = {"too_large",
                         "Gambar terlalu besar (paling besar 50 megapiksel dan 16383 piksel "
                         "per sisi)",
                         "The image is too large (at most 50 megapixels and 16383 pixels a side)"},
    [IMAGE_UNSUPPORTED] = {"unsupported",
                           "Jenis gambar ini tidak didukung (misalnya stiker bergerak); kirim "
                           "foto JPEG atau PNG",
                           "This kind of image is not supported (an animated sticker, for "
                           "example); send a JPEG or PNG photo"},
    [IMAGE_NOMEM] = {"no_memory", "Server kehabisan memori; coba lagi nanti",
                     "The server ran out of memory; try again later"},
};

const char *image_why(image_status st, const char *lang)
{
    if ((unsigned)st >= sizeof whys / sizeof whys[0])
        st = IMAGE_CORRUPT;
    return lang && strcmp(lang, "en") == 0 ? whys[st].en : whys[st].id;
}

const char *image_code(image_status st)
{
    if ((unsigned)st >= sizeof whys / sizeof whys[0])
        return "corrupt";
    return whys[st].code;
}

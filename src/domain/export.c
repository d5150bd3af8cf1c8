/* Cases as CSV, a batch at a time (see export.h). */
#include "domain/export.h"
#include "domain/lapor.h"

#include "core/clock.h"
#include "core/ids.h"
#include "domain/cases.h"
#include "domain/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { C_TEXT, C_NUM, C_TIME } col_kind;

typedef enum {
    K_ID,
    K_CODE,
    K_CREATED,
    K_UPDATED,
    K_AGENCY,
    K_CATEGORY,
    K_CATEGORY_CODE,
    K_KIND,
    K_CHANNEL,
    K_CHANNEL_LABEL,
    K_STATUS,
    K_STATUS_LABEL,
    K_PRIORITY,
    K_KEC_CODE,
    K_KEC,
    K_TEAM,
    K_DESCRIPTION,
    K_LAT,
    K_LON,
    K_RAHASIA,
    K_ANONIM,
    K_LAPOR,
    K_FWD_FROM,
    K_FWD_TO,
    K_REP_NAME,
    K_REP_PHONE,
    K_REP_WA,
    K_ADDRESS,
    K_LAPOR_CLASS,
    K__COUNT
} col_key;

static const struct {
    const char *key, *label_id, *label_en;
    col_kind kind;
    bool personal, dflt;
} cols[K__COUNT] = {
    [K_ID] = {"id", "ID", "ID", C_NUM, false, true},
    [K_CODE] = {"tracking_code", "Kode pelacakan", "Tracking code", C_TEXT, false, true},
    [K_CREATED] = {"created_at", "Diterima", "Received", C_TIME, false, true},
    [K_UPDATED] = {"updated_at", "Diperbarui", "Updated", C_TIME, false, true},
    [K_AGENCY] = {"agency", "Instansi", "Agency", C_TEXT, false, true},
    [K_CATEGORY] = {"category", "Kategori", "Category", C_TEXT, false, true},
    [K_CATEGORY_CODE] = {"category_code", "Kode kategori", "Category code", C_TEXT, false, false},
    [K_KIND] = {"kind", "Jenis", "Kind", C_TEXT, false, false},
    [K_CHANNEL] = {"channel", "Kode kanal", "Channel code", C_TEXT, false, true},
    /* Issue 16 section 4: the channel by its name, to count cases per
     * channel ("Kanal pengaduan") in a spreadsheet. */
    [K_CHANNEL_LABEL] = {"channel_label", "Kanal pengaduan", "Complaint channel", C_TEXT, false,
                         true},
    [K_STATUS] = {"status", "Kode status", "Status code", C_TEXT, false, false},
    [K_STATUS_LABEL] = {"status_label", "Status", "Status", C_TEXT, false, true},
    [K_PRIORITY] = {"priority", "Prioritas", "Priority", C_TEXT, false, true},
    [K_KEC_CODE] = {"kecamatan_code", "Kode kecamatan", "Kecamatan code", C_TEXT, false, false},
    [K_KEC] = {"kecamatan", "Kecamatan", "Kecamatan", C_TEXT, false, true},
    [K_TEAM] = {"team", "Tim", "Team", C_TEXT, false, true},
    [K_DESCRIPTION] = {"description", "Uraian", "Description", C_TEXT, false, true},
    [K_LAT] = {"lat", "Lintang", "Latitude", C_NUM, false, false},
    [K_LON] = {"lon", "Bujur", "Longitude", C_NUM, false, false},
    [K_RAHASIA] = {"rahasia", "Rahasia", "Confidential", C_TEXT, false, false},
    [K_ANONIM] = {"anonim", "Anonim", "Anonymous", C_TEXT, false, false},
    [K_LAPOR] = {"lapor_tracking_id", "Nomor LAPOR!", "LAPOR! number", C_TEXT, false, false},
    [K_FWD_FROM] = {"forwarded_from", "Dialihkan dari", "Forwarded from", C_NUM, false, false},
    [K_FWD_TO] = {"forwarded_to", "Dialihkan ke", "Forwarded to", C_NUM, false, false},
    [K_REP_NAME] = {"reporter_name", "Nama pelapor", "Reporter name", C_TEXT, true, true},
    [K_REP_PHONE] = {"reporter_phone", "Telepon pelapor", "Reporter phone", C_TEXT, true, true},
    [K_REP_WA] = {"reporter_mobile", "WhatsApp pelapor", "Reporter WhatsApp", C_TEXT, true, false},
    [K_ADDRESS] = {"address", "Alamat", "Address", C_TEXT, true, true},
    [K_LAPOR_CLASS] = {"lapor_class", "Klasifikasi LAPOR!", "LAPOR! classification", C_TEXT, false,
                       false},
};

const char *export_col_keys(void)
{
    static char keys[512];
    if (!keys[0]) {
        size_t off = 0;
        for (int i = 0; i < K__COUNT; i++)
            off +=
                (size_t)snprintf(keys + off, sizeof keys - off, "%s%s", i ? "," : "", cols[i].key);
    }
    return keys;
}

int export_cols_parse(const char *spec, bool with_personal, export_cols *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec) {
        for (int i = 0; i < K__COUNT; i++)
            if (cols[i].dflt && (with_personal || !cols[i].personal))
                out->col[out->n++] = i;
        return 0;
    }
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int k = -1;
        for (int i = 0; i < K__COUNT; i++)
            if (strlen(cols[i].key) == len && strncmp(cols[i].key, p, len) == 0)
                k = i;
        if (k < 0) {
            *why = "columns: unknown column";
            return -1;
        }
        for (size_t j = 0; j < out->n; j++)
            if (out->col[j] == k) {
                *why = "columns: a column is named twice";
                return -1;
            }
        if (out->n == EXPORT_COLS_MAX) {
            *why = "columns: too many";
            return -1;
        }
        out->col[out->n++] = k;
        out->personal = out->personal || cols[k].personal;
        p += len;
        if (*p == ',')
            p++;
    }
    if (out->n == 0) {
        *why = "columns: empty list";
        return -1;
    }
    return 0;
}

size_t export_cell(char *out, const char *s, size_t len, bool defuse)
{
    size_t o = 0;
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r' || s[i] == ';';
    bool formula =
        defuse && len > 0 &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    quote = quote || formula || (len > 0 && (s[0] == ' ' || s[len - 1] == ' '));
    if (quote)
        out[o++] = '"';
    if (formula)
        out[o++] = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            out[o++] = '"';
        out[o++] = s[i];
    }
    if (quote)
        out[o++] = '"';
    return o;
}

struct export_run {
    store_t *s;
    store_case_filter f;
    export_cols cols;
    bool en;
    char *status, *q, *kecamatan; /* owned copies of the filter's text */
    arena_t *ar;                  /* the current batch */
    store_case *rows;
    size_t nrows, next;
    bool header_done, last_batch;
    int64_t written, max_id, last_id;
    char *out; /* CSV not yet handed out */
    size_t out_len, out_pos, out_cap;
};

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

export_run *export_start(store_t *s, const store_case_filter *f, const export_cols *c,
                         const char *lang)
{
    export_run *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->s = s;
    x->f = *f;
    x->cols = *c;
    x->en = lang && strcmp(lang, "en") == 0;
    x->status = dup_or_null(f->status);
    x->q = dup_or_null(f->q);
    x->kecamatan = dup_or_null(f->kecamatan_code);
    x->f.status = x->status;
    x->f.q = x->q;
    x->f.kecamatan_code = x->kecamatan;
    x->f.after_id = 0;
    x->f.before_id = 0;
    x->f.limit = EXPORT_BATCH;
    x->out_cap = 64 * 1024;
    x->out = malloc(x->out_cap);
    if (!x->out || (f->status && !x->status) || (f->q && !x->q) ||
        (f->kecamatan_code && !x->kecamatan)) {
        export_free(x);
        return NULL;
    }
    return x;
}

void export_free(export_run *x)
{
    if (!x)
        return;
    arena_destroy(x->ar);
    free(x->status);
    free(x->q);
    free(x->kecamatan);
    free(x->out);
    free(x);
}

int64_t export_rows(const export_run *x) { return x->written; }

double export_progress(const export_run *x)
{
    if (x->last_batch && x->next >= x->nrows)
        return 1.0;
    if (x->max_id <= 0 || x->last_id <= 0)
        return 0.0;
    return (double)(x->max_id - x->last_id) / (double)x->max_id;
}

static bool reserve(export_run *x, size_t more)
{
    if (x->out_len + more <= x->out_cap)
        return true;
    size_t cap = x->out_cap;
    while (cap < x->out_len + more)
        cap *= 2;
    char *p = realloc(x->out, cap);
    if (!p)
        return false;
    x->out = p;
    x->out_cap = cap;
    return true;
}

static bool put_cell(export_run *x, const char *s, bool defuse)
{
    size_t len = s ? strlen(s) : 0;
    if (!reserve(x, 2 * len + 8))
        return false;
    x->out_len += export_cell(x->out + x->out_len, s ? s : "", len, defuse);
    return true;
}

static bool put_raw(export_run *x, const char *s)
{
    size_t len = strlen(s);
    if (!reserve(x, len))
        return false;
    memcpy(x->out + x->out_len, s, len);
    x->out_len += len;
    return true;
}

static const char *yes_no(const export_run *x, bool v)
{
    return v ? (x->en ? "yes" : "ya") : (x->en ? "no" : "tidak");
}

static bool put_row(export_run *x, const store_case *c)
{
    char buf[64];
    for (size_t i = 0; i < x->cols.n; i++) {
        int k = x->cols.col[i];
        const char *v = NULL;
        buf[0] = '\0';
        if (i && !put_raw(x, ","))
            return false;
        switch ((col_key)k) {
        case K_ID:
            snprintf(buf, sizeof buf, "%lld", (long long)c->id);
            break;
        case K_CODE:
            if (c->tracking_code)
                ids_tracking_format(c->tracking_code, buf);
            break;
        case K_CREATED:
            clock_format(c->created_at, buf);
            break;
        case K_UPDATED:
            clock_format(c->updated_at, buf);
            break;
        case K_AGENCY:
            v = c->agency_name;
            break;
        case K_CATEGORY:
            v = x->en ? c->category_name_en : c->category_name_id;
            break;
        case K_CATEGORY_CODE:
            v = c->category_code;
            break;
        case K_KIND:
            v = c->kind;
            break;
        case K_CHANNEL:
            v = c->channel;
            break;
        case K_CHANNEL_LABEL:
            v = case_channel_label(c->channel, x->en ? "en" : "id");
            break;
        case K_STATUS:
            v = c->status;
            break;
        case K_STATUS_LABEL: {
            int st = status_parse(c->status);
            v = st >= 0 ? status_label((case_status_t)st, x->en ? "en" : "id") : c->status;
            break;
        }
        case K_PRIORITY:
            v = c->priority;
            break;
        case K_KEC_CODE:
            v = c->kecamatan_code;
            break;
        case K_KEC:
            v = c->kecamatan_name;
            break;
        case K_TEAM:
            v = c->team_name;
            break;
        case K_DESCRIPTION:
            v = c->description;
            break;
        case K_LAT:
            if (c->has_location)
                snprintf(buf, sizeof buf, "%.6f", c->lat);
            break;
        case K_LON:
            if (c->has_location)
                snprintf(buf, sizeof buf, "%.6f", c->lon);
            break;
        case K_RAHASIA:
            v = yes_no(x, c->rahasia);
            break;
        case K_ANONIM:
            v = yes_no(x, c->anonim);
            break;
        case K_LAPOR:
            v = c->lapor_tracking_id;
            break;
        case K_LAPOR_CLASS:
            v = lapor_class_label(c->lapor_class, x->en ? "en" : "id");
            break;
        case K_FWD_FROM:
            if (c->forwarded_from)
                snprintf(buf, sizeof buf, "%lld", (long long)c->forwarded_from);
            break;
        case K_FWD_TO:
            if (c->forwarded_to)
                snprintf(buf, sizeof buf, "%lld", (long long)c->forwarded_to);
            break;
        case K_REP_NAME:
            v = c->reporter_name;
            break;
        case K_REP_PHONE:
            v = c->reporter_phone;
            break;
        case K_REP_WA:
            v = c->reporter_mobile;
            break;
        case K_ADDRESS:
            v = c->address;
            break;
        case K__COUNT:
            break;
        }
        /* Our own numbers and times are written as they are; any text that
         * came from a person is defused. */
        if (!put_cell(x, v ? v : buf, v != NULL && cols[k].kind == C_TEXT))
            return false;
    }
    return put_raw(x, "\r\n");
}

static err_t next_batch(export_run *x)
{
    arena_destroy(x->ar);
    x->ar = arena_new();
    x->rows = NULL;
    x->nrows = x->next = 0;
    if (!x->ar)
        return ERR_NOMEM;
    err_t e = store_case_list(x->s, x->ar, &x->f, &x->rows, &x->nrows);
    if (e != ERR_OK)
        return e;
    if (x->nrows < x->f.limit)
        x->last_batch = true;
    if (x->nrows) {
        if (!x->max_id)
            x->max_id = x->rows[0].id;
        x->f.before_id = x->rows[x->nrows - 1].id;
    }
    return ERR_OK;
}

/* Refills the pending buffer; leaves it empty at the end. */
static err_t produce(export_run *x)
{
    x->out_len = x->out_pos = 0;
    if (!x->header_done) {
        x->header_done = true;
        if (!put_raw(x, "\xEF\xBB\xBF"))
            return ERR_NOMEM;
        for (size_t i = 0; i < x->cols.n; i++) {
            const int k = x->cols.col[i];
            if ((i && !put_raw(x, ",")) ||
                !put_cell(x, x->en ? cols[k].label_en : cols[k].label_id, false))
                return ERR_NOMEM;
        }
        return put_raw(x, "\r\n") ? ERR_OK : ERR_NOMEM;
    }
    while (x->out_len < 32 * 1024) {
        if (x->next >= x->nrows) {
            if (x->last_batch)
                break;
            err_t e = next_batch(x);
            if (e != ERR_OK)
                return e;
            continue;
        }
        const store_case *c = &x->rows[x->next++];
        if (!put_row(x, c))
            return ERR_NOMEM;
        x->written++;
        x->last_id = c->id;
    }
    return ERR_OK;
}

err_t export_read(export_run *x, char *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (x->out_pos == x->out_len) {
        err_t e = produce(x);
        if (e != ERR_OK)
            return e;
    }
    size_t k = x->out_len - x->out_pos;
    if (k > cap)
        k = cap;
    memcpy(buf, x->out + x->out_pos, k);
    x->out_pos += k;
    *n = k;
    return ERR_OK;
}

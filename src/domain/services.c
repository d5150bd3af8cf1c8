#include "domain/services.h"

#include "core/ids.h"
#include "core/secret.h"
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the demo catalog (DOMAIN.md §3) ------------------------------------------------ */

typedef struct {
    const char *name_id, *name_en, *accepts;
    bool mandatory;
    const char *help_id, *help_en;
} demo_doc;

static const struct {
    const char *code, *name_id, *name_en;
    int hours; /* target: one working day (Perpres 21/2023: 7.5 h) */
    demo_doc docs[5];
} demo[] = {
    {"ktp_el",
     "KTP-el baru/hilang/rusak",
     "KTP-el: new, lost or damaged",
     8,
     {{"Kartu Keluarga (KK)", "Family card (KK)", "both", true,
       "Foto seluruh halaman KK, jelas dan tidak terpotong.",
       "A photo of the whole KK, sharp and not cut off."},
      {"KTP-el yang rusak", "The damaged KTP-el", "photo", false,
       "Hanya bila KTP-el rusak: foto bagian depan.", "Only when it is damaged: the front side."},
      {"Surat keterangan hilang", "Loss report", "both", false,
       "Hanya bila KTP-el hilang, bila ada (dari kepolisian/desa).",
       "Only when it is lost, if you have one (police or village)."}}},
    {"kk",
     "KK perubahan data",
     "Family card: change of data",
     8,
     {{"KK lama", "The current KK", "both", true, "Foto seluruh halaman KK.",
       "A photo of the whole KK."},
      {"Dokumen dasar perubahan", "Document for the change", "both", true,
       "Mis. buku nikah, akta kelahiran, akta kematian, atau ijazah.",
       "E.g. marriage book, birth or death certificate, or diploma."},
      {"Formulir F-1.02", "Form F-1.02", "both", false, "Bila sudah diisi.",
       "If you have filled it in."}}},
    {"akta_kelahiran",
     "Akta kelahiran",
     "Birth certificate",
     8,
     {{"Surat keterangan kelahiran", "Birth statement", "both", true,
       "Dari rumah sakit, dokter, bidan, atau kepala desa.",
       "From the hospital, doctor, midwife or village head."},
      {"Buku nikah / akta perkawinan orang tua", "Parents' marriage book or certificate", "both",
       true, "Halaman yang memuat nama kedua orang tua.", "The page with both parents' names."},
      {"Kartu Keluarga (KK)", "Family card (KK)", "both", true, "Foto seluruh halaman KK.",
       "A photo of the whole KK."},
      {"SPTJM", "SPTJM statement", "both", false,
       "Hanya bila buku nikah tidak ada: surat pernyataan tanggung jawab mutlak.",
       "Only without a marriage book: the statement of full responsibility."}}},
    {"akta_kematian",
     "Akta kematian",
     "Death certificate",
     8,
     {{"Surat keterangan kematian", "Death statement", "both", true,
       "Dari dokter, rumah sakit, atau kepala desa/lurah.",
       "From the doctor, hospital or village head."},
      {"Kartu Keluarga (KK)", "Family card (KK)", "both", true, "KK almarhum/almarhumah.",
       "The family card of the deceased."},
      {"KTP-el almarhum/almarhumah", "KTP-el of the deceased", "photo", true, "Foto bagian depan.",
       "A photo of the front side."}}},
    {"kia",
     "Kartu Identitas Anak (KIA)",
     "Child ID card (KIA)",
     8,
     {{"Kartu Keluarga (KK)", "Family card (KK)", "both", true, "Foto seluruh halaman KK.",
       "A photo of the whole KK."},
      {"Akta kelahiran anak", "Child's birth certificate", "both", true, "", ""},
      {"Pas foto anak", "Child's photo", "photo", false,
       "Untuk anak usia 5 tahun ke atas: latar polos, wajah jelas.",
       "For children aged 5 and over: plain background, clear face."}}},
    {"pindah_datang",
     "Surat pindah (SKPWNI)",
     "Moving certificate (SKPWNI)",
     8,
     {{"Kartu Keluarga (KK)", "Family card (KK)", "both", true, "Foto seluruh halaman KK.",
       "A photo of the whole KK."},
      {"KTP-el", "KTP-el", "photo", true, "KTP-el yang pindah, bagian depan.",
       "The KTP-el of whoever moves, front side."},
      {"Formulir F-1.03", "Form F-1.03", "both", false, "Bila sudah diisi.",
       "If you have filled it in."}}},
};

err_t svc_seed_demo(store_t *s, int64_t agency_id)
{
    arena_t *ar = arena_new();
    store_category *k;
    size_t n = 0;
    if (!ar)
        return ERR_NOMEM;
    err_t e = store_category_list(s, ar, agency_id, &k, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        for (size_t d = 0; d < sizeof demo / sizeof demo[0]; d++) {
            if (strcmp(k[i].code, demo[d].code) != 0)
                continue;
            store_svc_doc docs[5];
            size_t nd = 0;
            for (; nd < 5 && demo[d].docs[nd].name_id; nd++)
                docs[nd] = (store_svc_doc){0,
                                           0,
                                           (int)nd + 1,
                                           demo[d].docs[nd].name_id,
                                           demo[d].docs[nd].name_en,
                                           demo[d].docs[nd].accepts,
                                           demo[d].docs[nd].mandatory,
                                           demo[d].docs[nd].help_id,
                                           demo[d].docs[nd].help_en,
                                           true};
            store_category c = k[i];
            c.name_id = demo[d].name_id;
            c.name_en = demo[d].name_en;
            c.sla_hours = demo[d].hours;
            e = store_svc_save(s, &c, docs, nd);
        }
    }
    arena_destroy(ar);
    return e;
}

/* ---- the operator's work --------------------------------------------------------------- */

static bool desk_role(int role)
{
    return role == ROLE_SUPERADMIN || role == ROLE_ADMIN || role == ROLE_SUPERVISOR;
}

err_t svc_open(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, store_case *c,
               store_svc_request *r, const char **detail)
{
    err_t e = store_case_get(s, ar, case_id, c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(a, c->agency_id);
    if (role < 0) {
        *detail = "this case belongs to another agency";
        return ERR_FORBIDDEN;
    }
    /* Identity documents: only the agency's desk sees them (UU PDP). */
    if (!desk_role(role)) {
        *detail = "only the agency's operators may see service requests";
        return ERR_FORBIDDEN;
    }
    e = store_svc_request_get(s, ar, case_id, r);
    if (e == ERR_NOT_FOUND)
        *detail = "the case is not a service request";
    return e;
}

/* A document of the request's service (retired ones included). */
static err_t find_doc(store_t *s, arena_t *ar, int64_t category_id, int64_t id, store_svc_doc *out)
{
    store_svc_doc *d;
    size_t n = 0;
    err_t e = store_svc_docs(s, ar, category_id, true, &d, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        if (d[i].id == id) {
            *out = d[i];
            return ERR_OK;
        }
    return e == ERR_OK ? ERR_NOT_FOUND : e;
}

err_t svc_verdict(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, int64_t document_id,
                  const char *verdict, const char *reason, int64_t now, const char **detail)
{
    store_case c;
    store_svc_request r;
    store_svc_doc d;
    err_t e = svc_open(s, ar, a, case_id, &c, &r, detail);
    if (e != ERR_OK)
        return e;
    if (!verdict || (strcmp(verdict, "accepted") != 0 && strcmp(verdict, "rejected") != 0)) {
        *detail = "verdict: expected accepted or rejected";
        return ERR_INVALID;
    }
    const char *p = NULL;
    size_t len = reason ? text_trim(reason, &p) : 0;
    const char *why = len ? arena_strndup(ar, p, len) : NULL;
    if (strcmp(verdict, "rejected") == 0 && !why) {
        *detail = "reason: required when a document is rejected";
        return ERR_INVALID;
    }
    if (why && text_utf8_len(why) > SVC_REASON_MAX) {
        _Static_assert(SVC_REASON_MAX == 300, "the catalogue (core/msg.c) says 300");
        *detail = "reason: at most 300 characters";
        return ERR_INVALID;
    }
    if (find_doc(s, ar, c.category_id, document_id, &d) != ERR_OK) {
        *detail = "document_id: not a document of this service";
        return ERR_INVALID;
    }
    if (strcmp(c.status, "submitted") != 0 && strcmp(c.status, "checking") != 0 &&
        strcmp(c.status, "incomplete") != 0) {
        *detail = "documents are checked only while the request is submitted, checking or "
                  "incomplete";
        return ERR_CONFLICT;
    }
    e = store_svc_verdict(s, case_id, c.status, document_id, verdict, why, a->user_id, now);
    if (e == ERR_CONFLICT)
        *detail = "the request changed meanwhile; reload and try again";
    return e;
}

err_t svc_request_more(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, int64_t now,
                       int64_t *event_id, const char **note, const char **detail)
{
    store_case c;
    store_svc_request r;
    store_svc_doc *d;
    store_svc_check *ck;
    store_svc_file *f;
    size_t nd = 0, nc = 0, nf = 0, nmissing = 0, nlines = 0;
    int64_t missing[SVC_DOCS_MAX];
    const transition_t *t;
    err_t e = svc_open(s, ar, a, case_id, &c, &r, detail);
    if (e != ERR_OK)
        return e;
    int st = status_parse(c.status);
    e = lifecycle_check(KIND_SERVICE, st < 0 ? ST_SUBMITTED : (case_status_t)st, ACT_INCOMPLETE,
                        (role_t)actor_role(a, c.agency_id), &t);
    if (e != ERR_OK) {
        *detail = e == ERR_CONFLICT ? "the request can be sent back only while submitted or "
                                      "checking"
                                    : "your role may not perform this action";
        return e;
    }
    e = store_svc_docs(s, ar, c.category_id, true, &d, &nd);
    if (e == ERR_OK)
        e = store_svc_checks(s, ar, case_id, &ck, &nc);
    if (e == ERR_OK)
        e = store_svc_files(s, ar, case_id, &f, &nf);
    if (e != ERR_OK)
        return e;
    char *text = arena_strdup(ar, "Mohon kirim ulang dokumen berikut lewat WhatsApp ini:");
    for (size_t i = 0; text && i < nd; i++) {
        const store_svc_check *v = NULL;
        bool has_file = false;
        for (size_t k = 0; k < nc; k++)
            if (ck[k].document_id == d[i].id)
                v = &ck[k];
        for (size_t k = 0; k < nf; k++)
            has_file |= f[k].document_id == d[i].id;
        const char *why = NULL;
        if (v && strcmp(v->verdict, "rejected") == 0) {
            why = v->reason ? v->reason : "ditolak";
        } else if (d[i].active && d[i].mandatory && !has_file && !v) {
            why = "belum dikirim";
            if (nmissing < SVC_DOCS_MAX)
                missing[nmissing++] = d[i].id;
        }
        if (why)
            text = arena_printf(ar, "%s\n%zu. %s: %s", text, ++nlines, d[i].name_id, why);
    }
    if (!text)
        return ERR_NOMEM;
    if (nlines == 0) {
        *detail = "nothing to send again: reject a document first";
        return ERR_INVALID;
    }
    *note = text;
    e = store_svc_request_more(
        s, case_id, c.status, a->user_id, text, missing, nmissing, "belum dikirim",
        arena_printf(ar, "svc_resend:%lld", (long long)case_id), now, event_id);
    if (e == ERR_CONFLICT)
        *detail = "the request changed meanwhile; reload and try again";
    return e;
}

/* A trailing %%EOF may be followed by a line end and, in the wild, a few
 * bytes of padding: look in the last kilobyte. */
#define PDF_TAIL 1024

static bool contains(const char *h, size_t hn, const char *n, size_t nn)
{
    for (size_t i = 0; hn >= nn && i <= hn - nn; i++)
        if (memcmp(h + i, n, nn) == 0)
            return true;
    return false;
}

err_t svc_pdf_check(const char *pdf, size_t len, const char **detail)
{
    if (len > SVC_PDF_MAX) {
        *detail = "the PDF is larger than the limit of 3 MiB";
        return ERR_TOO_LARGE;
    }
    if (len < 16 || memcmp(pdf, "%PDF-", 5) != 0) {
        *detail = "the file is not a PDF (it must start with %PDF-)";
        return ERR_INVALID;
    }
    size_t from = len > PDF_TAIL ? len - PDF_TAIL : 0;
    if (!contains(pdf + from, len - from, "%%EOF", 5)) {
        *detail = "the file is not a complete PDF (no %%EOF at its end)";
        return ERR_INVALID;
    }
    return ERR_OK;
}

/* Writes data into dir as name, atomically (a temporary file renamed);
 * *created says whether it was not there before. */
static err_t write_file(const char *dir, const char *name, const char *data, size_t len,
                        bool *created)
{
    char tmp[1024], dst[1024];
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    struct stat sb;
    *created = false;
    if (stat(dst, &sb) == 0 && (size_t)sb.st_size == len)
        return ERR_OK; /* named by content: already there */
    *created = true;
    snprintf(tmp, sizeof tmp, "%s/.issue-%s", dir, name);
    mkdir(dir, 0750);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return ERR_IO;
    bool ok = fwrite(data, 1, len, fp) == len;
    ok &= fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    ok &= fclose(fp) == 0;
    if (!ok || rename(tmp, dst) != 0) {
        unlink(tmp);
        return ERR_IO;
    }
    return ERR_OK;
}

const char *svc_issued_filename(arena_t *ar, const store_case *c)
{
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    return arena_printf(ar, "%s-%s.pdf", c->category_code ? c->category_code : "dokumen", shown);
}

err_t svc_issue(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, const char *pdf,
                size_t len, const char *media_dir, const svc_message *msg, int64_t now,
                int64_t *attachment_id, int64_t *outbox_id, const char **detail)
{
    store_case c;
    store_svc_request r;
    const transition_t *t;
    char hex[SECRET_DIGEST_BUF];
    err_t e = svc_open(s, ar, a, case_id, &c, &r, detail);
    if (e != ERR_OK)
        return e;
    int st = status_parse(c.status);
    e = lifecycle_check(KIND_SERVICE, st < 0 ? ST_SUBMITTED : (case_status_t)st, ACT_ISSUE,
                        (role_t)actor_role(a, c.agency_id), &t);
    if (e != ERR_OK) {
        *detail = e == ERR_CONFLICT ? "the document can be issued only while the request is "
                                      "processing"
                                    : "your role may not perform this action";
        return e;
    }
    e = svc_pdf_check(pdf, len, detail);
    if (e != ERR_OK)
        return e;
    if (!msg || !msg->message || !msg->template || !msg->filename)
        return ERR_NOMEM;
    const char *message = msg->message, *template = msg->template, *filename = msg->filename;
    secret_sha256_hex(pdf, len, hex);
    bool created = false;
    e = write_file(media_dir, hex, pdf, len, &created);
    if (e != ERR_OK) {
        *detail = "the file could not be stored";
        return e;
    }
    e = store_svc_issue(s, case_id, a->user_id, hex, (int64_t)len, filename, message, template,
                        "Dokumen terbit dan dikirim lewat WhatsApp", now, attachment_id, outbox_id);
    if (e == ERR_CONFLICT)
        *detail = "the request changed meanwhile; reload and try again";
    else if (e == ERR_NOT_FOUND)
        *detail = "the request has no WhatsApp number to send the document to";
    if (e != ERR_OK && created) {
        /* Nothing refers to the file: an official document with personal
         * data does not stay behind. */
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", media_dir, hex);
        unlink(path);
    }
    return e;
}

int64_t svc_work_seconds(const cal_t *cal, int64_t from, int64_t to)
{
    return to > from ? cal_working_between(cal, from, to) : 0;
}

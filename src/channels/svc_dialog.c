#include "channels/svc_dialog.h"

#include "channels/texts.h"
#include "core/ids.h"
#include "core/text.h"
#include "domain/nik.h"
#include "domain/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MIN 3
#define NAME_MAX 120

/* ---- messages ------------------------------------------------------------------ */

/* ---- the draft ------------------------------------------------------------------ */

static json_t *svc(dlg *v) { return dlg_draft_obj(v, "svc"); }

static const char *sget(dlg *v, const char *k) { return dlg_draft_str(v, "svc", k); }

static int64_t iget(dlg *v, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(svc(v), k));
}

static dlg_state done(dlg *v)
{
    json_object_del(v->draft, "svc");
    return DLG_IDLE;
}

static bool en(const dlg *v) { return strcmp(v->lang, "en") == 0; }

static const char *kind_text(dlg *v, const char *accepts)
{
    if (strcmp(accepts, "photo") == 0)
        return bot_text("svc_kind_photo", v->lang);
    if (strcmp(accepts, "pdf") == 0)
        return bot_text("svc_kind_pdf", v->lang);
    return bot_text("svc_kind_both", v->lang);
}

/* True when the message is a file of the kind the document accepts. */
static bool file_fits(const wa_event *ev, const char *accepts)
{
    if (!ev->media_id)
        return false;
    const char *mime = ev->media_mime ? ev->media_mime : "";
    bool photo = strcmp(ev->type, "image") == 0 ||
                 (strcmp(ev->type, "document") == 0 && strncmp(mime, "image/", 6) == 0);
    bool pdf = strcmp(ev->type, "document") == 0 && strcmp(mime, "application/pdf") == 0;
    if (strcmp(accepts, "photo") == 0)
        return photo;
    if (strcmp(accepts, "pdf") == 0)
        return pdf;
    return photo || pdf;
}

static bool is_file(const wa_event *ev)
{
    return ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "document"));
}

/* ---- a new request ----------------------------------------------------------------- */

static dlg_state start(dlg *v)
{
    const bot_in *in = v->in;
    store_category *k;
    size_t n = 0;
    dlg_choice rows[DLG_ROWS_MAX];
    int nr = 0;
    if (store_category_list(in->store, in->ar, in->agency->id, &k, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n && nr < DLG_ROWS_MAX; i++) {
        if (!k[i].active || strcmp(k[i].kind, "service") != 0)
            continue;
        char hours[16];
        snprintf(hours, sizeof hours, "%d", k[i].sla_hours);
        rows[nr++] = (dlg_choice){arena_printf(in->ar, "svc:%lld", (long long)k[i].id),
                                  en(v) ? k[i].name_en : k[i].name_id,
                                  bot_textf(in->ar, "svc_target", v->lang, "hours", hours, NULL)};
    }
    if (nr == 0) {
        dlg_say(v, bot_text("svc_none", v->lang));
        return done(v);
    }
    json_object_del(v->draft, "svc");
    dlg_list(v, bot_text("svc_choose", v->lang), bot_text("svc_choose_button", v->lang),
             bot_text("svc_choose_button", v->lang), rows, nr);
    return DLG_SVC_CHOOSE;
}

/* The service the citizen picked (a row id or its number in the list). */
static bool pick_service(dlg *v, store_category *out)
{
    const bot_in *in = v->in;
    const wa_event *ev = in->ev;
    store_category *k;
    size_t n = 0;
    long long want = 0;
    long pos = 0;
    if (ev->reply_id && strncmp(ev->reply_id, "svc:", 4) == 0)
        want = strtoll(ev->reply_id + 4, NULL, 10);
    else if (ev->text) {
        const char *p;
        size_t len = text_trim(ev->text, &p);
        pos = (len && len < 3) ? strtol(p, NULL, 10) : 0;
    }
    if (store_category_list(in->store, in->ar, in->agency->id, &k, &n) != ERR_OK)
        return false;
    long seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!k[i].active || strcmp(k[i].kind, "service") != 0)
            continue;
        seen++;
        if ((want && k[i].id == want) || (!want && pos == seen)) {
            *out = k[i];
            return true;
        }
    }
    return false;
}

static dlg_state ask_consent(dlg *v)
{
    char days[16];
    snprintf(days, sizeof days, "%u", v->in->svc_retention_days ? v->in->svc_retention_days : 30);
    dlg_choice c[] = {{"svc_consent:yes", bot_text("svc_consent_yes", v->lang), NULL},
                      {"svc_consent:no", bot_text("svc_consent_no", v->lang), NULL}};
    dlg_buttons(v,
                bot_textf(v->in->ar, "svc_consent", v->lang, "service", sget(v, "name"), "agency",
                          v->in->agency->name, "days", days, NULL),
                c, 2);
    return DLG_SVC_CONSENT;
}

/* The active documents of the chosen service. */
static err_t docs_of(dlg *v, int64_t category_id, store_svc_doc **d, size_t *n)
{
    return store_svc_docs(v->in->store, v->in->ar, category_id, false, d, n);
}

static dlg_state summary(dlg *v);

/* Asks for document i of the service, or shows the summary after the last. */
static dlg_state ask_doc(dlg *v)
{
    store_svc_doc *d;
    size_t n = 0;
    v->err = docs_of(v, iget(v, "cat"), &d, &n);
    if (v->err != ERR_OK)
        return DLG_SVC_DOC;
    size_t i = (size_t)iget(v, "i");
    if (i >= n)
        return summary(v);
    char no[24], total[24];
    snprintf(no, sizeof no, "%zu", i + 1);
    snprintf(total, sizeof total, "%zu", n);
    const char *help = en(v) ? d[i].help_en : d[i].help_id;
    const char *text = bot_textf(v->in->ar, "svc_ask_doc", v->lang, "n", no, "total", total,
                                 "document", en(v) ? d[i].name_en : d[i].name_id, "help",
                                 help ? help : "", "kind", kind_text(v, d[i].accepts), NULL);
    if (d[i].mandatory) {
        dlg_say(v, text);
    } else {
        dlg_choice c[] = {{"svc_skip", bot_text("svc_skip", v->lang), NULL}};
        dlg_buttons(v, arena_printf(v->in->ar, "%s\n%s", text, bot_text("svc_optional", v->lang)),
                    c, 1);
    }
    return DLG_SVC_DOC;
}

static dlg_state summary(dlg *v)
{
    arena_t *ar = v->in->ar;
    store_svc_doc *d;
    size_t n = 0;
    char masked[NIK_MASKED_BUF];
    if (docs_of(v, iget(v, "cat"), &d, &n) != ERR_OK)
        n = 0;
    const char *docs = "";
    json_t *files = json_object_get(svc(v), "files");
    for (size_t i = 0; i < n; i++) {
        bool sent = false;
        size_t k;
        json_t *f;
        json_array_foreach(files, k, f) sent |=
            json_integer_value(json_object_get(f, "doc")) == d[i].id;
        docs = arena_printf(ar, "%s%s- %s: %s", docs, *docs ? "\n" : "",
                            en(v) ? d[i].name_en : d[i].name_id,
                            bot_text(sent ? "svc_doc_sent" : "svc_doc_skipped", v->lang));
    }
    nik_mask(sget(v, "nik"), masked);
    dlg_choice c[] = {{"svc_confirm:send", bot_text("svc_send", v->lang), NULL},
                      {"svc_confirm:cancel", bot_text("svc_cancel", v->lang), NULL}};
    dlg_buttons(v,
                bot_textf(ar, "svc_summary", v->lang, "service", sget(v, "name"), "nik", masked,
                          "name", sget(v, "applicant"), "documents", docs, NULL),
                c, 2);
    return DLG_SVC_CONFIRM;
}

/* The document the dialogue is at; false when there is none. */
static bool current_doc(dlg *v, store_svc_doc *out)
{
    store_svc_doc *d;
    size_t n = 0;
    v->err = docs_of(v, iget(v, "cat"), &d, &n);
    size_t i = (size_t)iget(v, "i");
    if (v->err != ERR_OK || i >= n)
        return false;
    *out = d[i];
    return true;
}

static dlg_state on_doc(dlg *v)
{
    const wa_event *ev = v->in->ev;
    store_svc_doc d;
    if (!current_doc(v, &d))
        return v->err == ERR_OK ? summary(v) : DLG_SVC_DOC;
    const char *name = en(v) ? d.name_en : d.name_id;
    bool skip = (ev->reply_id && strcmp(ev->reply_id, "svc_skip") == 0) ||
                dlg_is_word(ev->text, "lewati", "skip");
    json_t *s = svc(v);
    if (is_file(ev)) {
        if (!file_fits(ev, d.accepts)) {
            dlg_say(v, bot_textf(v->in->ar, "svc_doc_wrong_type", v->lang, "document", name, "kind",
                                 kind_text(v, d.accepts), NULL));
            return DLG_SVC_DOC;
        }
        json_t *files = json_object_get(s, "files");
        if (!json_is_array(files)) {
            files = json_array();
            json_object_set_new(s, "files", files);
        }
        json_array_append_new(files,
                              json_pack("{s:I, s:s, s:s?, s:s?, s:s?}", "doc", (json_int_t)d.id,
                                        "id", ev->media_id, "mime", ev->media_mime, "sha256",
                                        ev->media_sha256, "filename", ev->media_filename));
    } else if (skip && !d.mandatory) {
        json_t *sk = json_object_get(s, "skipped");
        if (!json_is_array(sk)) {
            sk = json_array();
            json_object_set_new(s, "skipped", sk);
        }
        json_array_append_new(sk, json_integer((json_int_t)d.id));
    } else if (skip) {
        dlg_say(v, bot_textf(v->in->ar, "svc_doc_required", v->lang, "document", name, NULL));
        return DLG_SVC_DOC;
    } else {
        return ask_doc(v);
    }
    json_object_set_new(s, "i", json_integer(iget(v, "i") + 1));
    return ask_doc(v);
}

static dlg_state submit(dlg *v)
{
    const bot_in *in = v->in;
    store_dialog_effects *fx = v->fx;
    store_case *c = arena_alloc(in->ar, sizeof *c);
    store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
    store_category k;
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF], hours[16];
    if (!c || !x)
        return DLG_SVC_CONFIRM;
    memset(c, 0, sizeof *c);
    memset(x, 0, sizeof *x);
    int64_t cat = iget(v, "cat");
    if (store_category_get(in->store, in->ar, cat, &k) != ERR_OK || !k.active ||
        k.agency_id != in->agency->id) {
        dlg_say(v, bot_text("svc_none", v->lang));
        return done(v);
    }
    ids_tracking_new(code);
    ids_tracking_format(code, shown);
    c->agency_id = in->agency->id;
    c->category_id = cat;
    c->kind = "service";
    c->channel = bot_channel(in);
    c->status = "submitted";
    c->priority = "normal";
    /* No personal data here: the description may be shown beyond the desk. */
    c->description =
        arena_printf(in->ar, "Permohonan %s melalui %s", k.name_id, bot_channel_title(in));
    c->rahasia = true;
    c->tracking_code = arena_strdup(in->ar, code);
    c->created_at = in->now;
    x->nik = sget(v, "nik");
    if (in->svc_data_key && in->svc_data_key[0]) {
        char sealed[NIK_SEALED_BUF];
        if (!x->nik || nik_seal(in->svc_data_key, x->nik, sealed) != 0)
            return DLG_SVC_CONFIRM;
        x->nik = arena_strdup(in->ar, sealed);
    }
    x->applicant_name = sget(v, "applicant");
    x->consent_at = iget(v, "consent");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(svc(v), "files"), i, f)
    {
        if (x->nfiles >= STORE_SVC_FILES_MAX)
            break;
        x->files[x->nfiles].document_id = (int64_t)json_integer_value(json_object_get(f, "doc"));
        x->files[x->nfiles++].m =
            (store_media){arena_strdup(in->ar, json_string_value(json_object_get(f, "id"))),
                          arena_strdup(in->ar, json_string_value(json_object_get(f, "mime"))),
                          arena_strdup(in->ar, json_string_value(json_object_get(f, "sha256"))),
                          arena_strdup(in->ar, json_string_value(json_object_get(f, "filename")))};
    }
    json_array_foreach(json_object_get(svc(v), "skipped"), i, f)
    {
        if (x->nskipped < STORE_SVC_FILES_MAX)
            x->skipped[x->nskipped++] = (int64_t)json_integer_value(f);
    }
    fx->new_case = c;
    fx->svc = x;
    snprintf(hours, sizeof hours, "%d", k.sla_hours);
    dlg_say_for_case(v,
                     bot_textf(in->ar, "svc_submitted", v->lang, "service",
                               en(v) ? k.name_en : k.name_id, "code", shown, "hours", hours, NULL));
    return done(v);
}

/* ---- files asked again ----------------------------------------------------------- */

/* The documents of the request still marked rejected, in catalog order. */
static err_t wanted(dlg *v, int64_t case_id, int64_t category_id, store_svc_doc *want,
                    const char **reasons, size_t *n)
{
    store_svc_doc *d;
    store_svc_check *ck;
    size_t nd = 0, nc = 0;
    *n = 0;
    err_t e = store_svc_docs(v->in->store, v->in->ar, category_id, true, &d, &nd);
    if (e == ERR_OK)
        e = store_svc_checks(v->in->store, v->in->ar, case_id, &ck, &nc);
    for (size_t i = 0; e == ERR_OK && i < nd; i++)
        for (size_t k = 0; k < nc; k++)
            if (ck[k].document_id == d[i].id && strcmp(ck[k].verdict, "rejected") == 0 &&
                *n < STORE_SVC_FILES_MAX) {
                reasons[*n] = ck[k].reason ? ck[k].reason : "-";
                want[(*n)++] = d[i];
            }
    return e;
}

static void ask_again(dlg *v, const char *shown, const store_svc_doc *d, const char *reason)
{
    const char *help = en(v) ? d->help_en : d->help_id;
    dlg_say(v, bot_textf(v->in->ar, "svc_resend_ask", v->lang, "code", shown, "document",
                         en(v) ? d->name_en : d->name_id, "reason", reason, "help",
                         help ? help : "", "kind", kind_text(v, d->accepts), NULL));
}

static dlg_state on_resend(dlg *v)
{
    const bot_in *in = v->in;
    const wa_event *ev = in->ev;
    int64_t case_id = v->arg;
    store_case c;
    store_svc_doc want[STORE_SVC_FILES_MAX];
    const char *reasons[STORE_SVC_FILES_MAX];
    size_t n = 0;
    char shown[IDS_SHOWN_BUF];
    err_t ge = case_id > 0 ? store_case_get(in->store, in->ar, case_id, &c) : ERR_NOT_FOUND;
    if (ge == ERR_NOT_FOUND ||
        (ge == ERR_OK && (c.agency_id != in->agency->id || strcmp(c.status, "incomplete") != 0))) {
        dlg_say(v, bot_text("svc_resend_none", v->lang));
        return done(v);
    }
    if (ge == ERR_OK)
        ge = wanted(v, case_id, c.category_id, want, reasons, &n);
    if (ge != ERR_OK) {
        v->err = ge;
        return DLG_SVC_RESEND;
    }
    ids_tracking_format(c.tracking_code, shown);
    if (n == 0 && is_file(ev)) {
        /* Sent back without a document named: the file joins the request
         * for the operator to look at. */
        store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
        if (!x) {
            v->err = ERR_NOMEM;
            return DLG_SVC_RESEND;
        }
        memset(x, 0, sizeof *x);
        x->case_id = case_id;
        x->nfiles = 1;
        x->files[0].m =
            (store_media){ev->media_id, ev->media_mime, ev->media_sha256, ev->media_filename};
        v->fx->svc = x;
    }
    if (n == 0) {
        dlg_say(v, bot_textf(in->ar, "svc_resend_done", v->lang, "code", shown, NULL));
        return done(v);
    }
    if (!is_file(ev)) {
        ask_again(v, shown, &want[0], reasons[0]);
        return DLG_SVC_RESEND;
    }
    if (!file_fits(ev, want[0].accepts)) {
        dlg_say(v, bot_textf(in->ar, "svc_doc_wrong_type", v->lang, "document",
                             en(v) ? want[0].name_en : want[0].name_id, "kind",
                             kind_text(v, want[0].accepts), NULL));
        return DLG_SVC_RESEND;
    }
    store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
    if (!x) {
        v->err = ERR_NOMEM;
        return DLG_SVC_RESEND;
    }
    memset(x, 0, sizeof *x);
    x->case_id = case_id;
    x->nfiles = 1;
    x->files[0].document_id = want[0].id;
    x->files[0].m =
        (store_media){ev->media_id, ev->media_mime, ev->media_sha256, ev->media_filename};
    x->resubmitted = n == 1;
    v->fx->svc = x;
    if (n > 1) {
        ask_again(v, shown, &want[1], reasons[1]);
        return DLG_SVC_RESEND;
    }
    dlg_say(v, bot_textf(in->ar, "svc_resend_done", v->lang, "code", shown, NULL));
    return done(v);
}

dlg_state svc_idle_file(dlg *v)
{
    const bot_in *in = v->in;
    store_case *cs;
    size_t n = 0;
    if (!is_file(in->ev) || bot_cases_of(in, v->fx->address, 5, &cs, &n) != ERR_OK)
        return DLG_PASS;
    for (size_t i = 0; i < n; i++)
        if (strcmp(cs[i].status, "incomplete") == 0) {
            store_svc_request r;
            if (store_svc_request_get(in->store, in->ar, cs[i].id, &r) != ERR_OK)
                continue;
            v->arg = cs[i].id;
            return on_resend(v);
        }
    return DLG_PASS;
}

/* text with every digit shown as '*', for the message log. */
static const char *without_digits(arena_t *ar, const char *text)
{
    char *o = arena_strdup(ar, text);
    for (char *q = o; q && *q; q++)
        if (*q >= '0' && *q <= '9')
            *q = '*';
    return o;
}

/* ---- the answers ------------------------------------------------------------------ */

static dlg_state on_choose(dlg *v)
{
    store_category k;
    if (!pick_service(v, &k))
        return start(v);
    json_object_del(v->draft, "svc");
    json_t *s = svc(v);
    json_object_set_new(s, "cat", json_integer((json_int_t)k.id));
    json_object_set_new(s, "name", json_string(en(v) ? k.name_en : k.name_id));
    return ask_consent(v);
}

static dlg_state ask_nik(dlg *v)
{
    dlg_say(v, bot_text("svc_ask_nik", v->lang));
    return DLG_SVC_NIK;
}

static dlg_state on_consent(dlg *v)
{
    const wa_event *ev = v->in->ev;
    const char *id = ev->reply_id;
    if (!id && (dlg_is_word(ev->text, "ya", "yes") || dlg_is_word(ev->text, "setuju", "agree")))
        id = "svc_consent:yes";
    if (!id && (dlg_is_word(ev->text, "tidak", "no")))
        id = "svc_consent:no";
    if (id && strcmp(id, "svc_consent:yes") == 0) {
        json_object_set_new(svc(v), "consent", json_integer((json_int_t)v->in->now));
        return ask_nik(v);
    }
    if (id && strcmp(id, "svc_consent:no") == 0) {
        dlg_say(v, bot_text("svc_consent_refused", v->lang));
        return done(v);
    }
    return ask_consent(v);
}

static dlg_state ask_name(dlg *v)
{
    dlg_say(v, bot_text("svc_ask_name", v->lang));
    return DLG_SVC_NAME;
}

static dlg_state on_nik(dlg *v)
{
    const wa_event *ev = v->in->ev;
    char digits[NIK_LEN + 1], masked[NIK_MASKED_BUF];
    if (!ev->text || ev->reply_id)
        return ask_nik(v);
    nik_result r = nik_check(ev->text, strlen(ev->text), NULL, digits);
    /* The message log keeps what the citizen typed: never the NIK. */
    nik_mask(r == NIK_OK ? digits : NULL, masked);
    v->fx->msg_body = masked[0] ? arena_strdup(v->in->ar, masked) : NULL;
    if (r != NIK_OK) {
        dlg_say(v, bot_textf(v->in->ar, "svc_nik_wrong", v->lang, "reason", nik_reason(r, v->lang),
                             NULL));
        return DLG_SVC_NIK;
    }
    json_object_set_new(svc(v), "nik", json_string(digits));
    return ask_name(v);
}

static dlg_state on_name(dlg *v)
{
    const wa_event *ev = v->in->ev;
    const char *p;
    size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
    const char *name = len ? arena_strndup(v->in->ar, p, len) : NULL;
    size_t cps = name ? text_utf8_len(name) : 0;
    bool digits = false, letters = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        digits |= ch >= '0' && ch <= '9';
        letters |= (ch | 32) >= 'a' && (ch | 32) <= 'z';
        letters |= ch >= 0x80; /* a letter outside ASCII */
    }
    if (digits) {
        /* A NIK (or a number) typed where the name belongs: not a name,
         * and the message log keeps no digits of it. */
        v->fx->msg_body = without_digits(v->in->ar, ev->text);
        dlg_say(v, bot_text("svc_name_digits", v->lang));
        return DLG_SVC_NAME;
    }
    if (cps < NAME_MIN || cps > NAME_MAX || !letters) {
        dlg_say(v, bot_text("svc_name_bad", v->lang));
        return DLG_SVC_NAME;
    }
    json_object_set_new(svc(v), "applicant", json_string(name));
    json_object_set_new(svc(v), "i", json_integer(0));
    return ask_doc(v);
}

static dlg_state on_confirm(dlg *v)
{
    const wa_event *ev = v->in->ev;
    const char *id = ev->reply_id;
    if (!id && (dlg_is_word(ev->text, "kirim", "send") || dlg_is_word(ev->text, "ya", "yes")))
        id = "svc_confirm:send";
    if (id && strcmp(id, "svc_confirm:send") == 0)
        return submit(v);
    if (id && strcmp(id, "svc_confirm:cancel") == 0) {
        dlg_say(v, bot_text("svc_cancelled", v->lang));
        return done(v);
    }
    return summary(v);
}

static const dlg_step steps[] = {
    {DLG_SVC_CHOOSE, "svc_choose", start, on_choose, DLG_DRAFTING},
    {DLG_SVC_CONSENT, "svc_consent", ask_consent, on_consent, DLG_DRAFTING},
    {DLG_SVC_NIK, "svc_nik", ask_nik, on_nik, DLG_DRAFTING},
    {DLG_SVC_NAME, "svc_name", ask_name, on_name, DLG_DRAFTING},
    {DLG_SVC_DOC, "svc_doc", ask_doc, on_doc, DLG_DRAFTING},
    {DLG_SVC_CONFIRM, "svc_confirm", summary, on_confirm, DLG_DRAFTING},
    /* A request sent back, not one being composed. */
    {DLG_SVC_RESEND, "svc_resend:", NULL, on_resend, DLG_WITH_ID},
};
const dlg_part dlg_service = {"service", steps, sizeof steps / sizeof *steps};

/* ---- the issued document ------------------------------------------------------------- */

err_t svc_document(arena_t *ar, const char *filename, const char *service, const char *code,
                   const char *tlang, const char **message, const char **template)
{
    /* The resident's dialogue language is not known here: Indonesian first. */
    const char *caption =
        bot_textf(ar, "svc_issued_caption", "id", "service", service, "code", code, NULL);
    channel_msg doc = {.kind = CHANNEL_MSG_DOCUMENT,
                       .text = caption,
                       .media = SVC_MEDIA_PLACEHOLDER,
                       .filename = filename};
    const char *params[] = {service, code};
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = BOT_TEMPLATE_DOCUMENT,
                          .lang = tlang,
                          .params = params,
                          .nparams = 2,
                          .media = SVC_MEDIA_PLACEHOLDER,
                          .filename = filename};
    *message = filename ? channel_msg_json(ar, &doc) : NULL;
    *template = filename ? channel_msg_json(ar, &intent) : NULL;
    return *message && *template ? ERR_OK : ERR_NOMEM;
}

#include "channels/wa_service.h"

#include "channels/whatsapp/wa_text.h"
#include "core/ids.h"
#include "core/text.h"
#include "domain/nik.h"
#include "domain/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* WhatsApp's limits on interactive messages (CLOUD-API-NOTES.md §4). */
#define ROWS_MAX      10
#define ROW_TITLE_MAX 24
#define ROW_DESC_MAX  72
#define BODY_MAX      1024
#define NAME_MIN      3
#define NAME_MAX      120

/* ---- messages ------------------------------------------------------------------ */

static const char *dump(arena_t *ar, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    char *out = arena_strdup(ar, s);
    free(s);
    return out;
}

/* s cut to max code points (WhatsApp counts characters). */
static const char *cut(arena_t *ar, const char *s, size_t max)
{
    if (!s || text_utf8_len(s) <= max)
        return s;
    size_t bytes = 0, cps = 0;
    while (s[bytes] && cps < max - 1) {
        bytes++;
        while ((s[bytes] & 0xC0) == 0x80)
            bytes++;
        cps++;
    }
    return arena_printf(ar, "%.*s…", (int)bytes, s);
}

static void out(wa_svc *v, const char *payload, bool for_new_case)
{
    store_wa_effects *fx = v->fx;
    if (payload && fx->nout < STORE_WA_OUT_MAX)
        fx->out[fx->nout++] = (store_wa_out){"reply", payload, NULL, for_new_case};
}

static void say(wa_svc *v, const char *text)
{
    out(v, wa_msg_text(v->in->ar, v->fx->wa_id, cut(v->in->ar, text, 4000)), false);
}

static void buttons(wa_svc *v, const char *body, const char *const *ids, const char *const *titles,
                    int n)
{
    arena_t *ar = v->in->ar;
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id",
                                             ids[i], "title", cut(ar, titles[i], 20)));
    out(v,
        dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:o}}}", "messaging_product",
                           "whatsapp", "recipient_type", "individual", "to", v->fx->wa_id, "type",
                           "interactive", "interactive", "type", "button", "body", "text",
                           cut(ar, body, BODY_MAX), "action", "buttons", arr)),
        false);
}

static void list(wa_svc *v, const char *body, const char *button, json_t *rows)
{
    arena_t *ar = v->in->ar;
    out(v,
        dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:s, s:[{s:s, s:o}]}}}",
                           "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                           v->fx->wa_id, "type", "interactive", "interactive", "type", "list",
                           "body", "text", body, "action", "button", cut(ar, button, 20),
                           "sections", "title", cut(ar, button, 24), "rows", rows)),
        false);
}

/* ---- the draft ------------------------------------------------------------------ */

static json_t *svc(wa_svc *v)
{
    json_t *r = json_object_get(v->draft, "svc");
    if (!json_is_object(r)) {
        r = json_object();
        json_object_set_new(v->draft, "svc", r);
    }
    return r;
}

static const char *sget(wa_svc *v, const char *k)
{
    return arena_strdup(v->in->ar, json_string_value(json_object_get(svc(v), k)));
}

static int64_t iget(wa_svc *v, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(svc(v), k));
}

static const char *done(wa_svc *v)
{
    json_object_del(v->draft, "svc");
    return "idle";
}

static bool en(const wa_svc *v) { return strcmp(v->lang, "en") == 0; }

static bool is_word(const char *text, const char *a, const char *b)
{
    if (!text)
        return false;
    const char *p;
    size_t n = text_trim(text, &p);
    return (strlen(a) == n && strncasecmp(p, a, n) == 0) ||
           (b && strlen(b) == n && strncasecmp(p, b, n) == 0);
}

static const char *kind_text(wa_svc *v, const char *accepts)
{
    if (strcmp(accepts, "photo") == 0)
        return wa_text("svc_kind_photo", v->lang);
    if (strcmp(accepts, "pdf") == 0)
        return wa_text("svc_kind_pdf", v->lang);
    return wa_text("svc_kind_both", v->lang);
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

const char *wa_service_start(wa_svc *v)
{
    const wa_bot_in *in = v->in;
    store_category *k;
    size_t n = 0;
    json_t *rows = json_array();
    if (!rows)
        return "idle";
    if (store_category_list(in->store, in->ar, in->agency->id, &k, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n && json_array_size(rows) < ROWS_MAX; i++) {
        if (!k[i].active || strcmp(k[i].kind, "service") != 0)
            continue;
        char hours[16];
        snprintf(hours, sizeof hours, "%d", k[i].sla_hours);
        json_array_append_new(
            rows,
            json_pack("{s:s, s:s, s:s}", "id", arena_printf(in->ar, "svc:%lld", (long long)k[i].id),
                      "title", cut(in->ar, en(v) ? k[i].name_en : k[i].name_id, ROW_TITLE_MAX),
                      "description",
                      cut(in->ar, wa_textf(in->ar, "svc_target", v->lang, "hours", hours, NULL),
                          ROW_DESC_MAX)));
    }
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        say(v, wa_text("svc_none", v->lang));
        return done(v);
    }
    json_object_del(v->draft, "svc");
    list(v, wa_text("svc_choose", v->lang), wa_text("svc_choose_button", v->lang), rows);
    return "svc_choose";
}

/* The service the citizen picked (a row id or its number in the list). */
static bool pick_service(wa_svc *v, store_category *out)
{
    const wa_bot_in *in = v->in;
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

static void ask_consent(wa_svc *v)
{
    char days[16];
    snprintf(days, sizeof days, "%u", v->in->svc_retention_days ? v->in->svc_retention_days : 30);
    static const char *const ids[] = {"svc_consent:yes", "svc_consent:no"};
    const char *titles[] = {wa_text("svc_consent_yes", v->lang),
                            wa_text("svc_consent_no", v->lang)};
    buttons(v,
            wa_textf(v->in->ar, "svc_consent", v->lang, "service", sget(v, "name"), "agency",
                     v->in->agency->name, "days", days, NULL),
            ids, titles, 2);
}

/* The active documents of the chosen service. */
static err_t docs_of(wa_svc *v, int64_t category_id, store_svc_doc **d, size_t *n)
{
    return store_svc_docs(v->in->store, v->in->ar, category_id, false, d, n);
}

static const char *summary(wa_svc *v);

/* Asks for document i of the service, or shows the summary after the last. */
static const char *ask_doc(wa_svc *v, err_t *e)
{
    store_svc_doc *d;
    size_t n = 0;
    *e = docs_of(v, iget(v, "cat"), &d, &n);
    if (*e != ERR_OK)
        return "svc_doc";
    size_t i = (size_t)iget(v, "i");
    if (i >= n)
        return summary(v);
    char no[24], total[24];
    snprintf(no, sizeof no, "%zu", i + 1);
    snprintf(total, sizeof total, "%zu", n);
    const char *help = en(v) ? d[i].help_en : d[i].help_id;
    const char *text = wa_textf(v->in->ar, "svc_ask_doc", v->lang, "n", no, "total", total,
                                "document", en(v) ? d[i].name_en : d[i].name_id, "help",
                                help ? help : "", "kind", kind_text(v, d[i].accepts), NULL);
    if (d[i].mandatory) {
        say(v, text);
    } else {
        static const char *const ids[] = {"svc_skip"};
        const char *titles[] = {wa_text("svc_skip", v->lang)};
        buttons(v, arena_printf(v->in->ar, "%s\n%s", text, wa_text("svc_optional", v->lang)), ids,
                titles, 1);
    }
    return "svc_doc";
}

static const char *summary(wa_svc *v)
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
                            wa_text(sent ? "svc_doc_sent" : "svc_doc_skipped", v->lang));
    }
    nik_mask(sget(v, "nik"), masked);
    static const char *const ids[] = {"svc_confirm:send", "svc_confirm:cancel"};
    const char *titles[] = {wa_text("svc_send", v->lang), wa_text("svc_cancel", v->lang)};
    buttons(v,
            wa_textf(ar, "svc_summary", v->lang, "service", sget(v, "name"), "nik", masked, "name",
                     sget(v, "applicant"), "documents", docs, NULL),
            ids, titles, 2);
    return "svc_confirm";
}

/* The document the dialogue is at; false when there is none. */
static bool current_doc(wa_svc *v, store_svc_doc *out, err_t *e)
{
    store_svc_doc *d;
    size_t n = 0;
    *e = docs_of(v, iget(v, "cat"), &d, &n);
    size_t i = (size_t)iget(v, "i");
    if (*e != ERR_OK || i >= n)
        return false;
    *out = d[i];
    return true;
}

static const char *on_doc(wa_svc *v, err_t *e)
{
    const wa_event *ev = v->in->ev;
    store_svc_doc d;
    if (!current_doc(v, &d, e))
        return *e == ERR_OK ? summary(v) : "svc_doc";
    const char *name = en(v) ? d.name_en : d.name_id;
    bool skip = (ev->reply_id && strcmp(ev->reply_id, "svc_skip") == 0) ||
                is_word(ev->text, "lewati", "skip");
    json_t *s = svc(v);
    if (is_file(ev)) {
        if (!file_fits(ev, d.accepts)) {
            say(v, wa_textf(v->in->ar, "svc_doc_wrong_type", v->lang, "document", name, "kind",
                            kind_text(v, d.accepts), NULL));
            return "svc_doc";
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
        say(v, wa_textf(v->in->ar, "svc_doc_required", v->lang, "document", name, NULL));
        return "svc_doc";
    } else {
        return ask_doc(v, e);
    }
    json_object_set_new(s, "i", json_integer(iget(v, "i") + 1));
    return ask_doc(v, e);
}

static const char *submit(wa_svc *v)
{
    const wa_bot_in *in = v->in;
    store_wa_effects *fx = v->fx;
    store_case *c = arena_alloc(in->ar, sizeof *c);
    store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
    store_category k;
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF], hours[16];
    if (!c || !x)
        return "svc_confirm";
    memset(c, 0, sizeof *c);
    memset(x, 0, sizeof *x);
    int64_t cat = iget(v, "cat");
    if (store_category_get(in->store, in->ar, cat, &k) != ERR_OK || !k.active ||
        k.agency_id != in->agency->id) {
        say(v, wa_text("svc_none", v->lang));
        return done(v);
    }
    ids_tracking_new(code);
    ids_tracking_format(code, shown);
    c->agency_id = in->agency->id;
    c->category_id = cat;
    c->kind = "service";
    c->channel = "whatsapp";
    c->status = "submitted";
    c->priority = "normal";
    /* No personal data here: the description may be shown beyond the desk. */
    c->description = arena_printf(in->ar, "Permohonan %s melalui WhatsApp", k.name_id);
    c->rahasia = true;
    c->tracking_code = arena_strdup(in->ar, code);
    c->created_at = in->now;
    x->nik = sget(v, "nik");
    if (in->svc_data_key && in->svc_data_key[0]) {
        char sealed[NIK_SEALED_BUF];
        if (!x->nik || nik_seal(in->svc_data_key, x->nik, sealed) != 0)
            return "svc_confirm";
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
        x->files[x->nfiles++].m = (store_wa_media){
            arena_strdup(in->ar, json_string_value(json_object_get(f, "id"))),
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
    out(v,
        wa_msg_text(in->ar, fx->wa_id,
                    wa_textf(in->ar, "svc_submitted", v->lang, "service",
                             en(v) ? k.name_en : k.name_id, "code", shown, "hours", hours, NULL)),
        true);
    return done(v);
}

/* ---- files asked again ----------------------------------------------------------- */

/* The documents of the request still marked rejected, in catalog order. */
static err_t wanted(wa_svc *v, int64_t case_id, int64_t category_id, store_svc_doc *want,
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

static void ask_again(wa_svc *v, const char *shown, const store_svc_doc *d, const char *reason)
{
    const char *help = en(v) ? d->help_en : d->help_id;
    say(v, wa_textf(v->in->ar, "svc_resend_ask", v->lang, "code", shown, "document",
                    en(v) ? d->name_en : d->name_id, "reason", reason, "help", help ? help : "",
                    "kind", kind_text(v, d->accepts), NULL));
}

static const char *on_resend(wa_svc *v, const char *state, err_t *e)
{
    const wa_bot_in *in = v->in;
    const wa_event *ev = in->ev;
    int64_t case_id = strtoll(state + strlen(WA_SVC_RESEND), NULL, 10);
    store_case c;
    store_svc_doc want[STORE_SVC_FILES_MAX];
    const char *reasons[STORE_SVC_FILES_MAX];
    size_t n = 0;
    char shown[IDS_SHOWN_BUF];
    err_t ge = case_id > 0 ? store_case_get(in->store, in->ar, case_id, &c) : ERR_NOT_FOUND;
    if (ge == ERR_NOT_FOUND ||
        (ge == ERR_OK && (c.agency_id != in->agency->id || strcmp(c.status, "incomplete") != 0))) {
        say(v, wa_text("svc_resend_none", v->lang));
        return done(v);
    }
    if (ge == ERR_OK)
        ge = wanted(v, case_id, c.category_id, want, reasons, &n);
    if (ge != ERR_OK) {
        *e = ge;
        return state;
    }
    ids_tracking_format(c.tracking_code, shown);
    if (n == 0 && is_file(ev)) {
        /* Sent back without a document named: the file joins the request
         * for the operator to look at. */
        store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
        if (!x) {
            *e = ERR_NOMEM;
            return state;
        }
        memset(x, 0, sizeof *x);
        x->case_id = case_id;
        x->nfiles = 1;
        x->files[0].m =
            (store_wa_media){ev->media_id, ev->media_mime, ev->media_sha256, ev->media_filename};
        v->fx->svc = x;
    }
    if (n == 0) {
        say(v, wa_textf(in->ar, "svc_resend_done", v->lang, "code", shown, NULL));
        return done(v);
    }
    if (!is_file(ev)) {
        ask_again(v, shown, &want[0], reasons[0]);
        return state;
    }
    if (!file_fits(ev, want[0].accepts)) {
        say(v, wa_textf(in->ar, "svc_doc_wrong_type", v->lang, "document",
                        en(v) ? want[0].name_en : want[0].name_id, "kind",
                        kind_text(v, want[0].accepts), NULL));
        return state;
    }
    store_svc_effects *x = arena_alloc(in->ar, sizeof *x);
    if (!x) {
        *e = ERR_NOMEM;
        return state;
    }
    memset(x, 0, sizeof *x);
    x->case_id = case_id;
    x->nfiles = 1;
    x->files[0].document_id = want[0].id;
    x->files[0].m =
        (store_wa_media){ev->media_id, ev->media_mime, ev->media_sha256, ev->media_filename};
    x->resubmitted = n == 1;
    v->fx->svc = x;
    if (n > 1) {
        ask_again(v, shown, &want[1], reasons[1]);
        return state;
    }
    say(v, wa_textf(in->ar, "svc_resend_done", v->lang, "code", shown, NULL));
    return done(v);
}

const char *wa_service_idle_file(wa_svc *v, err_t *e)
{
    const wa_bot_in *in = v->in;
    store_case *cs;
    size_t n = 0;
    *e = ERR_OK;
    if (!is_file(in->ev) || store_case_list_for_wa(in->store, in->ar, in->agency->id, v->fx->wa_id,
                                                   5, &cs, &n) != ERR_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(cs[i].status, "incomplete") == 0) {
            store_svc_request r;
            if (store_svc_request_get(in->store, in->ar, cs[i].id, &r) != ERR_OK)
                continue;
            return on_resend(v, arena_printf(in->ar, "%s%lld", WA_SVC_RESEND, (long long)cs[i].id),
                             e);
        }
    return NULL;
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

/* ---- the dialogue ------------------------------------------------------------------ */

const char *wa_service_step(wa_svc *v, const char *state, err_t *e)
{
    const wa_bot_in *in = v->in;
    const wa_event *ev = in->ev;
    *e = ERR_OK;
    if (strncmp(state, WA_SVC_RESEND, strlen(WA_SVC_RESEND)) == 0)
        return on_resend(v, state, e);
    if (strcmp(state, "svc_choose") == 0) {
        store_category k;
        if (!pick_service(v, &k))
            return wa_service_start(v);
        json_object_del(v->draft, "svc");
        json_t *s = svc(v);
        json_object_set_new(s, "cat", json_integer((json_int_t)k.id));
        json_object_set_new(s, "name", json_string(en(v) ? k.name_en : k.name_id));
        ask_consent(v);
        return "svc_consent";
    }
    if (strcmp(state, "svc_consent") == 0) {
        const char *id = ev->reply_id;
        if (!id && (is_word(ev->text, "ya", "yes") || is_word(ev->text, "setuju", "agree")))
            id = "svc_consent:yes";
        if (!id && (is_word(ev->text, "tidak", "no")))
            id = "svc_consent:no";
        if (id && strcmp(id, "svc_consent:yes") == 0) {
            json_object_set_new(svc(v), "consent", json_integer((json_int_t)in->now));
            say(v, wa_text("svc_ask_nik", v->lang));
            return "svc_nik";
        }
        if (id && strcmp(id, "svc_consent:no") == 0) {
            say(v, wa_text("svc_consent_refused", v->lang));
            return done(v);
        }
        ask_consent(v);
        return state;
    }
    if (strcmp(state, "svc_nik") == 0) {
        char digits[NIK_LEN + 1], masked[NIK_MASKED_BUF];
        if (!ev->text || ev->reply_id) {
            say(v, wa_text("svc_ask_nik", v->lang));
            return state;
        }
        nik_result r = nik_check(ev->text, strlen(ev->text), NULL, digits);
        /* The message log keeps what the citizen typed: never the NIK. */
        nik_mask(r == NIK_OK ? digits : NULL, masked);
        v->fx->msg_body = masked[0] ? arena_strdup(in->ar, masked) : NULL;
        if (r != NIK_OK) {
            say(v,
                wa_textf(in->ar, "svc_nik_wrong", v->lang, "reason", nik_reason(r, v->lang), NULL));
            return state;
        }
        json_object_set_new(svc(v), "nik", json_string(digits));
        say(v, wa_text("svc_ask_name", v->lang));
        return "svc_name";
    }
    if (strcmp(state, "svc_name") == 0) {
        const char *p;
        size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
        const char *name = len ? arena_strndup(in->ar, p, len) : NULL;
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
            v->fx->msg_body = without_digits(in->ar, ev->text);
            say(v, wa_text("svc_name_digits", v->lang));
            return state;
        }
        if (cps < NAME_MIN || cps > NAME_MAX || !letters) {
            say(v, wa_text("svc_name_bad", v->lang));
            return state;
        }
        json_object_set_new(svc(v), "applicant", json_string(name));
        json_object_set_new(svc(v), "i", json_integer(0));
        return ask_doc(v, e);
    }
    if (strcmp(state, "svc_doc") == 0)
        return on_doc(v, e);
    if (strcmp(state, "svc_confirm") == 0) {
        const char *id = ev->reply_id;
        if (!id && (is_word(ev->text, "kirim", "send") || is_word(ev->text, "ya", "yes")))
            id = "svc_confirm:send";
        if (id && strcmp(id, "svc_confirm:send") == 0)
            return submit(v);
        if (id && strcmp(id, "svc_confirm:cancel") == 0) {
            say(v, wa_text("svc_cancelled", v->lang));
            return done(v);
        }
        return summary(v);
    }
    return wa_service_start(v);
}

/* ---- the issued document ------------------------------------------------------------- */

err_t wa_service_document(arena_t *ar, const char *wa_id, const char *filename, const char *service,
                          const char *code, const char *tlang, const char **payload,
                          const char **template)
{
    /* The resident's dialogue language is not known here: Indonesian first. */
    const char *caption =
        wa_textf(ar, "svc_issued_caption", "id", "service", service, "code", code, NULL);
    *payload = dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "messaging_product",
                                  "whatsapp", "recipient_type", "individual", "to", wa_id, "type",
                                  "document", "document", "id", SVC_MEDIA_PLACEHOLDER, "filename",
                                  filename, "caption", cut(ar, caption, 1024)));
    *template = dump(
        ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:[{s:s, s:[{s:s, s:{s:s, s:s}}]},"
                      " {s:s, s:[{s:s, s:s}, {s:s, s:s}]}]}}",
                      "messaging_product", "whatsapp", "recipient_type", "individual", "to", wa_id,
                      "type", "template", "template", "name", WA_TEMPLATE_DOCUMENT, "language",
                      "code", tlang, "components", "type", "header", "parameters", "type",
                      "document", "document", "id", SVC_MEDIA_PLACEHOLDER, "filename", filename,
                      "type", "body", "parameters", "type", "text", "text",
                      wa_template_value(ar, service), "type", "text", "text", code));
    return *payload && *template ? ERR_OK : ERR_NOMEM;
}

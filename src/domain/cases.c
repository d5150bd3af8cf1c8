#include "domain/cases.h"

#include "channels/channel.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/deadline.h"
#include "domain/lapor.h"
#include "domain/regions.h"

#include <math.h>
#include <string.h>

bool case_notifies(const store_case *c) { return c->notify_channel && c->notify_address; }

int actor_role(const actor_t *a, int64_t agency_id)
{
    int role = -1;
    for (size_t i = 0; i < a->nroles; i++) {
        int r = role_parse(a->roles[i].role);
        if (r == ROLE_SUPERADMIN && a->roles[i].agency_id == 0)
            return ROLE_SUPERADMIN;
        if (r >= 0 && a->roles[i].agency_id == agency_id)
            role = r;
    }
    return role;
}

bool actor_is_superadmin(const actor_t *a) { return actor_role(a, -1) == ROLE_SUPERADMIN; }

int64_t actor_single_agency(const actor_t *a)
{
    return (a->nroles == 1 && a->roles[0].agency_id != 0) ? a->roles[0].agency_id : 0;
}

/* A required text field: present, valid UTF-8 (checked by the JSON layer),
 * not blank, at most max code points. Returns the trimmed copy or NULL. */
static const char *need_text(arena_t *ar, const char *v, size_t max)
{
    if (!v)
        return NULL;
    const char *p;
    size_t n = text_trim(v, &p);
    if (n == 0)
        return NULL;
    char *t = arena_strndup(ar, p, n);
    if (!t || text_utf8_len(t) > max)
        return NULL;
    return t;
}

/* An optional text field: NULL stays NULL, blank becomes NULL, too long
 * sets *bad. */
static const char *opt_text(arena_t *ar, const char *v, size_t max, bool *bad)
{
    if (!v)
        return NULL;
    const char *p;
    size_t n = text_trim(v, &p);
    if (n == 0)
        return NULL;
    char *t = arena_strndup(ar, p, n);
    if (!t || text_utf8_len(t) > max) {
        *bad = true;
        return NULL;
    }
    return t;
}

/* What the reporter must be told when a step needs it (NEED_PUBLIC). */
static const char *public_needed(case_action_t a)
{
    switch (a) {
    case ACT_RESOLVE:
        return "public_note: required: the result of the work (hasil penanganan), which the "
               "reporter reads and confirms";
    case ACT_REJECT:
        return "public_note: required: the reason of the rejection, for the reporter";
    case ACT_HOLD:
        return "public_note: required: the question to the reporter";
    case ACT_INCOMPLETE:
        return "public_note: required: what the applicant still has to send";
    default:
        return "public_note: required: the message to the reporter";
    }
}

/* The two texts of a step (issue #13): the internal note (staff only) and
 * the message to the reporter (sent, and shown on the public page). */
static err_t check_notes(arena_t *ar, const transition_t *t, const case_action_req *req,
                         const char **note, const char **public_note, const char **detail)
{
    bool bad = false;
    *note = opt_text(ar, req->note, CASE_NOTE_MAX, &bad);
    if (bad) {
        *detail = "note: at most 2000 characters";
        return ERR_INVALID;
    }
    *public_note = opt_text(ar, req->public_note, CASE_NOTE_MAX, &bad);
    if (bad) {
        *detail = "public_note: at most 2000 characters";
        return ERR_INVALID;
    }
    if (*public_note && !t->is_public) {
        *detail = "public_note: this step is not told to the reporter; write an internal note";
        return ERR_INVALID;
    }
    if ((t->needs & NEED_PUBLIC) && !*public_note) {
        *detail = public_needed(t->action);
        return ERR_INVALID;
    }
    if ((t->needs & NEED_NOTE) && !*note && !*public_note) {
        *detail = "note: required for this action (the reason; or public_note, for the reporter)";
        return ERR_INVALID;
    }
    return ERR_OK;
}

static err_t check_needs(store_t *s, arena_t *ar, const store_case *c, const transition_t *t,
                         const case_action_req *req, store_case *copy, const char **detail)
{
    if (t->needs & NEED_TEAM) {
        store_team team;
        if (req->team_id <= 0) {
            *detail = "team_id: required for this action";
            return ERR_INVALID;
        }
        err_t e = store_team_get(s, ar, req->team_id, &team);
        if (e == ERR_NOT_FOUND || (e == ERR_OK && team.agency_id != c->agency_id)) {
            *detail = "team_id: not a team of this case's agency";
            return ERR_INVALID;
        }
        if (e != ERR_OK)
            return e;
        /* Re-dispatch (dispatched -> dispatched) moves the case to another
         * team; to the same team it would only add a meaningless event. */
        if (t->from == t->to && req->team_id == c->team_id) {
            *detail = "team_id: the case is already with this team";
            return ERR_INVALID;
        }
    }
    if (t->needs & NEED_AGENCY) {
        store_agency ag;
        if (req->target_agency_id <= 0) {
            *detail = "target_agency: required for this action";
            return ERR_INVALID;
        }
        if (req->target_agency_id == c->agency_id) {
            *detail = "target_agency: must be another agency";
            return ERR_INVALID;
        }
        err_t e = store_agency_get(s, ar, req->target_agency_id, &ag);
        if (e == ERR_NOT_FOUND) {
            *detail = "target_agency: unknown agency";
            return ERR_INVALID;
        }
        if (e != ERR_OK)
            return e;
        memset(copy, 0, sizeof *copy);
        copy->agency_id = ag.id;
        copy->kind = c->kind;
        if (req->target_category_id > 0) {
            store_category k;
            e = store_category_get(s, ar, req->target_category_id, &k);
            if (e == ERR_NOT_FOUND || (e == ERR_OK && (k.agency_id != ag.id || !k.active))) {
                *detail = "target_category: not an active category of the target agency";
                return ERR_INVALID;
            }
            if (e != ERR_OK)
                return e;
            copy->category_id = k.id;
            copy->kind = k.kind;
        }
        copy->status = status_name(lifecycle_initial((case_kind_t)kind_parse(copy->kind)));
    }
    return ERR_OK;
}

/* The SLA deadline follows every change of a case (issue #6). It is not
 * part of the change's transaction: if this fails, the scheduler finds
 * the case's deadline stale and computes it on its next tick. */
static void refresh_deadline(store_t *s, arena_t *ar, int64_t case_id)
{
    if (case_id && deadline_refresh(s, ar, case_id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)case_id);
}

err_t case_transition(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id,
                      const case_action_req *req, int64_t now, store_transition *out,
                      const char **detail)
{
    store_case c, copy;
    const transition_t *t = NULL;
    const char *note = NULL, *public_note = NULL;
    *detail = NULL;
    memset(out, 0, sizeof *out);
    int action = action_parse(req->action);
    if (action < 0) {
        *detail = "action: unknown action";
        return ERR_INVALID;
    }
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(actor, c.agency_id);
    if (role < 0) {
        *detail = "this case belongs to another agency";
        return ERR_FORBIDDEN;
    }
    int kind = kind_parse(c.kind), status = status_parse(c.status);
    if (kind < 0 || status < 0)
        return ERR_INTERNAL;
    e = lifecycle_check((case_kind_t)kind, (case_status_t)status, (case_action_t)action,
                        (role_t)role, &t);
    if (e == ERR_CONFLICT) {
        *detail = "the action is not allowed in the case's current status";
        return e;
    }
    if (e != ERR_OK) {
        *detail = "your role may not perform this action";
        return e;
    }
    /* A field officer acts only on the cases of a team they belong to. */
    if (role == ROLE_FIELD && (!c.team_id || store_team_has_member(s, c.team_id, actor->user_id))) {
        *detail = "only a member of the assigned team may do this";
        return ERR_FORBIDDEN;
    }
    e = check_notes(ar, t, req, &note, &public_note, detail);
    if (e == ERR_OK)
        e = check_needs(s, ar, &c, t, req, &copy, detail);
    if (e != ERR_OK)
        return e;
    out->case_id = case_id;
    out->expect_status = c.status;
    out->new_status = status_name(t->to);
    out->action = action_name(t->action);
    out->actor_id = actor->user_id;
    out->note = note;
    out->public_note = public_note;
    out->team_id = (t->needs & NEED_TEAM) ? req->team_id : 0;
    out->target_agency_id = (t->needs & NEED_AGENCY) ? req->target_agency_id : 0;
    out->is_public = t->is_public;
    out->now = now;
    out->forward_copy = (t->needs & NEED_AGENCY) ? &copy : NULL;
    e = store_case_transition(s, ar, out);
    out->forward_copy = NULL; /* points into this frame */
    if (e == ERR_OK) {
        refresh_deadline(s, ar, case_id);
        refresh_deadline(s, ar, out->new_case_id);
    }
    if (e == ERR_CONFLICT)
        *detail = "the case changed meanwhile; reload and try again";
    return e;
}

/* Sets the explanation and returns the error: one line at each check. */
static err_t refuse(const char **detail, err_t e, const char *why)
{
    *detail = why;
    return e;
}

static const struct {
    const char *name, *id, *en;
} channel_names[] = {
    {"whatsapp", "WhatsApp", "WhatsApp"},
    {"telegram", "Telegram", "Telegram"},
    {"email", "Email", "Email"},
    {"web", "Formulir web", "Web form"},
    {"open311", "Open311", "Open311"},
    {"walk_in", "Datang langsung", "Walk-in"},
    {"phone", "Telepon", "Phone"},
    {"forward", "Diteruskan instansi lain", "Forwarded by another agency"},
};

bool case_channel_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof channel_names / sizeof channel_names[0]; i++)
        if (!strcmp(name, channel_names[i].name))
            return true;
    return false;
}

const char *case_channel_label(const char *name, const char *lang)
{
    bool en = lang && !strcmp(lang, "en");
    for (size_t i = 0; name && i < sizeof channel_names / sizeof channel_names[0]; i++)
        if (!strcmp(name, channel_names[i].name))
            return en ? channel_names[i].en : channel_names[i].id;
    return name ? name : "-";
}

static const char *const channels[] = {"walk_in", "phone"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};

static bool one_of(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

static err_t check_create(store_t *s, arena_t *ar, const case_create_req *r, store_case *c,
                          store_reporter_in *rep, bool *has_rep, const char **detail)
{
    bool bad = false;
    c->description = need_text(ar, r->description, CASE_DESCRIPTION_MAX);
    if (!c->description)
        return refuse(detail, ERR_INVALID, "description: required, at most 4000 characters");
    c->channel = r->channel ? r->channel : "walk_in";
    if (!one_of(c->channel, channels, 2))
        return refuse(detail, ERR_INVALID, "channel: walk_in or phone");
    c->priority = r->priority ? r->priority : "normal";
    if (!one_of(c->priority, priorities, 4))
        return refuse(detail, ERR_INVALID, "priority: low, normal, high or urgent");
    if (r->has_location &&
        (!isfinite(r->lat) || !isfinite(r->lon) || fabs(r->lat) > 90 || fabs(r->lon) > 180))
        return refuse(detail, ERR_INVALID, "lat/lon: out of range");
    c->has_location = r->has_location;
    c->lat = r->lat;
    c->lon = r->lon;
    c->address = opt_text(ar, r->address, CASE_ADDRESS_MAX, &bad);
    if (bad)
        return refuse(detail, ERR_INVALID, "address: too long");
    char lapor[LAPOR_ID_BUF];
    const char *typed = opt_text(ar, r->lapor_tracking_id, 64, &bad);
    if (bad || (typed && lapor_normalize(typed, lapor) != 0))
        return refuse(detail, ERR_INVALID,
                      "lapor_tracking_id: a LAPOR! Tracking ID is a number, e.g. 1916449");
    c->lapor_tracking_id = typed ? arena_strdup(ar, lapor) : NULL;
    if (r->lapor_class && !lapor_class_valid(r->lapor_class))
        return refuse(detail, ERR_INVALID,
                      "lapor_class: pengaduan, aspirasi or permintaan_informasi");
    c->lapor_class = r->lapor_class;
    if (r->kecamatan_code) {
        err_t e = store_region_exists(s, r->kecamatan_code);
        if (e == ERR_NOT_FOUND)
            return refuse(detail, ERR_INVALID, "kecamatan_code: unknown code");
        if (e != ERR_OK)
            return e;
        c->kecamatan_code = r->kecamatan_code;
    } else if (c->has_location) {
        /* Located and no kecamatan chosen: the boundaries name it. */
        err_t e = region_locate(s, ar, c->lat, c->lon, &c->kecamatan_code);
        if (e != ERR_OK)
            return e;
    }
    c->rahasia = r->rahasia;
    c->anonim = r->anonim;
    memset(rep, 0, sizeof *rep);
    rep->name = opt_text(ar, r->reporter_name, CASE_NAME_MAX, &bad);
    if (bad)
        return refuse(detail, ERR_INVALID, "reporter.name: at most 120 characters");
    if (r->reporter_phone) {
        char norm[24];
        bool mobile = false;
        if (text_phone_normalize(r->reporter_phone, norm, sizeof norm, &mobile) != 0)
            return refuse(detail, ERR_INVALID, "reporter.phone: not a phone number");
        rep->phone = arena_strdup(ar, norm);
        /* A mobile number is the reporter's contact on the channel that
         * reaches mobile numbers: a later chat from the same number joins
         * the same reporter. */
        rep->mobile = mobile ? rep->phone : NULL;
        rep->channel = rep->mobile ? channel_for_mobile() : NULL;
        rep->address = rep->channel ? rep->mobile : NULL;
    }
    /* Updates at a mobile number only, and only when the reporter said
     * yes at the counter (UU PDP: consent, recorded). */
    if (r->notify_consent && !r->reporter_phone)
        return refuse(detail, ERR_INVALID,
                      "reporter.notify_consent: needs the reporter's mobile number (phone)");
    if (r->notify_consent && !rep->mobile)
        return refuse(detail, ERR_INVALID,
                      "reporter.notify_consent: the phone is not a mobile number, which "
                      "WhatsApp needs");
    *has_rep = rep->name || rep->phone;
    return ERR_OK;
}

err_t case_create(store_t *s, arena_t *ar, const actor_t *actor, const case_create_req *req,
                  int64_t now, store_case *out, const char **detail)
{
    store_case c;
    store_category k;
    store_reporter_in rep;
    bool has_rep = false;
    memset(&c, 0, sizeof c);
    *detail = NULL;
    int64_t agency = req->agency_id ? req->agency_id : actor_single_agency(actor);
    if (!agency) {
        *detail = "agency_id: required (you work in several agencies)";
        return ERR_INVALID;
    }
    int role = actor_role(actor, agency);
    if (role < 0 || !(role == ROLE_SUPERADMIN || role == ROLE_ADMIN || role == ROLE_SUPERVISOR)) {
        *detail = "only the agency's desk (admin, supervisor) may record reports";
        return ERR_FORBIDDEN;
    }
    if (req->category_id <= 0) {
        *detail = "category_id: required";
        return ERR_INVALID;
    }
    err_t e = store_category_get(s, ar, req->category_id, &k);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (k.agency_id != agency || !k.active))) {
        *detail = "category_id: not an active category of this agency";
        return ERR_INVALID;
    }
    if (e != ERR_OK)
        return e;
    e = check_create(s, ar, req, &c, &rep, &has_rep, detail);
    if (e != ERR_OK)
        return e;
    c.agency_id = agency;
    c.category_id = k.id;
    c.kind = k.kind;
    c.status = status_name(lifecycle_initial((case_kind_t)kind_parse(k.kind)));
    c.created_by = actor->user_id;
    c.created_at = now;
    c.notify_consent_at = req->notify_consent ? now : 0;
    /* Its updates go to the reporter's mobile number when they agreed. */
    if (req->notify_consent && rep.channel) {
        c.notify_channel = rep.channel;
        c.notify_address = rep.address;
    }
    e = store_case_open(s, ar, &c, has_rep ? &rep : NULL, NULL);
    if (e != ERR_OK)
        return e;
    refresh_deadline(s, ar, c.id);
    return store_case_get(s, ar, c.id, out);
}

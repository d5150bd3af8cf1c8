/* Outbound webhook subscriptions of an agency (issue 17 §2,
 * docs/WEBHOOKS.md): list, create, change, delete, resume, the delivery
 * log and "kirim ulang". The agency's admins and superadmins; only a
 * superadmin marks a subscription trusted (its deliveries then carry the
 * reporter's details). The secret is shown once, when it is made. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/netguard.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX         2000
#define SECRET_MIN      16
#define SECRET_MAX      200
#define DESCRIPTION_MAX 200

static const char *const TYPES[] = {
    "case.created",     "case.status_changed", "case.assigned",
    "case.note_public", "message.received",    "survey.submitted",
    "sla.breached",     "case.lapor_updated", /* issue 17 §3 (media) */
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static bool admin_of(const req_t *r, int64_t agency_id)
{
    int role = actor_role(&r->actor, agency_id);
    return role == ROLE_ADMIN || role == ROLE_SUPERADMIN;
}

static json_t *events_json(const char *list)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < NTYPES; i++) {
        size_t n = strlen(TYPES[i]);
        for (const char *p = list; p && *p;) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len == n && strncmp(p, TYPES[i], n) == 0)
                json_array_append_new(a, json_string(TYPES[i]));
            p = end ? end + 1 : NULL;
        }
    }
    return a;
}

static json_t *sub_json(const store_webhook *w)
{
    const char *state = !w->active ? "inactive" : w->paused_at ? "paused" : "active";
    return json_pack(
        "{s:I, s:I, s:s, s:o, s:s?, s:b, s:b, s:s, s:o, s:i, s:I, s:I, s:o, s:o}", "id",
        (json_int_t)w->id, "agency_id", (json_int_t)w->agency_id, "url", w->url, "events",
        events_json(w->events), "description", w->description, "active", w->active, "trusted",
        w->trusted, "state", state, "paused_at", json_time(w->paused_at), "consecutive_failures",
        w->consecutive_failures, "pending", (json_int_t)w->pending, "failed", (json_int_t)w->failed,
        "created_at", json_time(w->created_at), "updated_at", json_time(w->updated_at));
}

/* The subscription of {id}, when the user is an admin of its agency. */
static err_t sub_of_path(app_t *app, req_t *r, store_webhook *w)
{
    err_t e = store_webhook_get(app->store, r->ar, r->path_id, w);
    if (e == ERR_NOT_FOUND)
        return refuse(r, e, "no such webhook subscription");
    if (e == ERR_OK && !admin_of(r, w->agency_id))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this subscription's agency");
    return e;
}

err_t h_webhooks_list(app_t *app, req_t *r)
{
    int64_t agency = 0;
    err_t e = query_id(r, "agency", &agency);
    if (e != ERR_OK)
        return e;
    if (!agency && !actor_is_superadmin(&r->actor))
        agency = actor_single_agency(&r->actor);
    if (!agency && !actor_is_superadmin(&r->actor))
        return refuse(r, ERR_INVALID, "agency: required (you act in several agencies)");
    if (agency && !admin_of(r, agency))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this agency");
    store_webhook *v;
    size_t n;
    if ((e = store_webhook_list(app->store, r->ar, agency, &v, &n)) != ERR_OK)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, sub_json(&v[i]));
    json_t *types = json_array();
    for (size_t i = 0; types && i < NTYPES; i++)
        json_array_append_new(types, json_string(TYPES[i]));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "webhooks", a, "event_types", types));
}

/* url, secret, events, description, active and trusted from body over w
 * (those present); *made: the secret was generated (shown once). */
static err_t fields(req_t *r, json_t *body, store_webhook *w, bool creating, bool *made)
{
    const char *url = NULL, *secret = NULL, *desc = NULL;
    bool trusted = w->trusted;
    err_t e = jfield_str(r, body, "url", &url);
    if (e == ERR_OK)
        e = jfield_str(r, body, "secret", &secret);
    if (e == ERR_OK)
        e = jfield_str(r, body, "description", &desc);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "active", &w->active);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "trusted", &trusted);
    if (e != ERR_OK)
        return e;
    if (url || creating) {
        size_t n = url ? strlen(url) : 0;
        bool ok = url && n <= URL_MAX &&
                  (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
                  n > (url[4] == 's' ? 8u : 7u);
        for (size_t i = 0; ok && i < n; i++)
            ok = (unsigned char)url[i] > 0x20 && url[i] != 0x7f;
        if (!ok)
            return refuse(r, ERR_INVALID, "url: an http:// or https:// address (no spaces)");
        /* An address of the machine itself or its networks is refused
         * now, where the admin sees why; a name is checked at each
         * delivery, where it is connected to (core/netguard.h). */
        if (netguard_url_literal(url))
            return refuse(r, ERR_INVALID,
                          "url: a loopback, private, link-local or multicast address may not "
                          "receive webhooks (ADUAN_FETCH_ALLOW_PRIVATE=1 allows it)");
        w->url = url;
    }
    if (secret) {
        size_t n = strlen(secret);
        if (n < SECRET_MIN || n > SECRET_MAX)
            return refuse(r, ERR_INVALID, "secret: 16 to 200 characters (or none: one is made)");
        w->secret = secret;
    } else if (creating) {
        unsigned char raw[24];
        char *hex = arena_alloc(r->ar, 2 * sizeof raw + 1);
        if (!hex)
            return ERR_NOMEM;
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(hex, 2 * sizeof raw + 1, raw, sizeof raw);
        w->secret = hex;
        *made = true;
    }
    if (desc) {
        if (strlen(desc) > DESCRIPTION_MAX)
            return refuse(r, ERR_INVALID, "description: at most 200 characters");
        w->description = desc;
    }
    json_t *ev = json_object_get(body, "events");
    if (ev || creating) {
        if (!json_is_array(ev) || json_array_size(ev) == 0)
            return refuse(r, ERR_INVALID,
                          "events: a list of event types (GET /api/v1/webhooks "
                          "names them)");
        char *list = arena_strdup(r->ar, "");
        for (size_t i = 0; i < json_array_size(ev); i++) {
            const char *t = json_string_value(json_array_get(ev, i));
            size_t k = 0;
            while (t && k < NTYPES && strcmp(t, TYPES[k]) != 0)
                k++;
            if (!t || k == NTYPES)
                return refuse(r, ERR_INVALID,
                              arena_printf(r->ar, "events: unknown event type \"%s\"",
                                           t ? t : "(not a string)"));
            list = arena_printf(r->ar, "%s%s%s", list, list[0] ? "," : "", t);
        }
        w->events = list;
    }
    if (trusted != w->trusted && !actor_is_superadmin(&r->actor))
        return refuse(r, ERR_FORBIDDEN, "trusted: only a superadmin may change it");
    w->trusted = trusted;
    return ERR_OK;
}

static err_t saved(app_t *app, req_t *r, int64_t id, const char *secret, unsigned status)
{
    store_webhook w;
    err_t e = store_webhook_get(app->store, r->ar, id, &w);
    if (e != ERR_OK)
        return e;
    json_t *j = sub_json(&w);
    if (j && secret) /* shown this once */
        json_object_set_new(j, "secret", json_string(secret));
    return reply_json(r, status, j);
}

err_t h_webhook_create(app_t *app, req_t *r)
{
    json_t *body;
    store_webhook w = {.active = true};
    bool made = false;
    int64_t id = 0;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &w.agency_id);
    if (e != ERR_OK)
        return e;
    if (!w.agency_id)
        w.agency_id = actor_single_agency(&r->actor);
    if (!w.agency_id)
        return refuse(r, ERR_INVALID, "agency_id: required (you act in several agencies)");
    if (!admin_of(r, w.agency_id))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this agency");
    if ((e = fields(r, body, &w, true, &made)) != ERR_OK)
        return e;
    e = store_webhook_add(app->store, &w, clock_now(), &id);
    if (e == ERR_NOT_FOUND)
        return refuse(r, ERR_INVALID, "agency_id: unknown agency");
    if (e != ERR_OK)
        return e;
    log_info("webhooks", "event=subscription_added id=%lld agency_id=%lld by=%lld", (long long)id,
             (long long)w.agency_id, (long long)r->user.id);
    return saved(app, r, id, made ? w.secret : NULL, 201);
}

err_t h_webhook_update(app_t *app, req_t *r)
{
    json_t *body;
    store_webhook w;
    bool made = false;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = sub_of_path(app, r, &w);
    if (e == ERR_OK)
        e = fields(r, body, &w, false, &made);
    if (e == ERR_OK)
        e = store_webhook_update(app->store, &w, clock_now());
    return e == ERR_OK ? saved(app, r, w.id, NULL, 200) : e;
}

err_t h_webhook_delete(app_t *app, req_t *r)
{
    store_webhook w;
    err_t e = sub_of_path(app, r, &w);
    if (e == ERR_OK)
        e = store_webhook_delete(app->store, w.id);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)w.id, "deleted", true));
}

err_t h_webhook_resume(app_t *app, req_t *r)
{
    store_webhook w;
    err_t e = sub_of_path(app, r, &w);
    if (e == ERR_OK)
        e = store_webhook_resume(app->store, w.id, clock_now());
    return e == ERR_OK ? saved(app, r, w.id, NULL, 200) : e;
}

static json_t *delivery_json(const store_webhook_delivery *d)
{
    char did[32];
    snprintf(did, sizeof did, "whd_%lld", (long long)d->id);
    json_t *body = d->body ? json_loads(d->body, 0, NULL) : NULL;
    bool pending = strcmp(d->state, "pending") == 0;
    return json_pack("{s:I, s:s, s:I, s:s, s:o, s:s, s:i, s:o, s:o, s:s?, s:o, s:o, s:o, s:o}",
                     "id", (json_int_t)d->id, "delivery_id", did, "subscription_id",
                     (json_int_t)d->subscription_id, "type", d->event_type, "case_id",
                     id_or_null(d->case_id), "state", d->state, "attempts", d->attempts,
                     "last_status", d->last_status ? json_integer(d->last_status) : json_null(),
                     "next_attempt_at", pending ? json_time(d->next_attempt_at) : json_null(),
                     "last_error", d->last_error, "created_at", json_time(d->created_at),
                     "expires_at", json_time(d->expires_at), "delivered_at",
                     json_time(d->delivered_at), "body", body ? body : json_null());
}

err_t h_webhook_deliveries(app_t *app, req_t *r)
{
    store_webhook w;
    store_webhook_delivery *v;
    size_t n;
    err_t e = sub_of_path(app, r, &w);
    if (e == ERR_OK)
        e = store_webhook_deliveries(app->store, r->ar, w.id, STORE_WEBHOOK_DELIVERIES_MAX, &v, &n);
    if (e != ERR_OK)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, delivery_json(&v[i]));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "webhook", sub_json(&w), "deliveries", a));
}

err_t h_webhook_redeliver(app_t *app, req_t *r)
{
    store_webhook_delivery d;
    err_t e = store_webhook_delivery_get(app->store, r->ar, r->path_id, &d);
    if (e == ERR_NOT_FOUND)
        return refuse(r, e, "no such delivery");
    if (e != ERR_OK)
        return e;
    if (!admin_of(r, d.agency_id))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this delivery's agency");
    if (strcmp(d.state, "pending") == 0)
        return refuse(r, ERR_CONFLICT, "this delivery is still being tried");
    if ((e = store_webhook_redeliver(app->store, d.id, clock_now())) != ERR_OK)
        return e;
    log_info("webhooks", "event=redeliver delivery=%lld by=%lld", (long long)d.id,
             (long long)r->user.id);
    if ((e = store_webhook_delivery_get(app->store, r->ar, d.id, &d)) != ERR_OK)
        return e;
    return reply_json(r, 200, delivery_json(&d));
}

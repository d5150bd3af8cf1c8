#include "channels/staff.h"

#include "channels/bot.h"
#include "channels/dialog.h"
#include "channels/whatsapp/wa.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/dispatch.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Teams one emergency may go through before alerting ends. */
#define TRIED_MAX 32
/* On-duty members of one team alerted at once. */
#define CREW_MAX 16
/* Supervisors told of an escalation. */
#define BOSSES_MAX 6
/* Cases escalated per tick; the rest wait for the next second. */
#define TICK_BATCH 16
/* A WhatsApp button title is at most 20 characters. */
#define BUTTON_TITLE_MAX 20

/* ---- messages ---------------------------------------------------------------- */

static const char *shown_code(arena_t *ar, const store_case *c)
{
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    return arena_strdup(ar, shown);
}

/* Where to go: a map link when the case has a point, and the address. */
static const char *where(arena_t *ar, const store_case *c)
{
    const char *map = c->has_location ? arena_printf(ar, "https://www.google.com/maps?q=%.6f,%.6f",
                                                     c->lat, c->lon)
                                      : NULL;
    if (map && c->address)
        return arena_printf(ar, "%s (%s)", map, c->address);
    return map ? map : c->address ? c->address : "-";
}

/* The alert with the two buttons "Terima" / "Tidak bisa" (neutral JSON). */
static const char *alert_message(arena_t *ar, const store_case *c)
{
    const char *body = arena_printf(
        ar, "🚨 *DARURAT: %s*\nLokasi: %s\nKode laporan: %s\n\nTerima tugas ini?",
        c->category_name_id ? c->category_name_id : "-", where(ar, c), shown_code(ar, c));
    channel_choice ch[] = {
        {arena_printf(ar, "staff:accept:%lld", (long long)c->id), "Terima", NULL},
        {arena_printf(ar, "staff:decline:%lld", (long long)c->id), "Tidak bisa", NULL}};
    channel_msg m = {.kind = CHANNEL_MSG_CHOICES, .text = body, .choices = ch, .nchoices = 2};
    return channel_msg_json(ar, &m);
}

/* The same alert as the approved template's intent (docs/WHATSAPP.md),
 * for staff outside the re-engagement window: body {{1}}-{{3}} and two
 * quick replies. */
static const char *alert_template(arena_t *ar, const store_case *c)
{
    const char *params[] = {c->category_name_id ? c->category_name_id : "-", where(ar, c),
                            shown_code(ar, c)};
    channel_choice replies[] = {
        {arena_printf(ar, "staff:accept:%lld", (long long)c->id), NULL, NULL},
        {arena_printf(ar, "staff:decline:%lld", (long long)c->id), NULL, NULL}};
    channel_msg m = {.kind = CHANNEL_MSG_TEMPLATE,
                     .template = BOT_TEMPLATE_ALERT,
                     .lang = "id",
                     .params = params,
                     .nparams = 3,
                     .choices = replies,
                     .nchoices = 2};
    return channel_msg_json(ar, &m);
}

/* A notice to staff about case c: free text, or the staff template. */
static store_alert_msg notice_msg(arena_t *ar, const char *kind, const char *to,
                                  const store_case *c, const char *text)
{
    const char *params[] = {shown_code(ar, c), text};
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT,
                         .text = arena_printf(ar, "⚠️ Laporan %s: %s", params[0], text)};
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = BOT_TEMPLATE_STAFF,
                          .lang = "id",
                          .params = params,
                          .nparams = 2};
    return (store_alert_msg){to, kind, channel_msg_json(ar, &plain), channel_msg_json(ar, &intent),
                             WA_CHANNEL};
}

static void notice(arena_t *ar, store_alert *a, const char *to, const store_case *c,
                   const char *text)
{
    if (a->nout < STORE_ALERT_OUT_MAX)
        a->out[a->nout++] = notice_msg(ar, "escalation", to, c, text);
}

/* The staff numbers of the agency's supervisors. */
static size_t supervisors(store_t *s, arena_t *ar, int64_t agency_id, const char **out, size_t max)
{
    store_user *u;
    size_t n = 0, k = 0;
    if (store_user_list(s, ar, &u, &n) != ERR_OK)
        return 0;
    for (size_t i = 0; i < n && k < max; i++) {
        store_role *r;
        size_t nr = 0;
        if (!u[i].mobile || u[i].disabled || store_user_roles(s, ar, u[i].id, &r, &nr) != ERR_OK)
            continue;
        for (size_t j = 0; j < nr; j++)
            if (r[j].agency_id == agency_id && strcmp(r[j].role, "supervisor") == 0) {
                out[k++] = u[i].mobile;
                break;
            }
    }
    return k;
}

/* The deadline follows at once, not at the scheduler's next tick. */
static void refresh(store_t *s, arena_t *ar, int64_t case_id)
{
    if (case_id && deadline_refresh(s, ar, case_id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)case_id);
}

/* ---- alert rounds -------------------------------------------------------------- */

/* The teams the case has been dispatched to so far. */
static size_t tried_teams(store_t *s, arena_t *ar, int64_t case_id, int64_t *out, size_t max)
{
    store_event *ev;
    size_t n = 0, k = 0;
    if (store_case_events(s, ar, case_id, &ev, &n) != ERR_OK)
        return 0;
    for (size_t i = 0; i < n && k < max; i++) {
        if (strcmp(ev[i].action, "dispatch") != 0 || !ev[i].team_id)
            continue;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = out[j] == ev[i].team_id;
        if (!seen)
            out[k++] = ev[i].team_id;
    }
    return k;
}

/* "5 menit" or "90 detik": the wait before the next team is called. */
static const char *wait_text(arena_t *ar, unsigned seconds)
{
    if (seconds % 60 == 0)
        return arena_printf(ar, "%u menit", seconds / 60);
    return arena_printf(ar, "%u detik", seconds);
}

static const char *distance_text(arena_t *ar, double m)
{
    if (m < 0)
        return "";
    if (m < 1000)
        return arena_printf(ar, " (%.0f m)", m);
    return arena_printf(ar, " (%.1f km)", m / 1000);
}

/* Sends the case to the nearest on-duty team not tried yet and alerts its
 * members; without one, ends alerting. Supervisors hear of every round
 * after the first and of a case no team can take. *team_out: the team. */
static err_t alert_round(const config_t *cfg, store_t *s, arena_t *ar, const store_case *c,
                         int round, int64_t chosen, int64_t now, int64_t *team_out)
{
    dispatch_option *o;
    dispatch_roster r;
    size_t no = 0;
    int64_t tried[TRIED_MAX];
    store_alert a;
    memset(&a, 0, sizeof a);
    *team_out = 0;
    err_t e = dispatch_options(s, ar, c, now, &o, &no);
    if (e == ERR_OK)
        e = dispatch_roster_load(s, ar, c->agency_id, now, &r);
    if (e != ERR_OK)
        return e;
    size_t nt = tried_teams(s, ar, c->id, tried, TRIED_MAX);
    a.case_id = c->id;
    a.expect_status = c->status;
    a.expect_round = round;
    /* A team the supervisor chose is already on the case (and its event
     * written): only its members are alerted and the wait starts again. */
    a.team_id = chosen ? chosen : dispatch_pick(o, no, tried, nt);
    a.no_event = chosen != 0;
    a.now = now;
    const dispatch_option *opt = NULL;
    for (size_t i = 0; i < no && !opt; i++)
        if (o[i].team_id == a.team_id)
            opt = &o[i];
    const char *boss_text;
    if (opt) {
        const char *dist = distance_text(ar, opt->distance_m);
        a.note = round == 0
                     ? arena_printf(ar, "Tim terdekat yang bertugas: %s%s.", opt->team_name, dist)
                     : arena_printf(ar, "Dialihkan ke %s%s: belum ada yang menerima dalam %s.",
                                    opt->team_name, dist, wait_text(ar, cfg->alert_accept_seconds));
        boss_text = arena_printf(ar, "darurat %s belum diterima dalam %s; dialihkan ke %s.",
                                 c->category_name_id ? c->category_name_id : "",
                                 wait_text(ar, cfg->alert_accept_seconds), opt->team_name);
        const store_duty *crew[CREW_MAX];
        size_t k = dispatch_roster_members(&r, opt->team_id, crew, CREW_MAX);
        for (size_t i = 0; i < k && a.nout < STORE_ALERT_OUT_MAX; i++)
            if (crew[i]->user_mobile)
                a.out[a.nout++] =
                    (store_alert_msg){crew[i]->user_mobile, "alert", alert_message(ar, c),
                                      alert_template(ar, c), WA_CHANNEL};
    } else {
        a.note = round == 0 ? "Tidak ada tim yang sedang bertugas untuk keadaan darurat ini."
                            : "Semua tim yang bertugas sudah dihubungi; belum ada yang menerima.";
        boss_text = arena_printf(ar, "darurat %s: %s Mohon tangani dari dasbor.",
                                 c->category_name_id ? c->category_name_id : "", a.note);
    }
    if (!chosen && (round > 0 || !opt)) {
        const char *boss[BOSSES_MAX];
        size_t nb = supervisors(s, ar, c->agency_id, boss, BOSSES_MAX);
        for (size_t i = 0; i < nb; i++)
            notice(ar, &a, boss[i], c, boss_text);
    }
    e = store_dispatch_alert(s, ar, &a);
    if (e == ERR_OK) {
        refresh(s, ar, c->id);
        *team_out = a.team_id;
        log_info("dispatch", "event=%s case_id=%lld round=%d team_id=%lld alerts=%zu",
                 a.team_id ? "alerted" : "alert_exhausted", (long long)c->id, round + 1,
                 (long long)a.team_id, a.nout);
    }
    return e;
}

int staff_tick(const config_t *cfg, store_t *s, int64_t now)
{
    static int64_t last; /* only the worker thread calls this */
    if (now == last)
        return 0;
    last = now;
    arena_t *ar = arena_new();
    int64_t *ids;
    size_t n = 0;
    int moved = 0;
    if (!ar)
        return 0;
    if (store_dispatch_due(s, ar, now, cfg->alert_accept_seconds, TICK_BATCH, &ids, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        store_case c;
        store_dispatch_info info;
        int64_t team;
        err_t e = store_case_get(s, ar, ids[i], &c);
        if (e == ERR_OK)
            e = store_dispatch_get(s, ar, ids[i], &info);
        if (e == ERR_OK)
            e = alert_round(cfg, s, ar, &c, info.alert_round, 0, now, &team);
        if (e == ERR_OK)
            moved++;
        else if (e != ERR_CONFLICT) /* a conflict: another instance was first */
            log_warn("dispatch", "event=escalation_failed case_id=%lld error=%s", (long long)ids[i],
                     err_code(e));
    }
    arena_destroy(ar);
    return moved;
}

/* ---- a new case ------------------------------------------------------------------ */

/* Forwards c, unseen by anyone yet, into category to of its owner agency;
 * the reporter follows the new case. */
static err_t forward(store_t *s, arena_t *ar, const store_case *c, int64_t to, int64_t now,
                     int64_t *new_id)
{
    store_category k;
    store_agency ag;
    const transition_t *t = NULL;
    *new_id = 0;
    err_t e = store_category_get(s, ar, to, &k);
    if (e == ERR_OK)
        e = store_agency_get(s, ar, k.agency_id, &ag);
    if (e != ERR_OK)
        return e;
    int kind = kind_parse(c->kind), st = status_parse(c->status), nk = kind_parse(k.kind);
    if (kind < 0 || st < 0 || nk < 0 || !k.active || k.agency_id == c->agency_id ||
        lifecycle_check((case_kind_t)kind, (case_status_t)st, ACT_FORWARD, ROLE_SUPERADMIN, &t) !=
            ERR_OK)
        return ERR_OK; /* not forwardable now: the desk decides */
    store_case copy;
    memset(&copy, 0, sizeof copy);
    copy.agency_id = ag.id;
    copy.category_id = k.id;
    copy.kind = k.kind;
    copy.status = status_name(lifecycle_initial((case_kind_t)nk));
    store_transition tr;
    memset(&tr, 0, sizeof tr);
    tr.case_id = c->id;
    tr.expect_status = c->status;
    tr.new_status = status_name(t->to);
    tr.action = action_name(t->action);
    /* The reporter learns where the report went (no internal detail). */
    tr.public_note = arena_printf(ar, "Diteruskan ke %s, yang menangani %s.", ag.name, k.name_id);
    tr.target_agency_id = ag.id;
    tr.is_public = true;
    tr.now = now;
    tr.forward_copy = &copy;
    e = store_case_transition(s, ar, &tr);
    if (e != ERR_OK)
        return e == ERR_CONFLICT ? ERR_OK : e;
    *new_id = tr.new_case_id;
    /* The reporter hears the new case's public updates. */
    return store_case_link(s, c->id, 0, tr.new_case_id, "follow", 0,
                           "Mengikuti laporan yang diteruskan", now);
}

/* Tells a WhatsApp reporter that the incident is already being handled. */
static void tell_duplicate(store_t *s, arena_t *ar, const store_case *c, int64_t master,
                           int64_t now)
{
    store_case m;
    store_conv conv;
    int64_t outbox, last_in;
    if (!c->reporter_mobile || store_case_get(s, ar, master, &m) != ERR_OK)
        return;
    bool en =
        store_conv_get(s, ar, c->agency_id, WA_CHANNEL, c->reporter_mobile, &conv) == ERR_OK &&
        conv.lang && strcmp(conv.lang, "en") == 0;
    const char *mc = shown_code(ar, &m),
               *st = status_label(status_parse(m.status), en ? "en" : "id");
    const char *text =
        en ? arena_printf(ar,
                          "This incident has already been reported (%s) and is being handled: %s. "
                          "You will receive its updates here.",
                          mc, st)
           : arena_printf(ar,
                          "Kejadian ini sudah dilaporkan (%s) dan sedang ditangani: %s. Anda akan "
                          "menerima kabar perkembangannya di sini.",
                          mc, st);
    /* Queued as the desk's messages are: rendered by the channel's driver
     * now (store_outbox_operator_message takes a payload). */
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT, .text = text};
    const channel_driver *drv = channel_find(c->notify_channel);
    const char *payload = drv ? drv->render(ar, c->notify_address, &plain) : NULL;
    if (!payload || store_outbox_operator_message(s, c->id, 0, payload, NULL, text, now, &outbox,
                                                  &last_in) != ERR_OK)
        log_warn("dispatch", "event=duplicate_notice_failed case_id=%lld", (long long)c->id);
}

/* A step of the lifecycle taken by the system (no actor), public. */
static err_t system_step(store_t *s, arena_t *ar, const store_case *c, case_action_t action,
                         const char *note, int64_t now)
{
    const transition_t *t = NULL;
    int kind = kind_parse(c->kind), st = status_parse(c->status);
    if (kind < 0 || st < 0 ||
        lifecycle_check((case_kind_t)kind, (case_status_t)st, action, ROLE_SUPERADMIN, &t) !=
            ERR_OK ||
        (t->needs & (NEED_TEAM | NEED_AGENCY)))
        return ERR_OK; /* not from this state: the desk decides */
    store_transition tr;
    memset(&tr, 0, sizeof tr);
    tr.case_id = c->id;
    tr.expect_status = c->status;
    tr.new_status = status_name(t->to);
    tr.action = action_name(t->action);
    tr.note = note;
    tr.is_public = t->is_public;
    tr.now = now;
    err_t e = store_case_transition(s, ar, &tr);
    return e == ERR_CONFLICT ? ERR_OK : e;
}

/* Tags a report from a registered community reporter with the group. */
static err_t community(store_t *s, arena_t *ar, const store_case *c,
                       const store_dispatch_info *info, store_group *g)
{
    memset(g, 0, sizeof *g);
    if (info->group_id || !c->reporter_mobile || strcmp(c->channel, "whatsapp") != 0)
        return ERR_OK;
    err_t e = store_group_of(s, ar, c->agency_id, c->reporter_mobile, g);
    if (e == ERR_NOT_FOUND) {
        memset(g, 0, sizeof *g);
        return ERR_OK;
    }
    if (e == ERR_OK)
        e = store_case_set_group(s, c->id, g->id);
    if (e == ERR_OK)
        log_info("dispatch", "event=community_report case_id=%lld group_id=%lld", (long long)c->id,
                 (long long)g->id);
    return e;
}

/* An emergency in a category that is not one: the registered reporter
 * marked it urgent. The audit trail says so, once (with the tagging). */
static err_t urgent_note(store_t *s, arena_t *ar, const store_case *c, const store_group *g,
                         int64_t now)
{
    store_category k;
    if (strcmp(c->kind, "emergency") != 0 || !c->category_id ||
        store_category_get(s, ar, c->category_id, &k) != ERR_OK || strcmp(k.kind, "emergency") == 0)
        return ERR_OK;
    log_info("dispatch", "event=community_urgent case_id=%lld group_id=%lld", (long long)c->id,
             (long long)g->id);
    return store_case_note_event(
        s, c->id, "urgent", 0,
        arena_printf(ar, "Ditandai darurat oleh pelapor terdaftar (%s).", g->name), now);
}

static err_t created(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id, int64_t now,
                     staff_outcome *out);

err_t staff_case_created(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id, int64_t now,
                         staff_outcome *out)
{
    err_t e = created(cfg, s, ar, case_id, now, out);
    refresh(s, ar, case_id);
    refresh(s, ar, out->forwarded_to);
    return e;
}

static err_t created(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id, int64_t now,
                     staff_outcome *out)
{
    store_group group;
    store_case c;
    store_dispatch_info info;
    int64_t to = 0, master = 0;
    memset(out, 0, sizeof *out);
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e == ERR_OK)
        e = store_dispatch_get(s, ar, case_id, &info);
    if (e == ERR_OK)
        e = community(s, ar, &c, &info, &group);
    if (e == ERR_OK && group.id)
        e = urgent_note(s, ar, &c, &group, now);
    if (e == ERR_OK && c.category_id && strcmp(c.channel, "forward") != 0)
        e = store_category_forward(s, c.category_id, &to);
    if (e != ERR_OK)
        return e;
    if (to) {
        e = forward(s, ar, &c, to, now, &out->forwarded_to);
        if (e != ERR_OK || !out->forwarded_to)
            return e;
        staff_outcome sub;
        e = created(cfg, s, ar, out->forwarded_to, now, &sub);
        out->duplicate_of = sub.duplicate_of;
        out->team_id = sub.team_id;
        return e;
    }
    bool emergency = strcmp(c.kind, "emergency") == 0;
    master = info.duplicate_of;
    if (!master) {
        e = dispatch_find_duplicate(
            s, ar, &c, cfg->dup_radius_m,
            emergency ? (int64_t)cfg->dup_window_emergency_s : (int64_t)cfg->dup_window_s, &master);
        if (e != ERR_OK)
            return e;
        if (master) {
            bool follow = strcmp(c.channel, "whatsapp") == 0;
            store_case m;
            const char *mc = store_case_get(s, ar, master, &m) == ERR_OK ? shown_code(ar, &m) : "?";
            e = store_case_link(s, c.id, master, follow ? master : 0, "duplicate", 0,
                                arena_printf(ar, "Kemungkinan duplikat laporan %s", mc), now);
            if (e != ERR_OK)
                return e;
            if (follow)
                tell_duplicate(s, ar, &c, master, now);
            log_info("dispatch", "event=duplicate case_id=%lld master_id=%lld", (long long)c.id,
                     (long long)master);
        }
    }
    out->duplicate_of = master;
    /* A group the agency trusts skips verification of its complaints. */
    if (group.id && group.skip_verification && strcmp(c.kind, "complaint") == 0 &&
        strcmp(c.status, "received") == 0)
        return system_step(
            s, ar, &c, ACT_VERIFY,
            arena_printf(ar, "Pelapor terdaftar: %s (verifikasi dilewati)", group.name), now);
    /* One incident, one crew: a duplicate is not sent out again. */
    if (master || !emergency || strcmp(c.status, "received") != 0 || info.alert_round != 0)
        return ERR_OK;
    e = alert_round(cfg, s, ar, &c, 0, 0, now, &out->team_id);
    return e == ERR_CONFLICT ? ERR_OK : e;
}

/* ---- officers' messages ------------------------------------------------------------- */

bool staff_route(store_t *s, arena_t *ar, const store_agency *agency, const wa_event *ev,
                 store_user *out)
{
    store_role *r;
    size_t n = 0;
    if (!ev->from || store_user_by_mobile(s, ar, ev->from, out) != ERR_OK)
        return false;
    if (ev->reply_id && strncmp(ev->reply_id, "staff:", 6) == 0)
        return true;
    if (store_user_roles(s, ar, out->id, &r, &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (r[i].agency_id == agency->id ||
            (r[i].agency_id == 0 && !strcmp(r[i].role, "superadmin")))
            return true;
    return false;
}

typedef struct {
    const config_t *cfg;
    store_t *s;
    arena_t *ar;
    const store_agency *agency;
    const wa_event *ev;
    const store_user *u;
    actor_t actor;
    int64_t now;
    const char *reply; /* the answer to the officer */
} staff;

static const char *const HELP =
    "Perintah petugas: tekan *Terima* pada pemberitahuan darurat (atau ketik TERIMA), "
    "ketik SAMPAI saat tiba di lokasi, kirim foto sebagai bukti, lalu SELESAI diikuti "
    "hasil penanganan (dikirim ke pelapor dan tampil di halaman publik).";

static bool word(const char *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && strncasecmp(p, w, k) == 0 && (n == k || p[k] == ' ' || p[k] == '\n');
}

/* The case an officer's message is about: from the button, else the one
 * they work on now. 0 when none. */
static int64_t target_case(staff *st, const char *reply_id)
{
    int64_t id = 0;
    if (reply_id) {
        const char *p = strrchr(reply_id, ':');
        char *end;
        long long v = p ? strtoll(p + 1, &end, 10) : 0;
        return v > 0 && *end == '\0' ? v : 0;
    }
    if (store_dispatch_active(st->s, st->u->id, &id) != ERR_OK)
        return 0;
    return id;
}

static err_t accept(staff *st, int64_t case_id, bool decline)
{
    store_case c;
    store_dispatch_info info;
    err_t e = case_id ? store_case_get(st->s, st->ar, case_id, &c) : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND) {
        st->reply = "Tidak ada tugas darurat yang menunggu jawaban Anda.";
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    const char *code = shown_code(st->ar, &c);
    int role = actor_role(&st->actor, c.agency_id);
    if (role != ROLE_FIELD && role != ROLE_SUPERVISOR && role != ROLE_SUPERADMIN) {
        st->reply =
            arena_printf(st->ar,
                         "Laporan %s bukan untuk Anda: Anda bukan petugas lapangan instansi "
                         "ini.",
                         code);
        return ERR_OK;
    }
    if (role == ROLE_FIELD && (!c.team_id || store_team_has_member(st->s, c.team_id, st->u->id))) {
        st->reply = arena_printf(st->ar, "Laporan %s ditugaskan ke tim lain.", code);
        return ERR_OK;
    }
    if (decline) {
        e = store_case_note_event(st->s, c.id, "decline", st->u->id, "Tidak bisa (WhatsApp)",
                                  st->now);
        st->reply = arena_printf(st->ar, "Tercatat: Anda tidak bisa menangani %s.", code);
        return e;
    }
    /* The others alerted hear at once that they need not go. */
    store_alert_msg tell[CREW_MAX];
    size_t ntell = 0;
    dispatch_roster r;
    if (dispatch_roster_load(st->s, st->ar, c.agency_id, st->now, &r) == ERR_OK) {
        const store_duty *crew[CREW_MAX];
        size_t k = dispatch_roster_members(&r, c.team_id, crew, CREW_MAX);
        for (size_t i = 0; i < k; i++)
            if (crew[i]->user_mobile && crew[i]->user_id != st->u->id)
                tell[ntell++] = notice_msg(
                    st->ar, "taken", crew[i]->user_mobile, &c,
                    arena_printf(st->ar, "sudah diterima oleh %s; Anda tidak perlu berangkat.",
                                 st->u->name));
    }
    e = store_dispatch_accept(st->s, c.id, st->u->id, st->now, tell, ntell);
    if (e == ERR_CONFLICT) {
        if (store_dispatch_get(st->s, st->ar, c.id, &info) != ERR_OK)
            return ERR_DB;
        if (info.accepted_by == st->u->id)
            st->reply = arena_printf(st->ar, "Anda sudah menerima tugas %s.", code);
        else if (info.accepted_by)
            st->reply = arena_printf(st->ar, "Tugas %s sudah diterima oleh %s. Terima kasih.", code,
                                     info.accepted_name ? info.accepted_name : "petugas lain");
        else
            st->reply = arena_printf(st->ar, "Tugas %s sudah tidak menunggu jawaban (%s).", code,
                                     status_label(status_parse(c.status), "id"));
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    log_info("dispatch", "event=accepted case_id=%lld user_id=%lld", (long long)c.id,
             (long long)st->u->id);
    st->reply = arena_printf(st->ar,
                             "Anda menerima tugas %s. Lokasi: %s\nKetik SAMPAI saat tiba, kirim "
                             "foto, lalu SELESAI <hasil untuk pelapor>.",
                             code, where(st->ar, &c));
    return ERR_OK;
}

/* A lifecycle step of the officer's current case, as on the dashboard. */
/* result: the message to the reporter (the hasil penanganan of a resolve). */
static err_t act(staff *st, const char *action, const char *result)
{
    int64_t id = target_case(st, NULL);
    store_transition t;
    store_case c;
    const char *detail = NULL;
    if (!id) {
        st->reply = "Anda tidak sedang menangani laporan.";
        return ERR_OK;
    }
    case_action_req q = {action, NULL, 0, 0, 0, result};
    err_t e = case_transition(st->s, st->ar, &st->actor, id, &q, st->now, &t, &detail);
    if (store_case_get(st->s, st->ar, id, &c) != ERR_OK)
        return e == ERR_OK ? ERR_DB : e;
    const char *code = shown_code(st->ar, &c);
    if (e == ERR_OK) {
        st->reply = strcmp(action, "start") == 0
                        ? arena_printf(st->ar,
                                       "Tercatat: Anda tiba di lokasi %s. Kirim foto, lalu SELESAI "
                                       "<catatan>.",
                                       code)
                        : arena_printf(st->ar,
                                       "Laporan %s selesai ditangani. Terima kasih. Pelapor "
                                       "menerima hasil ini: %s",
                                       code, result);
        log_info("case", "event=transition case_id=%lld action=%s channel=whatsapp user_id=%lld",
                 (long long)id, action, (long long)st->u->id);
        return ERR_OK;
    }
    if (e == ERR_INVALID || e == ERR_FORBIDDEN || e == ERR_CONFLICT) {
        st->reply = arena_printf(st->ar, "Laporan %s (%s): tidak bisa — %s.", code,
                                 status_label(status_parse(c.status), "id"),
                                 detail ? msg_lang("id", detail) : err_str(e));
        return ERR_OK;
    }
    return e;
}

static err_t photo(staff *st)
{
    int64_t id = target_case(st, NULL);
    store_case c;
    if (!id || store_case_get(st->s, st->ar, id, &c) != ERR_OK) {
        st->reply = "Foto tidak disimpan: Anda tidak sedang menangani laporan.";
        return ERR_OK;
    }
    /* Staff are reached, and write, on the mobile channel. */
    err_t e =
        store_dispatch_attach(st->s, id, channel_for_mobile(), st->ev->media_id, st->ev->media_mime,
                              st->ev->media_sha256, st->ev->media_filename, st->now);
    if (e == ERR_OK)
        st->reply = arena_printf(st->ar, "Foto tersimpan pada laporan %s.", shown_code(st->ar, &c));
    return e;
}

/* ---- the commands, as a table -------------------------------------------------------- */

/* tap: the id of the alert button tapped (its case), NULL when typed;
 * rest: what follows the typed word, trimmed ("" when nothing). */
typedef err_t (*staff_fn)(staff *st, const char *tap, const char *rest);

static err_t cmd_accept(staff *st, const char *tap, const char *rest)
{
    (void)rest;
    return accept(st, target_case(st, tap), false);
}

static err_t cmd_decline(staff *st, const char *tap, const char *rest)
{
    (void)rest;
    return accept(st, target_case(st, tap), true);
}

static err_t cmd_arrived(staff *st, const char *tap, const char *rest)
{
    (void)tap;
    (void)rest;
    return act(st, "start", NULL);
}

/* SELESAI <hasil>: the result goes to the reporter. */
static err_t cmd_done(staff *st, const char *tap, const char *rest)
{
    (void)tap;
    if (!*rest) {
        st->reply = "Tulis hasil penanganan untuk pelapor: SELESAI <hasil>, misalnya SELESAI "
                    "api sudah padam. Teks ini dikirim ke pelapor.";
        return ERR_OK;
    }
    return act(st, "resolve", rest);
}

/* An officer's command: a tap on an alert button whose id starts with
 * tap, or a message starting with one of the words (any case). A photo
 * is evidence for the current case; anything else gets HELP. */
static const struct {
    const char *tap, *word, *word2;
    staff_fn run;
} commands[] = {
    {"staff:accept:", "terima", NULL, cmd_accept},
    {"staff:decline:", "tidak bisa", NULL, cmd_decline},
    {NULL, "sampai", "tiba", cmd_arrived},
    {NULL, "selesai", NULL, cmd_done},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* What follows w at the start of p[0..n), trimmed; NULL when p does not
 * start with the word w. */
static const char *after_word(arena_t *ar, const char *p, size_t n, const char *w)
{
    if (!w || !word(p, n, w))
        return NULL;
    size_t k = strlen(w);
    while (k < n && (p[k] == ' ' || p[k] == '\n'))
        k++;
    return arena_strndup(ar, p + k, n - k);
}

static err_t command(staff *st)
{
    const wa_event *ev = st->ev;
    for (size_t i = 0; ev->reply_id && i < NCOMMANDS; i++)
        if (commands[i].tap && strncmp(ev->reply_id, commands[i].tap, strlen(commands[i].tap)) == 0)
            return commands[i].run(st, ev->reply_id, "");
    if (ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "video")))
        return photo(st);
    const char *p;
    size_t n = ev->text ? text_trim(ev->text, &p) : 0;
    for (size_t i = 0; n && i < NCOMMANDS; i++) {
        const char *rest = after_word(st->ar, p, n, commands[i].word);
        if (!rest)
            rest = after_word(st->ar, p, n, commands[i].word2);
        if (rest)
            return commands[i].run(st, NULL, rest);
    }
    st->reply = HELP;
    return ERR_OK;
}

err_t staff_handle(const config_t *cfg, store_t *s, arena_t *ar, const store_agency *agency,
                   const wa_event *ev, const store_user *u, int64_t now)
{
    store_role *roles;
    size_t nroles = 0;
    err_t e = store_user_roles(s, ar, u->id, &roles, &nroles);
    if (e != ERR_OK)
        return e;
    staff st = {cfg, s, ar, agency, ev, u, {u->id, roles, nroles}, now, NULL};
    bool quiet = !strcmp(ev->type, "reaction") || !strcmp(ev->type, "system") ||
                 !strcmp(ev->type, "errors") || !strcmp(ev->type, "edit") ||
                 !strcmp(ev->type, "revoke");
    /* The action first: a redelivered message then finds it done and its
     * answer is dropped with the message as a duplicate below. */
    if (!quiet)
        e = command(&st);
    if (e != ERR_OK)
        return e;
    for (int attempt = 0; attempt < 5; attempt++) {
        store_conv conv;
        store_dialog_effects fx;
        memset(&fx, 0, sizeof fx);
        e = store_conv_get(s, ar, agency->id, WA_CHANNEL, ev->from, &conv);
        if (e != ERR_OK)
            return e;
        fx.seen_key = arena_printf(ar, "m:%s", ev->wamid);
        fx.agency_id = agency->id;
        fx.address = ev->from;
        fx.channel = WA_CHANNEL;
        fx.mobile = ev->from;
        fx.phone_number_id = ev->phone_number_id;
        fx.wamid = ev->wamid;
        fx.msg_type = ev->type;
        fx.msg_body = ev->text;
        fx.msg_time = ev->timestamp;
        fx.expect_version = conv.version;
        fx.state = conv.state ? conv.state : "idle";
        fx.draft = conv.draft ? conv.draft : "{}";
        fx.lang = conv.lang ? conv.lang : "id";
        fx.now = now;
        channel_msg reply = {.kind = CHANNEL_MSG_TEXT, .text = st.reply};
        if (st.reply)
            fx.out[fx.nout++] =
                (store_dialog_out){.kind = "staff", .message = channel_msg_json(ar, &reply)};
        e = store_dialog_apply(s, ar, &fx);
        if (e != ERR_CONFLICT)
            break;
    }
    return e;
}

/* A complaint dispatched to a team: its members on duty now hear of it by
 * WhatsApp (all its members when the roster has nobody on duty, so an
 * office-hours team hears of it too), with what to do next. No buttons: a
 * complaint has no race to accept; the first to act owns it. */
static err_t assign(store_t *s, arena_t *ar, const store_case *c, int64_t now)
{
    dispatch_roster r;
    store_user *u;
    size_t nu = 0, n = 0;
    const char *to[CREW_MAX];
    store_alert_msg m[CREW_MAX];
    err_t e = dispatch_roster_load(s, ar, c->agency_id, now, &r);
    if (e != ERR_OK)
        return e;
    const store_duty *crew[CREW_MAX];
    size_t k = dispatch_roster_members(&r, c->team_id, crew, CREW_MAX);
    for (size_t i = 0; i < k; i++)
        if (crew[i]->user_mobile)
            to[n++] = crew[i]->user_mobile;
    if (n == 0) {
        e = store_team_members(s, ar, c->team_id, &u, &nu);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < nu && n < CREW_MAX; i++)
            if (u[i].mobile && !u[i].disabled)
                to[n++] = u[i].mobile;
    }
    const char *text =
        arena_printf(ar,
                     "tugas baru untuk tim Anda: %s. Lokasi: %s. Ketik SAMPAI saat tiba, kirim "
                     "foto, lalu SELESAI <hasil untuk pelapor>.",
                     c->category_name_id ? c->category_name_id : "-", where(ar, c));
    for (size_t i = 0; i < n; i++)
        m[i] = notice_msg(ar, "assignment", to[i], c, text);
    if (n)
        e = store_staff_notify(s, c->id, m, n, now);
    if (e == ERR_OK)
        log_info("dispatch", "event=assigned case_id=%lld team_id=%lld notices=%zu",
                 (long long)c->id, (long long)c->team_id, n);
    return e;
}

err_t staff_case_dispatched(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                            int64_t now)
{
    store_case c;
    store_dispatch_info info;
    int64_t team;
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e == ERR_OK)
        e = store_dispatch_get(s, ar, case_id, &info);
    if (e != ERR_OK)
        return e;
    if (strcmp(c.status, "dispatched") != 0 || !c.team_id)
        return ERR_OK;
    if (strcmp(c.kind, "emergency") != 0)
        return assign(s, ar, &c, now);
    if (info.accepted_by)
        return ERR_OK;
    e = alert_round(cfg, s, ar, &c, info.alert_round, c.team_id, now, &team);
    return e == ERR_CONFLICT ? ERR_OK : e;
}

#include "domain/lapor.h"

#include "core/ids.h"

#include <string.h>
#include <time.h>

int lapor_normalize(const char *in, char out[LAPOR_ID_BUF])
{
    if (!in)
        return -1;
    while (*in == ' ' || *in == '\t')
        in++;
    if (*in == '#')
        in++;
    size_t n = 0;
    while (in[n] >= '0' && in[n] <= '9')
        n++;
    const char *rest = in + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest || n < LAPOR_DIGITS_MIN || n > LAPOR_DIGITS_MAX)
        return -1;
    memcpy(out, in, n);
    out[n] = '\0';
    return 0;
}

/* Only blanks: the operator emptied the field. */
static bool blank(const char *v)
{
    for (; v && *v; v++)
        if (*v != ' ' && *v != '\t')
            return false;
    return true;
}

static const struct {
    const char *code, *id, *en;
} CLASSES[] = {
    {"pengaduan", "Pengaduan", "Complaint"},
    {"aspirasi", "Aspirasi", "Aspiration"},
    {"permintaan_informasi", "Permintaan informasi", "Request for information"},
};

bool lapor_class_valid(const char *v)
{
    for (size_t i = 0; v && i < sizeof CLASSES / sizeof CLASSES[0]; i++)
        if (strcmp(v, CLASSES[i].code) == 0)
            return true;
    return false;
}

const char *lapor_class_label(const char *v, const char *lang)
{
    for (size_t i = 0; v && i < sizeof CLASSES / sizeof CLASSES[0]; i++)
        if (strcmp(v, CLASSES[i].code) == 0)
            return lang && strcmp(lang, "en") == 0 ? CLASSES[i].en : CLASSES[i].id;
    return v;
}

err_t lapor_update(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id,
                   const lapor_change *ch, int64_t now, bool *changed, lapor_refusal *why)
{
    store_case c;
    char digits[LAPOR_ID_BUF];
    bool moved = false;
    *changed = false;
    *why = LAPOR_OK;
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(actor, c.agency_id);
    if (role < 0) {
        *why = LAPOR_OTHER_AGENCY;
        return ERR_FORBIDDEN;
    }
    if (role != ROLE_SUPERADMIN && role != ROLE_ADMIN && role != ROLE_SUPERVISOR) {
        *why = LAPOR_NOT_DESK;
        return ERR_FORBIDDEN;
    }
    bool clear = blank(ch->tracking);
    if (ch->set_tracking && !clear && lapor_normalize(ch->tracking, digits) != 0) {
        *why = LAPOR_BAD_FORMAT;
        return ERR_INVALID;
    }
    if (ch->cls && !lapor_class_valid(ch->cls)) {
        *why = LAPOR_BAD_CLASS;
        return ERR_INVALID;
    }
    if (ch->set_tracking) {
        e = store_case_set_lapor(s, case_id, clear ? NULL : digits, actor->user_id, now, &moved);
        *changed = moved;
    }
    if (e == ERR_OK && (ch->cls || ch->mark)) {
        e = store_case_set_lapor_fields(s, case_id, ch->cls, ch->mark, actor->user_id, now, &moved);
        *changed = *changed || moved;
    }
    return e;
}

err_t lapor_set(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id, const char *value,
                int64_t now, bool *changed, lapor_refusal *why)
{
    lapor_change ch = {.set_tracking = true, .tracking = value};
    return lapor_update(s, ar, actor, case_id, &ch, now, changed, why);
}

static const char *const MONTHS[] = {"Januari",   "Februari", "Maret",    "April",
                                     "Mei",       "Juni",     "Juli",     "Agustus",
                                     "September", "Oktober",  "November", "Desember"};

const char *lapor_summary(arena_t *ar, const store_case *c)
{
    char code[IDS_SHOWN_BUF], zone[16] = "";
    struct tm tm;
    time_t t = (time_t)c->created_at;
    ids_tracking_format(c->tracking_code, code);
    localtime_r(&t, &tm);
    strftime(zone, sizeof zone, "%Z", &tm);
    const char *when =
        arena_printf(ar, "%d %s %d pukul %02d.%02d %s", tm.tm_mday, MONTHS[tm.tm_mon % 12],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, zone);
    const char *place = c->address && *c->address ? c->address : "-";
    if (c->has_location)
        place = arena_printf(ar, "%s (titik %.5f, %.5f)", place, c->lat, c->lon);
    const char *who;
    if (c->rahasia)
        who = "Pelapor: dirahasiakan. Mohon dikirim sebagai laporan RAHASIA.";
    else if (c->anonim)
        who = "Pelapor: anonim. Mohon dikirim sebagai laporan ANONIM.";
    else
        who =
            arena_printf(ar, "Pelapor: %s",
                         c->reporter_name && *c->reporter_name ? c->reporter_name : "(tanpa nama)");
    return arena_printf(
        ar,
        "Klasifikasi: %s\n"
        "Kategori: %s\n"
        "Instansi: %s\n"
        "Kecamatan: %s\n"
        "Tanggal dilaporkan: %s\n"
        "Lokasi: %s\n"
        "Kronologi: %s\n"
        "%s\n"
        "Nomor aduan daerah: %s",
        lapor_class_label(c->lapor_class ? c->lapor_class : LAPOR_CLASS_DEFAULT, "id"),
        c->category_name_id ? c->category_name_id : "-", c->agency_name ? c->agency_name : "-",
        c->kecamatan_name ? c->kecamatan_name : (c->kecamatan_code ? c->kecamatan_code : "-"), when,
        place, c->description ? c->description : "-", who, code);
}

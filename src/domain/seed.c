#include "domain/seed.h"

#include "core/secret.h"
#include "core/embed.h"
#include "core/log.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"
#include "domain/services.h"

#include <string.h>

/* Kemendagri codes, DOMAIN.md §7 (Kepmendagri 300.2.2-2138/2025). */
static const struct {
    const char *code, *name;
} regions[] = {
    {"63.11.01", "Juai"},
    {"63.11.02", "Halong"},
    {"63.11.03", "Awayan"},
    {"63.11.04", "Batu Mandi"},
    {"63.11.05", "Lampihong"},
    {"63.11.06", "Paringin"},
    {"63.11.07", "Paringin Selatan"},
    {"63.11.08", "Tebing Tinggi"},
};

err_t seed_regions(store_t *s)
{
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        err_t e = store_region_put(s, regions[i].code, regions[i].name);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* The demo's kecamatan boundaries (issue #13.7), compiled in from
 * web/data/: approximate blocks drawn around the demo's places, not
 * surveyed boundaries (docs/OPERATOR.md, "Batas kecamatan"). */
#define DEMO_BOUNDARIES "/data/balangan-kecamatan.geojson"

err_t seed_boundaries(store_t *s, int64_t now)
{
    for (size_t i = 0; i < embed_web_count; i++) {
        if (strcmp(embed_web[i].name, DEMO_BOUNDARIES) != 0)
            continue;
        arena_t *ar = arena_new();
        char err[256];
        size_t n = 0;
        if (!ar)
            return ERR_NOMEM;
        err_t e = region_import(s, ar, (const char *)embed_web[i].data, embed_web[i].len, now, &n,
                                err, sizeof err);
        if (e != ERR_OK)
            log_error("seed", "event=boundaries_failed why=\"%s\"", err);
        arena_destroy(ar);
        return e;
    }
    return ERR_INTERNAL;
}

static const struct {
    const char *code, *name, *kind, *number, *display;
} agencies[] = {
    {"satpolpp", "Satpol PP Kabupaten Balangan", "satpolpp", "100000000000001",
     "+62 811-5000-0001"},
    {"damkar", "Dinas Pemadam Kebakaran dan Penyelamatan Kabupaten Balangan", "damkar",
     "100000000000002", "+62 811-5000-0002"},
    {"disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Balangan", "disdukcapil",
     "100000000000003", "+62 811-5000-0003"},
};

/* Posts of the rapid reaction teams; coordinates are near the kecamatan
 * towns (approximate, for the demo map). */
static const struct {
    int agency;
    const char *name;
    double lat, lon;
} teams[] = {
    {0, "TRC Pos Paringin", -2.3345, 115.4632},
    {0, "TRC Pos Juai", -2.2601, 115.5712},
    {0, "TRC Pos Halong", -2.1296, 115.6963},
    {1, "Regu Damkar Paringin", -2.3390, 115.4590},
    {1, "Regu Damkar Batu Mandi", -2.3958, 115.3839},
};

static const struct {
    int agency;
    const char *code, *name_id, *name_en, *kind;
    int sla_hours;
} categories[] = {
    {0, "trantibum", "Gangguan ketenteraman dan ketertiban umum", "Public order disturbance",
     "complaint", 120},
    {0, "pkl", "Pedagang kaki lima", "Street vendors", "complaint", 120},
    {0, "bangunan_liar", "Bangunan liar", "Unlicensed building", "complaint", 240},
    {0, "reklame_liar", "Reklame liar", "Unlicensed billboard", "complaint", 120},
    {0, "perda", "Pelanggaran Perda/Perkada", "Violation of a regional regulation", "complaint",
     240},
    {1, "kebakaran", "Kebakaran", "Fire", "emergency", 1},
    {1, "penyelamatan", "Penyelamatan dan evakuasi", "Rescue and evacuation", "emergency", 1},
    {2, "ktp_el", "KTP elektronik", "Electronic ID card (KTP-el)", "service", 8},
    {2, "kk", "Kartu Keluarga", "Family card (KK)", "service", 8},
    {2, "akta_kelahiran", "Akta kelahiran", "Birth certificate", "service", 8},
    {2, "akta_kematian", "Akta kematian", "Death certificate", "service", 8},
    {2, "kia", "Kartu Identitas Anak", "Child ID card (KIA)", "service", 8},
    {2, "pindah_datang", "Surat pindah/datang", "Moving certificate", "service", 8},
};

/* agency -1: superadmin of every agency. team -1: none. */
static const struct {
    const char *login, *name, *role;
    int agency, team;
    const char *mobile; /* the officer's own WhatsApp number (demo, fictitious) */
} users[] = {
    {"superadmin", "Super Admin Kabupaten", "superadmin", -1, -1, NULL},
    {"admin.satpolpp", "Operator Satpol PP", "admin", 0, -1, NULL},
    {"kabid.satpolpp", "Kepala Bidang Trantibum", "supervisor", 0, -1, "6281100000102"},
    {"trc.satpolpp", "Anggota TRC Paringin", "field", 0, 0, "6281100000101"},
    {"pimpinan.satpolpp", "Kepala Satpol PP", "viewer", 0, -1, NULL},
    {"admin.damkar", "Operator Damkar", "admin", 1, -1, NULL},
    {"regu.damkar", "Anggota Regu Damkar Paringin", "field", 1, 3, "6281100000201"},
    {"regu2.damkar", "Anggota Regu Damkar Paringin 2", "field", 1, 3, "6281100000203"},
    {"regu.batumandi", "Anggota Regu Damkar Batu Mandi", "field", 1, 4, "6281100000202"},
    {"kasi.damkar", "Kepala Seksi Operasi Damkar", "supervisor", 1, -1, "6281100000204"},
    {"admin.dukcapil", "Operator Disdukcapil", "admin", 2, -1, NULL},
};

static const struct {
    int category; /* index into categories */
    const char *description, *address, *kecamatan;
    double lat, lon;
    int hours_ago;
} cases[] = {
    {0, "Sekelompok pemuda membuat keributan dan balap liar setiap malam di jalan depan pasar.",
     "Jl. A. Yani dekat Pasar Paringin", "63.11.06", -2.3361, 115.4668, 30},
    {1, "Pedagang kaki lima berjualan di trotoar sehingga pejalan kaki turun ke jalan.",
     "Trotoar depan Taman Kota Paringin", "63.11.06", -2.3331, 115.4650, 50},
    {3, "Spanduk dan baliho tanpa izin dipasang di pohon sepanjang jalan provinsi.",
     "Jl. Provinsi km 3 arah Batu Mandi", "63.11.04", -2.3901, 115.3880, 75},
    {2, "Bangunan semi permanen didirikan di bantaran sungai tanpa izin.",
     "Bantaran Sungai Balangan, Desa Lampihong", "63.11.05", -2.3712, 115.3401, 120},
    {5, "Asap tebal terlihat dari gudang di belakang rumah warga.",
     "Desa Batu Piring, Paringin Selatan", "63.11.07", -2.3620, 115.4410, 3},
};

/* Canned replies of each agency (issue 18: the picker never appeared in
 * the demo). {nama}, {kode} and {tim} are the reporter's name, the
 * tracking code and the case's team, filled in by the reply box when the
 * operator inserts the reply (web/app/dispatch.js). */
static const struct {
    int agency; /* index into agencies */
    const char *title, *body, *lang;
} canned[] = {
    {0, "Laporan diterima",
     "Terima kasih, {nama}. Laporan Anda dengan kode {kode} sudah kami terima dan sedang "
     "diverifikasi oleh petugas Satpol PP.",
     "id"},
    {0, "Petugas menuju lokasi",
     "{nama}, petugas dari {tim} sedang menuju lokasi untuk menindaklanjuti laporan {kode}. "
     "Mohon tetap menjaga keamanan.",
     "id"},
    {0, "Minta lokasi",
     "Mohon maaf, {nama}. Agar laporan {kode} dapat segera ditangani, mohon kirimkan lokasi "
     "(bagikan lokasi) atau patokan terdekat.",
     "id"},
    {0, "Selesai ditangani",
     "Laporan {kode} sudah selesai ditangani oleh {tim}. Terima kasih atas partisipasi Anda, "
     "{nama}.",
     "id"},
    {1, "Regu diberangkatkan",
     "{nama}, {tim} sudah diberangkatkan ke lokasi laporan {kode}. Jauhi sumber api dan tunggu "
     "petugas di tempat yang aman.",
     "id"},
    {1, "Minta lokasi tepat",
     "{nama}, mohon kirimkan lokasi kejadian (bagikan lokasi) agar regu cepat sampai. Kode "
     "laporan: {kode}.",
     "id"},
    {1, "Penanganan selesai",
     "Penanganan laporan {kode} oleh {tim} sudah selesai. Terima kasih, {nama}, atas laporan "
     "Anda.",
     "id"},
    {2, "Berkas diterima",
     "Terima kasih, {nama}. Permohonan {kode} sudah kami terima dan sedang diperiksa petugas "
     "Disdukcapil.",
     "id"},
    {2, "Berkas belum lengkap",
     "{nama}, berkas permohonan {kode} belum lengkap. Mohon kirimkan dokumen yang kami minta "
     "agar dapat diproses.",
     "id"},
    {2, "Dokumen terbit",
     "{nama}, dokumen untuk permohonan {kode} sudah terbit. Silakan unduh berkas yang kami "
     "kirim atau ambil di kantor Disdukcapil.",
     "id"},
};

/* The duty roster (issue #6): both fire crews around the clock, so that
 * an alert nobody accepts goes on to the next crew; the TRC in office
 * hours. days: bit per weekday, 0 = Sunday. */
static const struct {
    int user; /* index into users */
    unsigned days;
    int start, end; /* minutes after local midnight */
} duty[] = {
    {3, 0x3e, 7 * 60 + 30, 16 * 60}, /* trc.satpolpp, Monday to Friday */
    {6, 0x7f, 0, 1440},              /* regu.damkar */
    {7, 0x7f, 0, 1440},              /* regu2.damkar */
    {8, 0x7f, 0, 1440},              /* regu.batumandi */
};

static err_t seed_duty(store_t *s, int64_t team, int64_t user, unsigned days, int start, int end,
                       int64_t now)
{
    err_t e = ERR_OK;
    for (int d = 0; e == ERR_OK && d < 7; d++) {
        if (!(days & (1u << d)))
            continue;
        store_duty x = {0, team, user, d, start, end, 0, 0, 0, NULL, NULL, NULL, NULL};
        e = store_duty_add(s, &x, now, NULL);
    }
    return e;
}

err_t seed_demo(store_t *s, int64_t now)
{
    int64_t agency_ids[3], team_ids[5], cat_ids[13], user_ids[sizeof users / sizeof users[0]];
    char hash[SECRET_HASH_BUF];
    err_t e = seed_regions(s);
    if (e == ERR_OK)
        e = seed_boundaries(s, now);
    for (size_t i = 0; e == ERR_OK && i < 3; i++) {
        store_agency a = {.code = agencies[i].code,
                          .name = agencies[i].name,
                          .kind = agencies[i].kind,
                          .timezone = "Asia/Makassar"};
        e = store_agency_create(s, &a, now, &agency_ids[i]);
        if (e == ERR_OK)
            e = store_agency_number_add(s, agency_ids[i], agencies[i].number, agencies[i].display,
                                        now);
        /* The fire service's emergency numbers, shown first by the web
         * form's kebakaran category: the national ones (113 fire, 112). */
        if (e == ERR_OK && !strcmp(agencies[i].kind, "damkar"))
            e = store_agency_set_emergency_phones(s, agency_ids[i], "113, 112");
    }
    for (size_t i = 0; e == ERR_OK && i < sizeof teams / sizeof teams[0]; i++) {
        store_team t = {
            0, agency_ids[teams[i].agency], teams[i].name, true, teams[i].lat, teams[i].lon, 0};
        e = store_team_create(s, &t, now, &team_ids[i]);
    }
    for (size_t i = 0; e == ERR_OK && i < sizeof categories / sizeof categories[0]; i++) {
        store_category k = {0,
                            agency_ids[categories[i].agency],
                            categories[i].code,
                            categories[i].name_id,
                            categories[i].name_en,
                            categories[i].kind,
                            categories[i].sla_hours,
                            true};
        e = store_category_create(s, &k, &cat_ids[i]);
    }
    if (e == ERR_OK)
        e = svc_seed_demo(s, agency_ids[2]); /* documents of Disdukcapil's services */
    if (e == ERR_OK)
        e = secret_password_hash(SEED_DEMO_PASSWORD, hash);
    for (size_t i = 0; e == ERR_OK && i < sizeof users / sizeof users[0]; i++) {
        e = store_user_create(s, users[i].login, users[i].name, hash, now, &user_ids[i]);
        if (e == ERR_OK)
            e = store_user_set_role(s, user_ids[i],
                                    users[i].agency < 0 ? 0 : agency_ids[users[i].agency],
                                    users[i].role);
        if (e == ERR_OK && users[i].team >= 0)
            e = store_team_add_member(s, team_ids[users[i].team], user_ids[i]);
        if (e == ERR_OK && users[i].mobile)
            e = store_user_set_mobile(s, user_ids[i], users[i].mobile);
    }
    for (size_t i = 0; e == ERR_OK && i < sizeof canned / sizeof canned[0]; i++) {
        store_canned_reply c = {
            0, agency_ids[canned[i].agency], canned[i].title, canned[i].body, canned[i].lang, 0};
        e = store_canned_put(s, &c, user_ids[0], now);
    }
    for (size_t i = 0; e == ERR_OK && i < sizeof duty / sizeof duty[0]; i++)
        e = seed_duty(s, team_ids[users[duty[i].user].team], user_ids[duty[i].user], duty[i].days,
                      duty[i].start, duty[i].end, now);
    arena_t *ar = arena_new();
    if (!ar)
        return ERR_NOMEM;
    for (size_t i = 0; e == ERR_OK && i < sizeof cases / sizeof cases[0]; i++) {
        int k = cases[i].category;
        store_case c = {0};
        c.agency_id = agency_ids[categories[k].agency];
        c.category_id = cat_ids[k];
        c.kind = categories[k].kind;
        c.channel = i % 2 ? "phone" : "walk_in";
        c.status = status_name(lifecycle_initial((case_kind_t)kind_parse(c.kind)));
        c.priority = strcmp(c.kind, "emergency") == 0 ? "urgent" : "normal";
        c.description = cases[i].description;
        c.address = cases[i].address;
        c.kecamatan_code = cases[i].kecamatan;
        c.has_location = true;
        c.lat = cases[i].lat;
        c.lon = cases[i].lon;
        c.rahasia = true;
        c.created_by = user_ids[1];
        c.created_at = now - cases[i].hours_ago * 3600;
        e = store_case_create(s, ar, &c, NULL, NULL);
    }
    arena_destroy(ar);
    return e;
}

void seed_print_logins(FILE *f)
{
    fprintf(f, "Demo logins (password for all: %s):\n", SEED_DEMO_PASSWORD);
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        fprintf(f, "  %-20s %-11s %s\n", users[i].login, users[i].role,
                users[i].agency < 0 ? "semua instansi / all agencies"
                                    : agencies[users[i].agency].code);
}

#include "domain/ikm.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* The unsur in the order of the regulation's Lampiran (IKM.md §2), their
 * questions, and the answer labels of the standard questionnaire (§3). */
static const struct {
    const char *code, *name_id, *name_en, *q_id, *q_en;
    const char *labels_id[4], *labels_en[4];
} unsur[IKM_UNSUR] = {
    {"U1",
     "Persyaratan",
     "Requirements",
     "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
     "pelayanannya?",
     "How well did the requirements of the service match the service?",
     {"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"},
     {"Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"}},
    {"U2",
     "Sistem, Mekanisme, dan Prosedur",
     "System, mechanism and procedure",
     "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
     "How easy was the service procedure of this unit?",
     {"Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"},
     {"Not easy", "Less easy", "Easy", "Very easy"}},
    {"U3",
     "Waktu Penyelesaian",
     "Completion time",
     "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
     "How fast was the service delivered?",
     {"Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"},
     {"Not fast", "Less fast", "Fast", "Very fast"}},
    {"U4",
     "Biaya/Tarif",
     "Cost/tariff",
     "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
     "How fair was the cost of the service?",
     {"Sangat mahal", "Cukup mahal", "Murah", "Gratis"},
     {"Very expensive", "Rather expensive", "Cheap", "Free"}},
    {"U5",
     "Produk Spesifikasi Jenis Pelayanan",
     "Service product specification",
     "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
     "dalam standar pelayanan dengan hasil yang diberikan?",
     "How well did the result match what the service standard promises?",
     {"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"},
     {"Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"}},
    {"U6",
     "Kompetensi Pelaksana",
     "Competence of the officers",
     "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
     "How competent were the officers?",
     {"Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"},
     {"Not competent", "Less competent", "Competent", "Very competent"}},
    {"U7",
     "Perilaku Pelaksana",
     "Conduct of the officers",
     "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan "
     "keramahan?",
     "How polite and friendly were the officers?",
     {"Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
      "Sangat sopan dan ramah"},
     {"Not polite or friendly", "Less polite, friendly", "Polite and friendly",
      "Very polite, friendly"}},
    {"U8",
     "Penanganan Pengaduan, Saran dan Masukan",
     "Handling of complaints, suggestions and input",
     "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
     "How were complaints of service users handled?",
     {"Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
      "Dikelola dengan baik"},
     {"None", "Exists but not working", "Works, not at its best", "Well managed"}},
    {"U9",
     "Sarana dan Prasarana",
     "Facilities and infrastructure",
     "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
     "How good were the facilities and infrastructure?",
     {"Buruk", "Cukup", "Baik", "Sangat baik"},
     {"Poor", "Fair", "Good", "Very good"}},
};

static bool en(const char *lang) { return lang && strcmp(lang, "en") == 0; }

int ikm_add(ikm_tally *t, int u, int value)
{
    if (u < 0 || u >= IKM_UNSUR || value < 1 || value > 4)
        return -1;
    t->sum[u] += value;
    t->count[u]++;
    return 0;
}

void ikm_compute(const ikm_tally *t, ikm_weight_t w, ikm_result *out)
{
    memset(out, 0, sizeof *out);
    double total = 0;
    for (int u = 0; u < IKM_UNSUR; u++) {
        if (t->count[u] <= 0)
            continue;
        out->has[u] = true;
        out->nrr[u] = (double)t->sum[u] / (double)t->count[u];
        total += out->nrr[u];
        out->answered++;
    }
    if (out->answered == 0) {
        out->mutu = '-';
        out->kinerja = "-";
        return;
    }
    if (w == IKM_WEIGHT_0111)
        /* The printed weight, scaled to the answered share so that a
         * missing unsur does not count as a zero. */
        out->index = total * 0.111 * (double)IKM_UNSUR / (double)out->answered;
    else
        out->index = total / (double)out->answered;
    out->score = (double)llround(out->index * 25.0 * 100.0) / 100.0;
    out->mutu = ikm_mutu(out->score);
    out->kinerja = ikm_kinerja(out->mutu, "id");
}

char ikm_mutu(double score)
{
    long long cents = llround(score * 100.0);
    if (cents < 6500)
        return 'D';
    if (cents < 7661)
        return 'C';
    if (cents < 8831)
        return 'B';
    return 'A';
}

const char *ikm_kinerja(char mutu, const char *lang)
{
    switch (mutu) {
    case 'A':
        return en(lang) ? "Very good" : "Sangat baik";
    case 'B':
        return en(lang) ? "Good" : "Baik";
    case 'C':
        return en(lang) ? "Less than good" : "Kurang baik";
    case 'D':
        return en(lang) ? "Not good" : "Tidak baik";
    }
    return "-";
}

int64_t ikm_sample_target(int64_t population)
{
    if (population <= 0)
        return 0;
    const double x2 = 3.841, p = 0.5, d = 0.05, n = (double)population;
    double s = x2 * n * p * (1 - p) / (d * d * (n - 1) + x2 * p * (1 - p));
    int64_t r = (int64_t)llround(s);
    return r > population ? population : r;
}

const char *ikm_unsur_code(int u) { return u >= 0 && u < IKM_UNSUR ? unsur[u].code : "?"; }

const char *ikm_unsur_name(int u, const char *lang)
{
    if (u < 0 || u >= IKM_UNSUR)
        return "?";
    return en(lang) ? unsur[u].name_en : unsur[u].name_id;
}

const char *ikm_unsur_question(int u, const char *lang)
{
    if (u < 0 || u >= IKM_UNSUR)
        return "?";
    return en(lang) ? unsur[u].q_en : unsur[u].q_id;
}

const char *ikm_answer_label(int u, int value, const char *lang)
{
    if (u < 0 || u >= IKM_UNSUR || value < 1 || value > 4)
        return "?";
    return en(lang) ? unsur[u].labels_en[value - 1] : unsur[u].labels_id[value - 1];
}

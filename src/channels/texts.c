#include "channels/texts.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *key, *id, *en;
} texts[] = {
    {"greeting",
     "Selamat datang di layanan pengaduan *{agency}*. Silakan pilih menu di bawah ini.\n"
     "Ketik BATAL kapan saja untuk membatalkan, ENGLISH for English.",
     "Welcome to the complaint service of *{agency}*. Please choose from the menu below.\n"
     "Type CANCEL at any time to cancel, INDONESIA untuk Bahasa Indonesia."},
    {"menu_button", "Pilih menu", "Menu"},
    {"menu_report", "Buat laporan", "Make a report"},
    {"menu_report_desc", "Laporkan gangguan atau pelanggaran", "Report a problem or violation"},
    {"menu_status", "Cek status", "Check status"},
    {"menu_status_desc", "Perkembangan laporan Anda", "Progress of your reports"},
    {"menu_service", "Layanan dokumen", "Documents"},
    {"menu_service_desc", "Permohonan dokumen kependudukan", "Civil registry requests"},
    {"menu_help", "Bantuan", "Help"},
    {"menu_help_desc", "Cara menggunakan layanan ini", "How to use this service"},
    {"help",
     "Cara melapor: ketik MENU lalu pilih *Buat laporan*, ikuti pertanyaannya, lalu tekan "
     "*Kirim*. Anda akan mendapat kode laporan.\nCek laporan: ketik STATUS diikuti kodenya, "
     "misalnya STATUS ABCD-EFGH.\nBatalkan laporan yang sedang diisi: ketik BATAL.",
     "To report: type MENU, choose *Make a report*, answer the questions and press *Send*. "
     "You get a tracking code.\nTo check a report: type STATUS and the code, e.g. STATUS "
     "ABCD-EFGH.\nTo cancel a report you are writing: type CANCEL."},
    {"consent",
     "Sebelum melapor: nomor WhatsApp dan nama profil Anda kami simpan hanya untuk menangani "
     "laporan dan menghubungi Anda, paling lama 2 tahun setelah laporan selesai (UU 27/2022 "
     "tentang Pelindungan Data Pribadi). Identitas Anda dirahasiakan dari pihak yang "
     "dilaporkan.\nPilih *Setuju (anonim)* bila nama Anda juga tidak boleh tampil di halaman "
     "publik.",
     "Before you report: we keep your WhatsApp number and profile name only to handle your "
     "reports and contact you, for at most 2 years after a report is closed (Indonesian "
     "Personal Data Protection Law 27/2022). Your identity is kept from the reported party.\n"
     "Choose *Agree (anonymous)* if your name must not appear on public pages either."},
    {"consent_yes", "Setuju", "Agree"},
    {"consent_anon", "Setuju (anonim)", "Agree (anonymous)"},
    {"consent_no", "Tidak setuju", "Disagree"},
    {"consent_refused",
     "Baik, laporan tidak dibuat dan tidak ada data yang kami simpan untuk laporan. Anda juga "
     "dapat melapor langsung ke kantor kami.",
     "All right, no report is made. You can also report at our office."},
    {"choose_category", "Pilih jenis laporan:", "Choose the kind of report:"},
    {"choose_button", "Pilih", "Choose"},
    {"describe", "*{category}*\nCeritakan apa yang terjadi: apa, kapan, dan siapa yang terlibat.",
     "*{category}*\nTell us what happened: what, when and who is involved."},
    {"describe_short", "Mohon ceritakan lebih rinci (paling sedikit 10 huruf).",
     "Please tell us a little more (at least 10 letters)."},
    {"ask_location",
     "Di mana lokasinya? Bagikan lokasi: tekan 📎 lalu *Lokasi*. Atau ketik alamatnya.",
     "Where is it? Share the location: tap 📎 then *Location*. Or type the address."},
    {"ask_address", "Di mana lokasinya? Ketik alamatnya (jalan, nomor, desa).",
     "Where is it? Type the address (street, number, village)."},
    {"ask_kecamatan", "Di kecamatan mana alamat tersebut?", "In which kecamatan is it?"},
    {"kecamatan_button", "Pilih kecamatan", "Kecamatan"},
    {"ask_photos",
     "Kirim foto atau video sebagai bukti (boleh lebih dari satu), lalu tekan *Lanjut*. Tidak "
     "ada bukti? Tekan *Lewati*.",
     "Send photos or videos as evidence (several are fine), then press *Continue*. No "
     "evidence? Press *Skip*."},
    {"photo_received", "Bukti diterima ({count}). Kirim lagi, atau tekan *Lanjut*.",
     "Evidence received ({count}). Send more, or press *Continue*."},
    {"photos_full", "Sudah {count} berkas, cukup. Tekan *Lanjut*.",
     "That is {count} files, enough. Press *Continue*."},
    {"next", "Lanjut", "Continue"},
    {"skip", "Lewati", "Skip"},
    {"summary",
     "Periksa laporan Anda:\n*Jenis:* {category}\n*Cerita:* {description}\n*Lokasi:* "
     "{location}\n*Bukti:* {count} berkas\n\nTekan *Kirim* bila sudah benar.",
     "Check your report:\n*Kind:* {category}\n*Story:* {description}\n*Location:* "
     "{location}\n*Evidence:* {count} files\n\nPress *Send* if it is right."},
    {"location_shared", "titik yang dibagikan", "shared point"},
    {"send", "Kirim", "Send"},
    {"edit", "Ubah", "Change"},
    {"cancel", "Batal", "Cancel"},
    {"created",
     "Terima kasih, laporan Anda kami terima dengan kode *{code}*. Simpan kode ini.\n"
     "Perkembangannya: {url}\nAtau ketik STATUS {code}.",
     "Thank you, your report has been received with code *{code}*. Keep this code.\n"
     "Progress: {url}\nOr type STATUS {code}."},
    {"emergency_location",
     "*DARURAT — {category}*\nBagikan lokasi Anda SEKARANG: tekan 📎 lalu *Lokasi*. Petugas "
     "berangkat begitu lokasi diterima.",
     "*EMERGENCY — {category}*\nShare your location NOW: tap 📎 then *Location*. The crew "
     "leaves as soon as we have it."},
    {"emergency_address",
     "*DARURAT — {category}*\nKetik alamat kejadian SEKARANG (jalan, nomor, desa). Petugas "
     "berangkat begitu alamat diterima. Bila bisa, telepon juga 113.",
     "*EMERGENCY — {category}*\nType the address NOW (street, number, village). The crew "
     "leaves as soon as we have it. If you can, also call 113."},
    {"ask_urgent",
     "*{category}*\nAnda pelapor terdaftar ({group}). Apakah kejadian ini *DARURAT*: ada "
     "korban, bahaya, atau petugas harus datang sekarang?",
     "*{category}*\nYou are a registered reporter ({group}). Is this an *EMERGENCY*: someone "
     "hurt, danger, or the crew must come now?"},
    {"urgent_yes", "Darurat", "Emergency"},
    {"urgent_no", "Tidak darurat", "Not urgent"},
    {"emergency_text_location",
     "Mohon bagikan *lokasi* (📎 lalu *Lokasi*) agar petugas tidak salah tempat. Bila tidak "
     "bisa, telepon 113.",
     "Please share the *location* (📎 then *Location*) so the crew finds the place. If you "
     "cannot, call 113."},
    {"emergency_created",
     "Laporan darurat diterima, kode *{code}*. Petugas segera menuju lokasi. Bila aman, kirim "
     "foto atau keterangan tambahan.\nPerkembangan: {url}",
     "Emergency report received, code *{code}*. The crew is on its way. If it is safe, send "
     "photos or more details.\nProgress: {url}"},
    {"added_to_case", "Tambahan untuk laporan {code} kami terima.",
     "We added this to report {code}."},
    {"after_hours",
     "Laporan ini kami terima di luar jam kerja (Senin–Jumat {hours}); petugas akan "
     "menanganinya pada jam kerja berikutnya.",
     "We received this report outside working hours (Monday–Friday {hours}); an officer will "
     "handle it in the next working hours."},
    {"daily_limit",
     "Maaf, dari nomor ini sudah ada {count} laporan dalam 24 jam terakhir, batas per hari. "
     "Bila ada hal mendesak, hubungi kantor kami. Laporan darurat tetap dapat dikirim.",
     "Sorry, this number has already sent {count} reports in the last 24 hours, the daily "
     "limit. If it is urgent, call our office. Emergency reports can still be sent."},
    {"cancelled", "Laporan dibatalkan. Ketik MENU untuk memulai lagi.",
     "The report was cancelled. Type MENU to start again."},
    {"expired", "Laporan yang belum selesai Anda isi sudah kedaluwarsa (lebih dari 24 jam).",
     "The report you had not finished has expired (over 24 hours)."},
    {"not_understood", "Maaf, kami belum memahami balasan Anda.",
     "Sorry, we did not understand your reply."},
    {"choose_number", "Balas dengan nomor pilihan Anda.", "Reply with the number of your choice."},
    {"use_buttons", "Mohon pilih salah satu tombol, atau ketik nomornya.",
     "Please press one of the buttons, or type its number."},
    {"stuck",
     "Balasan Anda masih belum dapat kami pahami. Ketik MENU untuk kembali ke menu awal, atau "
     "BATAL untuk membatalkan laporan ini.",
     "We still cannot understand your reply. Type MENU to go back to the main menu, or CANCEL "
     "to cancel this report."},
    {"unsupported",
     "Maaf, jenis pesan ini belum dapat kami proses. Kirim teks, foto, video, dokumen, atau "
     "lokasi.",
     "Sorry, we cannot use this kind of message. Send text, photos, videos, documents or a "
     "location."},
    {"status_none", "Belum ada laporan dari nomor ini. Ketik MENU untuk membuat laporan.",
     "There are no reports from this number yet. Type MENU to make one."},
    {"status_head", "Laporan Anda:", "Your reports:"},
    {"status_line", "*{code}* — {category}: {status} ({date})",
     "*{code}* — {category}: {status} ({date})"},
    {"status_unknown", "Kode {code} tidak ditemukan di antara laporan Anda.",
     "Code {code} is not among your reports."},
    {"follow_on",
     "Anda akan menerima kabar perkembangan laporan *{code}* di nomor ini. Perkembangannya juga "
     "ada di {link}\nUntuk berhenti, ketik BERHENTI {code}.",
     "You will get the updates of report *{code}* on this number. Its progress is also at "
     "{link}\nTo stop, type UNFOLLOW {code}."},
    {"follow_off", "Anda tidak akan lagi menerima kabar laporan *{code}*.",
     "You will no longer get the updates of report *{code}*."},
    {"follow_unknown",
     "Laporan dengan kode {code} tidak ditemukan atau tidak dapat diikuti di layanan ini.",
     "No report with code {code} can be followed on this service."},
    {"service_soon",
     "Permohonan dokumen melalui WhatsApp belum tersedia di nomor ini. Silakan datang ke "
     "kantor kami.",
     "Document requests over WhatsApp are not available on this number yet. Please visit our "
     "office."},
    /* Civil-registry requests (channels/svc_dialog.c, issue #7). */
    {"svc_none",
     "Saat ini belum ada layanan dokumen yang bisa diajukan lewat WhatsApp. Silakan datang ke "
     "kantor kami.",
     "No document service can be requested over WhatsApp at the moment. Please visit our "
     "office."},
    {"svc_choose",
     "Pilih layanan dokumen yang Anda perlukan:", "Choose the document service you need:"},
    {"svc_choose_button", "Pilih layanan", "Services"},
    {"svc_target", "Target selesai {hours} jam kerja", "Target: {hours} working hours"},
    {"svc_consent",
     "*{service}*\nUntuk memproses permohonan ini kami memerlukan NIK, nama, dan foto/berkas "
     "dokumen Anda. Data ini hanya dipakai untuk menerbitkan dokumen yang Anda minta, hanya "
     "dapat dilihat petugas {agency}, dan berkas Anda dihapus {days} hari setelah permohonan "
     "selesai (UU 27/2022 tentang Pelindungan Data Pribadi). Apakah Anda setuju?",
     "*{service}*\nTo process this request we need your NIK, name and photos/files of your "
     "documents. They are used only to issue the document you ask for, seen only by the staff "
     "of {agency}, and your files are deleted {days} days after the request is finished "
     "(Indonesian Personal Data Protection Law 27/2022). Do you agree?"},
    {"svc_consent_yes", "Setuju", "Agree"},
    {"svc_consent_no", "Tidak setuju", "Disagree"},
    {"svc_consent_refused",
     "Baik, permohonan tidak dibuat dan data Anda tidak kami simpan. Anda juga dapat datang "
     "langsung ke kantor kami.",
     "All right, no request is made and none of your data is kept. You can also visit our "
     "office."},
    {"svc_ask_nik", "Ketik NIK (16 angka) pemohon, seperti tertulis di KTP-el atau KK.",
     "Type the applicant's NIK (16 digits), as written on the KTP-el or KK."},
    {"svc_nik_wrong", "NIK belum benar: {reason}\nSilakan ketik ulang NIK (16 angka).",
     "The NIK is not right: {reason}\nPlease type the NIK (16 digits) again."},
    {"svc_ask_name", "Ketik nama lengkap pemohon sesuai KK.",
     "Type the applicant's full name as on the KK."},
    {"svc_name_bad", "Mohon ketik nama lengkap (3 sampai 120 huruf).",
     "Please type the full name (3 to 120 letters)."},
    {"svc_name_digits",
     "Nama tidak boleh berisi angka; yang Anda ketik tampak seperti nomor, bukan nama. Ketik "
     "nama lengkap pemohon sesuai KK (huruf saja).",
     "A name has no digits; what you typed looks like a number, not a name. Type the "
     "applicant's full name as on the KK (letters only)."},
    {"svc_ask_doc", "Dokumen {n} dari {total}: *{document}*\n{help}\nKirim sebagai {kind}.",
     "Document {n} of {total}: *{document}*\n{help}\nSend it as {kind}."},
    {"svc_optional", "Dokumen ini tidak wajib: ketik LEWATI bila tidak ada.",
     "This document is optional: type SKIP if you do not have it."},
    {"svc_skip", "Lewati", "Skip"},
    {"svc_kind_photo", "foto", "a photo"},
    {"svc_kind_pdf", "berkas PDF (📎 lalu Dokumen)", "a PDF file (📎 then Document)"},
    {"svc_kind_both", "foto atau berkas PDF", "a photo or a PDF file"},
    {"svc_doc_wrong_type", "Dokumen *{document}* harus dikirim sebagai {kind}.",
     "*{document}* must be sent as {kind}."},
    {"svc_doc_required", "Dokumen *{document}* wajib dikirim.", "*{document}* is required."},
    {"svc_summary",
     "Periksa permohonan Anda:\nLayanan: *{service}*\nNIK: {nik}\nNama: {name}\nDokumen:\n"
     "{documents}\nKirim permohonan ini?",
     "Check your request:\nService: *{service}*\nNIK: {nik}\nName: {name}\nDocuments:\n"
     "{documents}\nSend this request?"},
    {"svc_doc_sent", "terkirim", "sent"},
    {"svc_doc_skipped", "dilewati", "skipped"},
    {"svc_send", "Kirim", "Send"},
    {"svc_cancel", "Batal", "Cancel"},
    {"svc_submitted",
     "Permohonan *{service}* diterima dengan kode *{code}*. Target selesai {hours} jam kerja. "
     "Kami kabari lewat WhatsApp ini; dokumen yang terbit dikirim ke sini sebagai PDF. Ketik "
     "STATUS {code} untuk memeriksa.",
     "Your request for *{service}* is received with code *{code}*. Target: {hours} working "
     "hours. We will tell you here; the issued document is sent here as a PDF. Type STATUS "
     "{code} to check."},
    {"svc_resend_ask",
     "Permohonan *{code}*: mohon kirim ulang *{document}*.\nAlasan: {reason}\n{help}\nKirim "
     "sebagai {kind}.",
     "Request *{code}*: please send *{document}* again.\nReason: {reason}\n{help}\nSend it as "
     "{kind}."},
    {"svc_resend_done",
     "Terima kasih, dokumen permohonan *{code}* sudah kami terima dan akan diperiksa petugas.",
     "Thank you, the documents of request *{code}* are in; staff will check them."},
    {"svc_resend_none", "Permohonan ini tidak sedang menunggu dokumen.",
     "This request is not waiting for documents."},
    {"svc_issued_caption",
     "{service} Anda (permohonan {code}) sudah terbit. Simpan berkas ini; cetak bila perlu.",
     "Your {service} (request {code}) is issued. Keep this file; print it if you need to."},
    {"status_update", "Laporan *{code}*: {status}.{note}", "Report *{code}*: {status}.{note}"},
    {"svc_status_update", "Permohonan *{code}*: {status}.{note}",
     "Request *{code}*: {status}.{note}"},
    {"svc_expired", "Permohonan yang belum selesai Anda isi sudah kedaluwarsa (lebih dari 24 jam).",
     "The request you had not finished has expired (over 24 hours)."},
    {"svc_cancelled", "Permohonan dibatalkan. Ketik MENU untuk memulai lagi.",
     "The request was cancelled. Type MENU to start again."},
    /* Confirmation of a resolved case and the satisfaction survey (issue #8). */
    {"sv_confirm", "Apakah masalah sudah selesai?", "Has the problem been solved?"},
    {"sv_yes", "Sudah", "Yes, solved"},
    {"sv_no", "Belum", "Not yet"},
    {"sv_ask_reason",
     "Mohon maaf. Ceritakan apa yang belum selesai, laporan *{code}* akan kami buka kembali.",
     "We are sorry. Tell us what is not solved yet and we will reopen report *{code}*."},
    {"sv_reason_short", "Mohon jelaskan sedikit lebih rinci (paling sedikit 5 huruf).",
     "Please explain a little more (at least 5 letters)."},
    {"sv_reopened",
     "Laporan *{code}* dibuka kembali dan akan ditindaklanjuti lagi. Terima kasih atas "
     "informasinya.",
     "Report *{code}* is reopened and will be followed up again. Thank you for letting us know."},
    {"sv_not_resolved", "Laporan *{code}* saat ini berstatus: {status}.",
     "Report *{code}* is now: {status}."},
    {"sv_closed",
     "Terima kasih atas konfirmasi Anda bahwa masalahnya sudah selesai. Laporan *{code}* kami "
     "tutup.",
     "Thank you for confirming that your problem is solved. Report *{code}* is closed."},
    {"sv_invite",
     "Bantu kami memperbaiki layanan: maukah Anda mengisi survei kepuasan (9 pertanyaan "
     "singkat, anonim) tentang laporan *{code}*?",
     "Help us improve: would you answer a short satisfaction survey (9 quick questions, "
     "anonymous) about report *{code}*?"},
    {"sv_start", "Isi survei", "Start survey"},
    {"sv_later", "Lain kali", "Not now"},
    {"sv_later_ok", "Baik, terima kasih. Ketik SURVEI kapan saja bila ingin mengisinya.",
     "All right, thank you. Type SURVEY any time to answer it."},
    {"sv_question", "Survei kepuasan ({n}/9) — *{unsur}*\n{question}",
     "Satisfaction survey ({n}/9) — *{unsur}*\n{question}"},
    {"sv_answer_button", "Pilih jawaban", "Choose answer"},
    {"sv_ask_comment",
     "Terakhir: ada saran atau masukan untuk kami? Ketik pesan Anda, atau tekan *Lewati*.",
     "Last: any suggestion for us? Type your message, or press *Skip*."},
    {"sv_skip", "Lewati", "Skip"},
    {"sv_done",
     "Terima kasih atas penilaian Anda. Jawaban Anda anonim dan membantu kami memperbaiki "
     "layanan.",
     "Thank you for your answers. They are anonymous and help us improve the service."},
    {"sv_already", "Survei untuk laporan *{code}* sudah diisi. Terima kasih.",
     "The survey of report *{code}* has been answered already. Thank you."},
    {"sv_none", "Tidak ada survei yang menunggu jawaban Anda.",
     "There is no survey waiting for your answer."},
    /* The reporter withdraws a filed case (issue 16). */
    {"wd_ask", "Batalkan laporan *{code}* ({category})? Laporan akan ditutup dan tidak diproses.",
     "Withdraw report *{code}* ({category})? It will be closed and not handled."},
    {"wd_yes", "Ya, batalkan", "Yes, withdraw"},
    {"wd_no", "Tidak", "No"},
    {"wd_done",
     "Laporan *{code}* sudah dibatalkan. Terima kasih telah memberi tahu kami. Ketik MENU untuk "
     "membuat laporan baru.",
     "Report *{code}* has been withdrawn. Thank you for letting us know. Type MENU to make a new "
     "report."},
    {"wd_kept", "Baik, laporan *{code}* tetap kami proses.",
     "All right, report *{code}* stays open."},
    {"wd_handled",
     "Laporan *{code}* sudah ditangani petugas atau sudah selesai, jadi tidak dapat dibatalkan "
     "di sini. Bila ingin membatalkannya, tulis alasannya di sini dan petugas kami akan membalas.",
     "Report *{code}* is already being handled or is finished, so it cannot be withdrawn here. "
     "To stop it, write your reason here and our staff will reply."},
    {"wd_unknown",
     "Kode *{code}* tidak ditemukan di antara laporan dari nomor ini. Periksa kembali kodenya.",
     "Code *{code}* is not among the reports sent from this contact. Please check the code."},
    {"wd_which", "Laporan mana yang ingin dibatalkan? Ketik BATAL diikuti kodenya:{list}",
     "Which report do you want to withdraw? Type CANCEL followed by its code:{list}"},
};

#define NTEXTS (sizeof texts / sizeof texts[0])

/* Admin overrides, per entry of texts[] (malloc'd; NULL: the default). */
static char *over_id[NTEXTS], *over_en[NTEXTS];

size_t bot_text_count(void) { return NTEXTS; }
const char *bot_text_key(size_t i) { return i < NTEXTS ? texts[i].key : NULL; }
const char *bot_text_default(size_t i, const char *lang)
{
    return i < NTEXTS ? (lang && !strcmp(lang, "en") ? texts[i].en : texts[i].id) : NULL;
}

static int find(const char *key)
{
    for (size_t i = 0; i < NTEXTS; i++)
        if (strcmp(texts[i].key, key) == 0)
            return (int)i;
    return -1;
}

void bot_text_override(const store_bot_text *rows, size_t n)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        free(over_id[i]);
        free(over_en[i]);
        over_id[i] = over_en[i] = NULL;
    }
    for (size_t k = 0; k < n; k++) {
        int i = find(rows[k].key);
        if (i < 0 || bot_text_check(rows[k].key, rows[k].lang, rows[k].text))
            continue; /* a key this version does not have, or a broken text */
        if (!strcmp(rows[k].lang, "en"))
            over_en[i] = strdup(rows[k].text);
        else
            over_id[i] = strdup(rows[k].text);
    }
}

const char *bot_text(const char *key, const char *lang)
{
    bool en = lang && strcmp(lang, "en") == 0;
    int i = find(key);
    if (i < 0)
        return key;
    if (en)
        return over_en[i] ? over_en[i] : texts[i].en;
    return over_id[i] ? over_id[i] : texts[i].id;
}

/* The distinct {placeholders} of a text: "{" name "}" with a name of
 * lowercase letters, digits and "_" (any other brace is plain text). */
#define PH_MAX 16
typedef struct {
    const char *p[PH_MAX]; /* each at its "{" */
    size_t len[PH_MAX];    /* with both braces */
    size_t n;
    bool overflow; /* more than PH_MAX: never a text's own */
} ph_set;

static bool ph_has(const ph_set *s, const char *p, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] == len && strncmp(s->p[i], p, len) == 0)
            return true;
    return false;
}

static void ph_scan(const char *t, ph_set *s)
{
    memset(s, 0, sizeof *s);
    for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
        size_t n = 1;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
            n++;
        if (n == 1 || p[n] != '}')
            continue;
        n++;
        if (ph_has(s, p, n))
            continue;
        if (s->n == PH_MAX) {
            s->overflow = true;
            continue;
        }
        s->p[s->n] = p;
        s->len[s->n++] = n;
    }
}

/* The members of a missing from b, "{x}, {y}" in the arena; NULL if none. */
static const char *ph_minus(arena_t *ar, const ph_set *a, const ph_set *b)
{
    const char *out = NULL;
    for (size_t i = 0; i < a->n; i++) {
        if (ph_has(b, a->p[i], a->len[i]))
            continue;
        out = out ? arena_printf(ar, "%s, %.*s", out, (int)a->len[i], a->p[i])
                  : arena_printf(ar, "%.*s", (int)a->len[i], a->p[i]);
    }
    if (a->overflow)
        out = out ? arena_printf(ar, "%s, …", out) : "…";
    return out;
}

bool bot_text_placeholders(arena_t *ar, const char *key, const char *lang, const char *text,
                           const char **missing, const char **unknown)
{
    ph_set want, got;
    int i = find(key);
    *missing = *unknown = NULL;
    if (i < 0)
        return false;
    ph_scan(lang && !strcmp(lang, "en") ? texts[i].en : texts[i].id, &want);
    ph_scan(text, &got);
    *missing = ph_minus(ar, &want, &got);
    *unknown = ph_minus(ar, &got, &want);
    return !*missing && !*unknown;
}

const char *bot_text_check(const char *key, const char *lang, const char *text)
{
    ph_set want, got;
    int i = find(key);
    if (i < 0)
        return "unknown key";
    ph_scan(lang && !strcmp(lang, "en") ? texts[i].en : texts[i].id, &want);
    ph_scan(text, &got);
    bool same = !got.overflow && got.n == want.n;
    for (size_t k = 0; same && k < got.n; k++)
        same = ph_has(&want, got.p[k], got.len[k]);
    return same ? NULL : "the text does not keep the {placeholders} of the built-in text";
}

const char *bot_text_placeholder_names(arena_t *ar, size_t i, const char *lang)
{
    ph_set s, none;
    if (i >= NTEXTS)
        return NULL;
    ph_scan(lang && !strcmp(lang, "en") ? texts[i].en : texts[i].id, &s);
    memset(&none, 0, sizeof none);
    return ph_minus(ar, &s, &none);
}

char *bot_textf(arena_t *ar, const char *key, const char *lang, ...)
{
    const char *t = bot_text(key, lang);
    const char *names[8], *values[8];
    int nv = 0;
    va_list ap;
    va_start(ap, lang);
    for (const char *name; nv < 8 && (name = va_arg(ap, const char *));) {
        names[nv] = name;
        values[nv] = va_arg(ap, const char *);
        if (!values[nv])
            values[nv] = "";
        nv++;
    }
    va_end(ap);
    /* Room for every use of every name: an admin's text may repeat one. */
    size_t cap = strlen(t) + 1;
    for (int i = 0; i < nv; i++)
        for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{'))
            if (strncmp(p + 1, names[i], strlen(names[i])) == 0 && p[1 + strlen(names[i])] == '}')
                cap += strlen(values[i]);
    char *out = arena_alloc(ar, cap);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const char *p = t; *p;) {
        int hit = -1;
        if (*p == '{')
            for (int i = 0; i < nv && hit < 0; i++) {
                size_t ln = strlen(names[i]);
                if (strncmp(p + 1, names[i], ln) == 0 && p[1 + ln] == '}')
                    hit = i;
            }
        if (hit >= 0 && o + strlen(values[hit]) < cap) {
            memcpy(out + o, values[hit], strlen(values[hit]));
            o += strlen(values[hit]);
            p += strlen(names[hit]) + 2;
        } else if (o + 1 < cap) {
            out[o++] = *p++;
        } else {
            break;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- the admin page's view of the catalogue (issue 13) -------------------- */

/* The steps of the conversation, in the order a citizen meets them. */
static const struct {
    const char *key, *id, *en;
} steps[] = {
    {"menu", "Sapaan dan menu", "Greeting and menu"},
    {"consent", "Persetujuan data pribadi", "Consent to personal data"},
    {"report", "Mengisi laporan", "Writing a report"},
    {"created", "Laporan diterima", "Report received"},
    {"emergency", "Laporan darurat", "Emergency reports"},
    {"status", "Cek status dan kabar perkembangan", "Status and progress updates"},
    {"survey", "Konfirmasi selesai dan survei kepuasan", "Confirmation and satisfaction survey"},
    {"service", "Layanan dokumen kependudukan", "Civil-registry documents"},
    {"trouble", "Pembatalan dan balasan yang tidak dipahami",
     "Cancelling and replies not understood"},
    {"other", "Lainnya", "Other"},
};
#define NSTEPS     (sizeof steps / sizeof steps[0])
#define STEP_OTHER (NSTEPS - 1)

/* Each text's step and what it is, for people. A text missing here is
 * listed under "Lainnya" with its key (tests/unit checks there is none). */
static const struct {
    const char *key, *step, *id, *en;
} labels[] = {
    {"greeting", "menu", "Sapaan pertama", "First greeting"},
    {"menu_button", "menu", "Tombol pembuka menu", "Menu button"},
    {"menu_report", "menu", "Menu: buat laporan", "Menu: make a report"},
    {"menu_report_desc", "menu", "Menu: keterangan buat laporan", "Menu: make a report, hint"},
    {"menu_status", "menu", "Menu: cek status", "Menu: check status"},
    {"menu_status_desc", "menu", "Menu: keterangan cek status", "Menu: check status, hint"},
    {"menu_service", "menu", "Menu: layanan dokumen", "Menu: documents"},
    {"menu_service_desc", "menu", "Menu: keterangan layanan dokumen", "Menu: documents, hint"},
    {"menu_help", "menu", "Menu: bantuan", "Menu: help"},
    {"menu_help_desc", "menu", "Menu: keterangan bantuan", "Menu: help, hint"},
    {"help", "menu", "Cara menggunakan layanan", "How to use the service"},
    {"consent", "consent", "Permintaan persetujuan", "Asking for consent"},
    {"consent_yes", "consent", "Tombol setuju", "Agree button"},
    {"consent_anon", "consent", "Tombol setuju (anonim)", "Agree (anonymous) button"},
    {"consent_no", "consent", "Tombol tidak setuju", "Disagree button"},
    {"consent_refused", "consent", "Jawaban bila tidak setuju", "Answer to a refusal"},
    {"choose_category", "report", "Pilih jenis laporan", "Choose the kind of report"},
    {"choose_button", "report", "Tombol pilih jenis", "Choose button"},
    {"describe", "report", "Minta cerita kejadian", "Asking what happened"},
    {"describe_short", "report", "Cerita terlalu pendek", "Story too short"},
    {"ask_location", "report", "Minta lokasi", "Asking for the location"},
    {"ask_address", "report", "Minta alamat (saluran tanpa berbagi lokasi)",
     "Asking for the address (a channel without locations)"},
    {"ask_kecamatan", "report", "Minta kecamatan", "Asking for the kecamatan"},
    {"kecamatan_button", "report", "Tombol pilih kecamatan", "Kecamatan button"},
    {"ask_photos", "report", "Minta foto atau video bukti", "Asking for evidence"},
    {"photo_received", "report", "Bukti diterima", "Evidence received"},
    {"photos_full", "report", "Bukti sudah cukup", "Enough evidence"},
    {"next", "report", "Tombol lanjut", "Continue button"},
    {"skip", "report", "Tombol lewati", "Skip button"},
    {"summary", "report", "Ringkasan sebelum dikirim", "Summary before sending"},
    {"location_shared", "report", "Tulisan untuk lokasi yang dibagikan",
     "Words for a shared point"},
    {"send", "report", "Tombol kirim", "Send button"},
    {"edit", "report", "Tombol ubah", "Change button"},
    {"cancel", "report", "Tombol batal", "Cancel button"},
    {"created", "created", "Laporan diterima, dengan kode pelacakan",
     "Report received, with its code"},
    {"added_to_case", "created", "Tambahan untuk laporan lama", "Added to an earlier report"},
    {"after_hours", "created", "Diterima di luar jam kerja", "Received outside working hours"},
    {"daily_limit", "created", "Batas laporan per hari", "Daily report limit"},
    {"emergency_location", "emergency", "Darurat: minta lokasi sekarang",
     "Emergency: location now"},
    {"emergency_address", "emergency", "Darurat: minta alamat (saluran tanpa berbagi lokasi)",
     "Emergency: the address (a channel without locations)"},
    {"ask_urgent", "emergency", "Pelapor terdaftar: darurat atau tidak",
     "Registered reporter: urgent?"},
    {"urgent_yes", "emergency", "Tombol darurat", "Emergency button"},
    {"urgent_no", "emergency", "Tombol tidak darurat", "Not urgent button"},
    {"emergency_text_location", "emergency", "Darurat: lokasi belum dibagikan",
     "Emergency: location not shared"},
    {"emergency_created", "emergency", "Darurat diterima, dengan kode", "Emergency received, code"},
    {"status_none", "status", "Belum ada laporan dari nomor ini", "No reports from this number"},
    {"status_head", "status", "Judul daftar laporan", "Heading of the report list"},
    {"status_line", "status", "Satu baris daftar laporan", "One line of the report list"},
    {"status_unknown", "status", "Kode tidak ditemukan", "Code not found"},
    {"follow_on", "status", "Mulai mengikuti laporan (IKUTI kode)",
     "Following a report (FOLLOW code)"},
    {"follow_off", "status", "Berhenti mengikuti laporan", "No longer following a report"},
    {"follow_unknown", "status", "Laporan tidak dapat diikuti", "Report cannot be followed"},
    {"status_update", "status", "Kabar perubahan status", "Status update"},
    {"svc_status_update", "service", "Kabar perubahan status permohonan", "Request status update"},
    {"sv_confirm", "survey", "Tanya: sudah selesai?", "Asking: solved?"},
    {"sv_yes", "survey", "Tombol sudah selesai", "Solved button"},
    {"sv_no", "survey", "Tombol belum selesai", "Not yet button"},
    {"sv_ask_reason", "survey", "Minta alasan belum selesai", "Asking what is not solved"},
    {"sv_reason_short", "survey", "Alasan terlalu pendek", "Reason too short"},
    {"sv_reopened", "survey", "Laporan dibuka kembali", "Report reopened"},
    {"sv_not_resolved", "survey", "Laporan belum selesai ditangani", "Report not resolved yet"},
    {"sv_closed", "survey", "Laporan ditutup", "Report closed"},
    {"sv_invite", "survey", "Ajakan mengisi survei", "Survey invitation"},
    {"sv_start", "survey", "Tombol isi survei", "Start survey button"},
    {"sv_later", "survey", "Tombol lain kali", "Not now button"},
    {"sv_later_ok", "survey", "Jawaban bila ditunda", "Answer to not now"},
    {"sv_question", "survey", "Pertanyaan survei", "Survey question"},
    {"sv_answer_button", "survey", "Tombol pilih jawaban", "Choose answer button"},
    {"sv_ask_comment", "survey", "Minta saran", "Asking for suggestions"},
    {"sv_skip", "survey", "Tombol lewati saran", "Skip suggestion button"},
    {"sv_done", "survey", "Terima kasih setelah survei", "Thanks after the survey"},
    {"sv_already", "survey", "Survei sudah diisi", "Survey answered already"},
    {"sv_none", "survey", "Tidak ada survei", "No survey waiting"},
    {"service_soon", "service", "Layanan dokumen belum tersedia", "Documents not available yet"},
    {"svc_none", "service", "Tidak ada layanan dokumen", "No document service"},
    {"svc_choose", "service", "Pilih layanan dokumen", "Choose a document service"},
    {"svc_choose_button", "service", "Tombol pilih layanan", "Services button"},
    {"svc_target", "service", "Target waktu selesai", "Target time"},
    {"svc_consent", "service", "Persetujuan data permohonan", "Consent for a request"},
    {"svc_consent_yes", "service", "Tombol setuju", "Agree button"},
    {"svc_consent_no", "service", "Tombol tidak setuju", "Disagree button"},
    {"svc_consent_refused", "service", "Jawaban bila tidak setuju", "Answer to a refusal"},
    {"svc_ask_nik", "service", "Minta NIK", "Asking for the NIK"},
    {"svc_nik_wrong", "service", "NIK belum benar", "NIK not right"},
    {"svc_ask_name", "service", "Minta nama pemohon", "Asking for the name"},
    {"svc_name_bad", "service", "Nama belum benar", "Name not right"},
    {"svc_name_digits", "service", "Nama berisi angka", "A name with digits"},
    {"svc_ask_doc", "service", "Minta satu dokumen", "Asking for one document"},
    {"svc_optional", "service", "Dokumen tidak wajib", "Optional document"},
    {"svc_skip", "service", "Tombol lewati dokumen", "Skip document button"},
    {"svc_kind_photo", "service", "Jenis berkas: foto", "File kind: photo"},
    {"svc_kind_pdf", "service", "Jenis berkas: PDF", "File kind: PDF"},
    {"svc_kind_both", "service", "Jenis berkas: foto atau PDF", "File kind: photo or PDF"},
    {"svc_doc_wrong_type", "service", "Jenis berkas salah", "Wrong file kind"},
    {"svc_doc_required", "service", "Dokumen wajib dikirim", "Document required"},
    {"svc_summary", "service", "Ringkasan permohonan", "Summary of the request"},
    {"svc_doc_sent", "service", "Tulisan: terkirim", "Words: sent"},
    {"svc_doc_skipped", "service", "Tulisan: dilewati", "Words: skipped"},
    {"svc_send", "service", "Tombol kirim permohonan", "Send request button"},
    {"svc_cancel", "service", "Tombol batal permohonan", "Cancel request button"},
    {"svc_submitted", "service", "Permohonan diterima, dengan kode", "Request received, code"},
    {"svc_resend_ask", "service", "Minta kirim ulang dokumen", "Asking to send a document again"},
    {"svc_resend_done", "service", "Dokumen ulang diterima", "Documents sent again received"},
    {"svc_resend_none", "service", "Tidak sedang menunggu dokumen", "Not waiting for documents"},
    {"svc_issued_caption", "service", "Keterangan dokumen terbit",
     "Caption of the issued document"},
    {"cancelled", "trouble", "Laporan dibatalkan", "Report cancelled"},
    {"expired", "trouble", "Isian kedaluwarsa", "Draft expired"},
    {"svc_cancelled", "service", "Permohonan dibatalkan", "Request cancelled"},
    {"svc_expired", "service", "Isian permohonan kedaluwarsa", "Request draft expired"},
    {"not_understood", "trouble", "Balasan tidak dipahami", "Reply not understood"},
    {"choose_number", "trouble", "Pilihan bernomor (saluran tanpa tombol)",
     "Numbered options (a channel without buttons)"},
    {"use_buttons", "trouble", "Minta memakai tombol", "Please use the buttons"},
    {"stuck", "trouble", "Masih tidak dipahami", "Still not understood"},
    {"unsupported", "trouble", "Jenis pesan tidak didukung", "Unsupported kind of message"},
    /* issue 16: the reporter withdraws a filed case */
    {"wd_ask", "status", "Konfirmasi pembatalan laporan (BATAL kode)",
     "Confirming a withdrawal (CANCEL code)"},
    {"wd_yes", "status", "Tombol ya, batalkan", "Yes, withdraw button"},
    {"wd_no", "status", "Tombol tidak membatalkan", "Do not withdraw button"},
    {"wd_done", "status", "Laporan dibatalkan oleh pelapor", "Report withdrawn by the reporter"},
    {"wd_kept", "status", "Laporan tidak jadi dibatalkan", "Report kept"},
    {"wd_handled", "status", "Laporan sudah ditangani, tidak dapat dibatalkan",
     "Report already handled, cannot be withdrawn"},
    {"wd_unknown", "status", "Kode laporan tidak dikenal untuk pembatalan",
     "Unknown code to withdraw"},
    {"wd_which", "status", "Pilih laporan yang dibatalkan", "Which report to withdraw"},
};

static int find_label(size_t i)
{
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
        if (strcmp(labels[k].key, texts[i].key) == 0)
            return (int)k;
    return -1;
}

size_t bot_text_step_count(void) { return NSTEPS; }
const char *bot_text_step_key(size_t step) { return step < NSTEPS ? steps[step].key : NULL; }
const char *bot_text_step_label(size_t step, const char *lang)
{
    if (step >= NSTEPS)
        return NULL;
    return lang && !strcmp(lang, "en") ? steps[step].en : steps[step].id;
}

size_t bot_text_step_of(size_t i)
{
    int k = i < NTEXTS ? find_label(i) : -1;
    for (size_t st = 0; k >= 0 && st < NSTEPS; st++)
        if (!strcmp(steps[st].key, labels[k].step))
            return st;
    return STEP_OTHER;
}

const char *bot_text_label(size_t i, const char *lang)
{
    if (i >= NTEXTS)
        return NULL;
    int k = find_label(i);
    if (k < 0)
        return texts[i].key;
    return lang && !strcmp(lang, "en") ? labels[k].en : labels[k].id;
}

bool bot_text_labelled(size_t i) { return i < NTEXTS && find_label(i) >= 0; }

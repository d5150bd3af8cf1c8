#!/usr/bin/python3
"""Writes N realistic cases of the Balangan demo as CSV for a bulk load.

    inbox_gen.py N OUTDIR      -> OUTDIR/reporters.csv, cases.csv, events.csv

The ids of the demo seed (`aduan init --demo`) are assumed: agencies 1..3,
categories 1..13, teams 1..5, kecamatan 63.11.01..08. Deterministic (seeded),
so SQLite and PostgreSQL get the same rows. Empty fields are NULL.
"""
import csv
import os
import random
import sys

N = int(sys.argv[1])
OUT = sys.argv[2]
rnd = random.Random(20261122)

ALPHA = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
START = 1704067200  # 2024-01-01
NOW = 1795305600  # 2026-11-22
STEP = (NOW - START) / (N + 1)

KEC = [("63.11.01", "Lampihong", 10), ("63.11.02", "Batumandi", 9), ("63.11.03", "Juai", 10),
       ("63.11.04", "Halong", 11), ("63.11.05", "Awayan", 9), ("63.11.06", "Paringin", 30),
       ("63.11.07", "Paringin Selatan", 14), ("63.11.08", "Tebing Tinggi", 7)]
KEC_W = [k[2] for k in KEC]
PLACES = ["pasar", "terminal", "masjid", "sekolah", "puskesmas", "kantor desa", "jembatan",
          "lapangan", "simpang empat", "taman kota", "pelabuhan", "rumah sakit", "SPBU"]
STREETS = ["Jl. Ahmad Yani", "Jl. Pangeran Antasari", "Jl. Jend. Sudirman", "Jl. Merdeka",
           "Jl. Hasan Basri", "Jl. Gatot Subroto", "Jl. Diponegoro", "Jl. Pramuka", "Jl. Veteran",
           "Jl. Tanjung Selor", "Jl. Bahari", "Jl. Kenanga"]
FIRST = ["Ahmad", "Siti", "Muhammad", "Nur", "Rahmat", "Dewi", "Budi", "Fitri", "Hendra",
         "Rina", "Syahrul", "Aisyah", "Yusuf", "Wahyuni", "Rizki", "Halimah", "Fauzan", "Lestari"]
LAST = ["Hidayat", "Rahman", "Saputra", "Wulandari", "Kurniawan", "Nurhasanah", "Pratama",
        "Fitriani", "Gunawan", "Maulana", "Anggraini", "Syahputra"]
TEXTS = {
    1: ["Ada keributan warga di dekat {p}, mohon petugas datang",
        "Sekelompok remaja balap liar setiap malam di sekitar {p}",
        "Orang mabuk mengganggu ketertiban di depan {p}"],
    2: ["Pedagang kaki lima berjualan di trotoar dekat {p}, pejalan kaki terganggu",
        "Lapak PKL menutup jalan di sekitar {p} sejak pagi",
        "Gerobak pedagang parkir di bahu jalan depan {p}"],
    3: ["Bangunan liar berdiri di sempadan sungai dekat {p}",
        "Warung semi permanen dibangun tanpa izin di lahan {p}"],
    4: ["Spanduk dan reklame liar dipasang di tiang listrik dekat {p}",
        "Baliho roboh hampir menimpa pengendara di depan {p}"],
    5: ["Tempat hiburan buka melewati jam operasional di dekat {p}",
        "Pembakaran sampah sembarangan di belakang {p}, asap mengganggu"],
    6: ["Kebakaran rumah warga di belakang {p}, api membesar",
        "Kebakaran lahan dan semak dekat {p}, asap tebal",
        "Korsleting listrik di toko dekat {p}, ada asap"],
    7: ["Ular masuk rumah warga dekat {p}, mohon evakuasi",
        "Sarang tawon besar di pohon halaman {p}",
        "Kucing terjebak di atap rumah dekat {p}"],
    8: ["Permohonan cetak KTP-el baru, sudah rekam di kecamatan",
        "KTP-el rusak dan perlu diganti, mohon informasinya"],
    9: ["Permohonan perubahan data kartu keluarga karena pindah alamat",
        "Penambahan anggota keluarga di KK setelah kelahiran"],
    10: ["Permohonan akta kelahiran anak yang lahir di {p}"],
    11: ["Permohonan akta kematian orang tua, meninggal di {p}"],
    12: ["Permohonan Kartu Identitas Anak untuk anak usia sekolah"],
    13: ["Permohonan surat pindah datang dari luar kabupaten"],
}
EXTRA = ["", "", "", " Sudah berlangsung tiga hari.", " Mohon segera ditindaklanjuti.",
         " Kejadian sekitar pukul {h}.00 WITA.", " Warga sekitar resah.",
         " Foto sudah saya kirim.", " Terima kasih."]
CATS = {1: [1, 2, 3, 4, 5], 2: [6, 7], 3: [8, 9, 10, 11, 12, 13]}
TEAMS = {1: [1, 2, 3], 2: [4, 5], 3: []}
KIND = {1: "complaint", 2: "emergency", 3: "service"}


def code(i):
    v = (i * 0x9E3779B97F4A7C15 + 0x1234567) % (1 << 40)  # odd multiplier: a bijection
    return "".join(ALPHA[(v >> (5 * k)) & 31] for k in range(8))


def status(agency, frac):
    r = rnd.random()
    if frac > 0.985:  # the newest cases are still open
        if agency == 3:
            return rnd.choice(["submitted", "checking", "processing", "incomplete"])
        return rnd.choice(["received", "received", "verified", "dispatched", "in_progress",
                           "on_hold", "resolved"])
    if agency == 3:
        return "closed" if r < 0.8 else ("issued" if r < 0.95 else "rejected")
    return "closed" if r < 0.85 else ("rejected" if r < 0.92 else
                                      ("resolved" if r < 0.97 else "forwarded"))


os.makedirs(OUT, exist_ok=True)
NREP = max(1, N // 4)
with open(os.path.join(OUT, "reporters.csv"), "w", newline="") as f:
    w = csv.writer(f)
    for i in range(1, NREP + 1):
        w.writerow([i, "62812%08d" % i, "0812%08d" % i,
                     "%s %s" % (rnd.choice(FIRST), rnd.choice(LAST)), "",
                     START + i, START + i])

with open(os.path.join(OUT, "cases.csv"), "w", newline="") as fc, \
        open(os.path.join(OUT, "events.csv"), "w", newline="") as fe:
    wc, we = csv.writer(fc), csv.writer(fe)
    for i in range(1, N + 1):
        r = rnd.random()
        agency = 1 if r < 0.55 else (2 if r < 0.70 else 3)
        cat = rnd.choice(CATS[agency])
        kec = rnd.choices(KEC, KEC_W)[0]
        place = rnd.choice(PLACES)
        desc = rnd.choice(TEXTS[cat]).format(p=place + " " + kec[1]) + "." + \
            rnd.choice(EXTRA).format(h=rnd.randint(6, 23))
        street = rnd.choice(STREETS)
        addr = "%s No. %d, %s" % (street, rnd.randint(1, 250), kec[1])
        ch = rnd.choices(["whatsapp", "walk_in", "phone", "web"], [70, 15, 10, 5])[0]
        rep = rnd.randint(1, NREP) if (ch == "whatsapp" or rnd.random() < 0.6) else ""
        st = status(agency, i / N)
        team = rnd.choice(TEAMS[agency]) if TEAMS[agency] and st not in (
            "received", "verified", "rejected", "forwarded") else ""
        created = int(START + i * STEP)
        updated = created + rnd.randint(0, 5 * 86400)
        lat = "%.6f" % (-2.33 + rnd.uniform(-0.15, 0.15)) if ch == "whatsapp" else ""
        lon = "%.6f" % (115.47 + rnd.uniform(-0.15, 0.15)) if lat else ""
        prio = "urgent" if agency == 2 else rnd.choices(["low", "normal", "high"], [5, 85, 10])[0]
        rahasia = 1 if rnd.random() < 0.02 else 0
        # One Satpol PP case in 200 forwarded to LAPOR! (issue 13's filter);
        # not drawn from rnd, so the rest of the data stays as it was.
        lapor = str(1900000 + i) if agency == 1 and i % 200 == 7 else ""
        wc.writerow([i, agency, cat, KIND[agency], ch, rep, desc, lat, lon, addr, kec[0], prio,
                     st, team, rahasia, 0, code(i), lapor, "", "", "", created, updated])
        we.writerow([i, i, 1, "create", "", "submitted" if agency == 3 else "received", "", "",
                     team, "", 1, created])

// Texts of the dashboard: Indonesian first, English second. The choice is
// remembered in localStorage and sent to the API (Accept-Language).

const T = {
  id: {
    skip: 'Lompat ke isi', loading: 'Memuat…', login_title: 'Masuk ke dasbor aduan',
    login: 'Nama pengguna', password: 'Kata sandi', sign_in: 'Masuk', logout: 'Keluar',
    switch_lang: 'English', inbox: 'Kotak masuk', field: 'Tugas lapangan', new_report: 'Laporan baru',
    all: 'Semua', status: 'Status', category: 'Kategori', team: 'Tim', kecamatan: 'Kecamatan',
    agency: 'Instansi', from: 'Dari tanggal', to: 'Sampai tanggal', search: 'Cari',
    search_ph: 'Kata dalam uraian atau alamat', apply: 'Terapkan', reset: 'Atur ulang',
    more: 'Muat lebih banyak', none: 'Tidak ada kasus.', code: 'Kode', age: 'Umur',
    channel: 'Kanal', description: 'Uraian', new_cases: 'kasus baru masuk',
    emergency_arrived: 'DARURAT: laporan darurat baru masuk', updated: 'Diperbarui',
    ch_whatsapp: 'WhatsApp', ch_walk_in: 'Datang langsung', ch_phone: 'Telepon', ch_web: 'Web',
    back: '← Kembali ke kotak masuk', reporter: 'Pelapor', address: 'Alamat', priority: 'Prioritas',
    created: 'Dibuat', conversation: 'Percakapan', timeline: 'Riwayat', actions: 'Tindakan',
    files: 'Berkas', map: 'Peta', no_location: 'Tanpa lokasi.', no_actions: 'Tidak ada tindakan yang dapat Anda lakukan pada status ini.',
    note: 'Catatan', note_reason: 'Alasan / catatan (wajib)', choose_team: 'Pilih tim',
    choose_agency: 'Instansi tujuan', do: 'Kirim', cancel: 'Batal', done_ok: 'Tersimpan.',
    reply: 'Balas ke pelapor', reply_ph: 'Tulis pesan WhatsApp…', send: 'Kirim pesan',
    window_open: 'Jendela 24 jam terbuka sampai', window_closed: 'Jendela 24 jam tertutup: pesan dikirim sebagai templat yang disetujui.',
    no_wa: 'Kasus ini tidak datang dari WhatsApp.', thread_empty: 'Belum ada pesan.',
    queued: 'Pesan diantrekan.', sent_as_template: 'Dikirim sebagai templat (di luar jendela 24 jam).',
    photo: 'Foto', video: 'Video', document: 'Dokumen', location: 'Lokasi', open_map: 'Buka di peta',
    add_photo: 'Tambah foto dari kamera', uploading: 'Mengunggah…', uploaded: 'Foto tersimpan.',
    pending_file: 'sedang diunduh', d_pending: 'menunggu', d_accepted: 'terkirim ke WhatsApp',
    d_sent: 'terkirim', d_delivered: 'diterima', d_read: 'dibaca', d_failed: 'gagal',
    template: 'templat', citizen: 'Warga', us: 'Petugas', by: 'oleh', system: 'sistem',
    my_cases: 'Kasus tim saya', no_team: 'Anda belum menjadi anggota tim.', no_field_cases: 'Tidak ada tugas untuk tim Anda.',
    navigate: 'Navigasi ke lokasi', start: 'Mulai tangani', resolve: 'Selesai', resolve_note: 'Hasil penanganan (wajib)',
    open_case: 'Buka kasus', walkin_title: 'Laporan datang langsung / telepon',
    reporter_name: 'Nama pelapor', reporter_phone: 'Nomor HP pelapor', lat: 'Lintang', lon: 'Bujur',
    rahasia: 'Rahasiakan identitas pelapor', anonim: 'Anonim', save_report: 'Simpan laporan',
    created_ok: 'Laporan tersimpan dengan kode', pick_on_map: 'Klik peta untuk memilih lokasi',
    err_network: 'Tidak dapat menghubungi server.', forbidden_case: 'Anda tidak berhak membuka kasus ini.',
    a_create: 'Dibuat', a_message: 'Pesan ke pelapor', a_attachment: 'Foto petugas ditambahkan',
    a_delivery_failed: 'Pengiriman gagal', prio_low: 'Rendah', prio_normal: 'Biasa', prio_high: 'Tinggi', prio_urgent: 'Mendesak',
    k_status_update: 'Pemberitahuan status', k_operator: 'Pesan petugas', k_reply: 'Balasan', audio: 'Audio', sticker: 'Stiker',
    personal: 'data pribadi pelapor, tidak ditampilkan untuk peran Anda',
    emergency: 'DARURAT', kind_service: 'Layanan', kind_complaint: 'Pengaduan', kind_emergency: 'Darurat',
  },
  en: {
    skip: 'Skip to content', loading: 'Loading…', login_title: 'Sign in to the aduan dashboard',
    login: 'User name', password: 'Password', sign_in: 'Sign in', logout: 'Sign out',
    switch_lang: 'Bahasa Indonesia', inbox: 'Inbox', field: 'Field tasks', new_report: 'New report',
    all: 'All', status: 'Status', category: 'Category', team: 'Team', kecamatan: 'Kecamatan',
    agency: 'Agency', from: 'From date', to: 'To date', search: 'Search',
    search_ph: 'Words in the description or address', apply: 'Apply', reset: 'Reset',
    more: 'Load more', none: 'No cases.', code: 'Code', age: 'Age',
    channel: 'Channel', description: 'Description', new_cases: 'new cases arrived',
    emergency_arrived: 'EMERGENCY: a new emergency report arrived', updated: 'Updated',
    ch_whatsapp: 'WhatsApp', ch_walk_in: 'Walk-in', ch_phone: 'Phone', ch_web: 'Web',
    back: '← Back to the inbox', reporter: 'Reporter', address: 'Address', priority: 'Priority',
    created: 'Created', conversation: 'Conversation', timeline: 'Timeline', actions: 'Actions',
    files: 'Files', map: 'Map', no_location: 'No location.', no_actions: 'There is nothing you can do in this status.',
    note: 'Note', note_reason: 'Reason / note (required)', choose_team: 'Choose a team',
    choose_agency: 'Target agency', do: 'Submit', cancel: 'Cancel', done_ok: 'Saved.',
    reply: 'Reply to the reporter', reply_ph: 'Write a WhatsApp message…', send: 'Send message',
    window_open: 'The 24-hour window is open until', window_closed: 'The 24-hour window is closed: the message goes as the approved template.',
    no_wa: 'This case did not come over WhatsApp.', thread_empty: 'No messages yet.',
    queued: 'Message queued.', sent_as_template: 'Sent as the template (outside the 24-hour window).',
    photo: 'Photo', video: 'Video', document: 'Document', location: 'Location', open_map: 'Open in maps',
    add_photo: 'Add a photo from the camera', uploading: 'Uploading…', uploaded: 'Photo saved.',
    pending_file: 'downloading', d_pending: 'waiting', d_accepted: 'handed to WhatsApp',
    d_sent: 'sent', d_delivered: 'delivered', d_read: 'read', d_failed: 'failed',
    template: 'template', citizen: 'Citizen', us: 'Staff', by: 'by', system: 'system',
    my_cases: "My team's cases", no_team: 'You are not a member of any team yet.', no_field_cases: 'No tasks for your team.',
    navigate: 'Navigate to the location', start: 'Start', resolve: 'Resolve', resolve_note: 'What was done (required)',
    open_case: 'Open case', walkin_title: 'Walk-in / phone report',
    reporter_name: "Reporter's name", reporter_phone: "Reporter's phone", lat: 'Latitude', lon: 'Longitude',
    rahasia: "Keep the reporter's identity confidential", anonim: 'Anonymous', save_report: 'Save report',
    created_ok: 'Report saved with code', pick_on_map: 'Click the map to pick the location',
    err_network: 'Cannot reach the server.', forbidden_case: 'You may not open this case.',
    a_create: 'Created', a_message: 'Message to the reporter', a_attachment: 'Officer photo added',
    a_delivery_failed: 'Delivery failed', prio_low: 'Low', prio_normal: 'Normal', prio_high: 'High', prio_urgent: 'Urgent',
    k_status_update: 'Status update', k_operator: 'Staff message', k_reply: 'Reply', audio: 'Audio', sticker: 'Sticker',
    personal: "the reporter's personal data, not shown for your role",
    emergency: 'EMERGENCY', kind_service: 'Service', kind_complaint: 'Complaint', kind_emergency: 'Emergency',
  },
};

let lang = (() => {
  try { return localStorage.getItem('aduan.lang') === 'en' ? 'en' : 'id'; } catch (_) { return 'id'; }
})();

export function getLang() { return lang; }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'id';
  try { localStorage.setItem('aduan.lang', lang); } catch (_) { /* private mode */ }
  document.documentElement.lang = lang;
}

export function t(key) {
  return (T[lang] && T[lang][key]) || T.id[key] || key;
}

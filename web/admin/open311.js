// The agency's photo setting (issue 17 §1, docs/OPEN311.md; issue 18):
// whether the photos of its reports are published, in Open311 (a request's
// media_url) and, the officer's "after" photos, on the public tracking page
// /t/CODE. Faces and number plates in the officer's photos are the
// officer's responsibility: the help says so. Shown under the webhooks, the
// other integrations; values from the server as text.
const T = {
  id: {
    title: 'Foto laporan untuk publik (Open311 dan halaman lacak)',
    photos: 'Tampilkan foto laporan di Open311 dan foto hasil dari petugas di halaman lacak',
    help: 'Foto dari pelapor dapat memperlihatkan orang atau rumah. Aktifkan hanya bila instansi memang mempublikasikan foto laporan. Laporan rahasia dan permohonan layanan tidak pernah ditampilkan; foto pelapor tidak pernah tampil di halaman lacak.',
    duty: 'Wajah dan pelat nomor kendaraan pada foto hasil adalah tanggung jawab petugas: sebelum mengunggah, petugas memastikan tidak ada wajah atau pelat nomor yang dapat dikenali.',
    on: 'Foto laporan kini ditampilkan untuk publik.', off: 'Foto laporan tidak ditampilkan untuk publik.',
  },
  en: {
    title: 'Public photos of reports (Open311 and the tracking page)',
    photos: 'Show the photos of reports in Open311 and the officer\'s result photos on the tracking page',
    help: 'A reporter\'s photo may show people or homes. Turn it on only when the agency does publish the photos of reports. Confidential reports and service requests are never shown; the reporter\'s photos never appear on the tracking page.',
    duty: 'Faces and number plates in the result photos are the officer\'s responsibility: before uploading, the officer makes sure no face or number plate can be recognised.',
    on: 'Photos of reports are now shown to the public.', off: 'Photos of reports are not shown to the public.',
  },
};

// Appends the card to pane; api is the admin page's fetch helper.
export async function showOpen311(pane, api, lang, agencyId, say) {
  const t = T[lang] || T.id;
  const agencies = (await api('GET', '/api/v1/agencies')).items;
  const ag = agencies.find((a) => String(a.id) === String(agencyId));
  const card = document.createElement('section');
  card.className = 'card';
  card.id = 'o311-settings';
  const h = document.createElement('h2');
  h.textContent = t.title;
  const label = document.createElement('label');
  label.className = 'inline';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = 'o311-photos';
  box.checked = !!(ag && ag.publish_photos);
  label.append(box, ' ', t.photos);
  const help = document.createElement('p');
  help.className = 'help';
  help.textContent = t.help;
  const duty = document.createElement('p');
  duty.className = 'help';
  duty.id = 'o311-photos-duty';
  duty.textContent = t.duty;
  box.addEventListener('change', async () => {
    try {
      const r = await api('PUT', `/api/v1/agencies/${agencyId}/settings`, { publish_photos: box.checked });
      box.checked = r.publish_photos;
      say(r.publish_photos ? t.on : t.off);
    } catch (e) {
      box.checked = !box.checked;
      say(e.message, true);
    }
  });
  card.append(h, label, help, duty);
  pane.append(card);
}

// The agency's Open311 setting (issue 17 §1, docs/OPEN311.md): whether the
// photos of its reports are published (a request's media_url). Shown under
// the webhooks, the other integrations; values from the server as text.
const T = {
  id: {
    title: 'Open311 (aplikasi kota dan FixMyStreet)',
    photos: 'Tampilkan foto laporan di Open311',
    help: 'Foto dari pelapor dapat memperlihatkan orang atau rumah. Aktifkan hanya bila instansi memang mempublikasikan foto laporan. Laporan rahasia tidak pernah ditampilkan.',
    on: 'Foto laporan kini ditampilkan di Open311.', off: 'Foto laporan tidak ditampilkan di Open311.',
  },
  en: {
    title: 'Open311 (city apps and FixMyStreet)',
    photos: 'Show the photos of reports in Open311 (media_url)',
    help: 'A reporter\'s photo may show people or homes. Turn it on only when the agency does publish the photos of reports. Confidential reports are never shown.',
    on: 'Photos of reports are now shown in Open311.', off: 'Photos of reports are not shown in Open311.',
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
  card.append(h, label, help);
  pane.append(card);
}

// The superadmin's notice of logins locked for everyone (issue #13): wrong
// passwords for one login from many addresses within an hour, a
// distributed attack. Shown at the top of the admin page for a day after
// each lock. Every value from the server is inserted as text.
const T = {
  id: {
    title: 'Peringatan keamanan: percobaan masuk dari banyak alamat',
    intro: 'Nama pengguna di bawah ini dicoba dengan kata sandi salah dari banyak alamat sekaligus. '
      + 'aduan mengunci masuk ke nama pengguna itu untuk semua orang sampai waktu yang tertera. '
      + 'Jika itu akun staf, beri tahu pemiliknya; mengganti kata sandinya (aduan user passwd) '
      + 'langsung membuka kunci.',
    unknown: 'nama pengguna ini tidak terdaftar',
    addresses: (n) => `${n} alamat`,
    until: (a, b) => `dikunci ${a} sampai ${b}`,
    active: 'masih berlaku',
    ended: 'sudah berakhir',
  },
  en: {
    title: 'Security warning: login attempts from many addresses',
    intro: 'The logins below were tried with wrong passwords from many addresses at once. '
      + 'aduan locked logging in to them for everyone until the time shown. If one is a staff '
      + "account, tell its owner; setting a new password (aduan user passwd) ends the lock at once.",
    unknown: 'no such user',
    addresses: (n) => `${n} addresses`,
    until: (a, b) => `locked ${a} until ${b}`,
    active: 'still locked',
    ended: 'ended',
  },
};

function when(iso, lang) {
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID',
    { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

function node(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// Fills box with the notice (hidden when there is nothing to tell, or the
// user may not see it). api is the admin page's fetch helper.
export async function showLoginAttacks(box, api, lang) {
  const t = T[lang] || T.id;
  let items = [];
  try {
    items = (await api('GET', '/api/v1/admin/login-attacks')).items;
  } catch {
    items = [];
  }
  box.replaceChildren();
  box.hidden = items.length === 0;
  if (box.hidden) return;
  const list = node('ul');
  for (const a of items) {
    const li = node('li', undefined, a.active ? 'active' : 'ended');
    li.append(node('strong', a.login));
    li.append(` (${a.known ? a.name : t.unknown}) — ${t.addresses(a.addresses)} — `
      + `${t.until(when(a.locked_at, lang), when(a.locked_until, lang))} `
      + `(${a.active ? t.active : t.ended})`);
    list.append(li);
  }
  box.append(node('h2', t.title), node('p', t.intro), list);
}

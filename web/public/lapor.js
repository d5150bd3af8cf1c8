// The public web form /lapor (issue 16 §1). The page works without this
// script; with it: the proof of work answers the security question, the
// map (loaded only when asked for) and "lokasi saya" set the point, photos
// are previewed and shrunk before sending, the fields are checked before the
// post, and an emergency category brings the agency's numbers to the top.
(function () {
  "use strict";
  var form = document.getElementById("lapor");
  if (!form) return;
  form.noValidate = true; // the checks below name each problem in place
  var en = document.documentElement.lang === "en";
  function t(id, e) { return en ? e : id; }
  function $(id) { return document.getElementById(id); }

  // ---- SHA-256 (FIPS 180-4), for the proof of work ------------------------
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2];
  var W = new Array(64);
  // The first 32 bits of sha256(s), s being ASCII.
  function sha256head(s) {
    var n = s.length, words = ((n + 8) >> 6) + 1, m = new Array(words * 16), i;
    for (i = 0; i < m.length; i++) m[i] = 0;
    for (i = 0; i < n; i++) m[i >> 2] |= s.charCodeAt(i) << (24 - (i & 3) * 8);
    m[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
    m[words * 16 - 1] = n * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var b = 0; b < m.length; b += 16) {
      var a = h0, bb = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (i = 0; i < 64; i++) {
        if (i < 16) W[i] = m[b + i] | 0;
        else {
          var x = W[i - 15], y = W[i - 2];
          W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
                 W[i - 7] + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) +
                 W[i - 16] | 0;
        }
        var t1 = h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
                 ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
        var t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
                 ((a & bb) ^ (a & c) ^ (bb & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = bb; bb = a; a = t1 + t2 | 0;
      }
      h0 = h0 + a | 0; h1 = h1 + bb | 0; h2 = h2 + c | 0; h3 = h3 + d | 0;
      h4 = h4 + e | 0; h5 = h5 + f | 0; h6 = h6 + g | 0; h7 = h7 + h | 0;
    }
    return h0 >>> 0;
  }

  // ---- the proof of work: found in slices, the page stays responsive -----
  var ch = form.querySelector("input[name=challenge]");
  var powField = $("f-pow"), check = $("check");
  var powDone = false, sendWhenDone = false;
  if (ch && powField) {
    var bits = parseInt(ch.getAttribute("data-bits"), 10) || 16, nonce = 0;
    var limit = Math.pow(2, 32 - bits);
    var slice = function () {
      for (var k = 0; k < 3000; k++, nonce++) {
        if (sha256head(ch.value + ":" + nonce) < limit) {
          powField.value = String(nonce);
          powDone = true;
          if (check) check.hidden = true; // the question is answered for the citizen
          if (sendWhenDone) form.submit();
          return;
        }
      }
      setTimeout(slice, 0);
    };
    setTimeout(slice, 0);
  }

  // ---- location: "lokasi saya" and the map --------------------------------
  var lat = $("f-lat"), lon = $("f-lon"), where = $("where"), box = $("map");
  var map = null, marker = null;
  var js = form.querySelector(".js-only");
  if (js) js.hidden = false;
  function setPoint(la, lo, note) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    where.textContent = t("Titik: ", "Point: ") + lat.value + ", " + lon.value + (note || "");
    hint($("f-address"), "");
    if (map) {
      if (marker) marker.setLatLng([la, lo]); else marker = window.L.marker([la, lo]).addTo(map);
      map.setView([la, lo], Math.max(map.getZoom(), 16));
    }
  }
  var locate = $("locate");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      where.textContent = t("Mencari lokasi…", "Finding your location…");
      navigator.geolocation.getCurrentPosition(function (p) {
        setPoint(p.coords.latitude, p.coords.longitude,
                 " (± " + Math.round(p.coords.accuracy) + " m)");
      }, function () {
        where.textContent = t("Lokasi tidak didapat; tandai di peta atau tulis alamatnya.",
                              "No location; mark it on the map or write the address.");
      }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    });
  } else if (locate) {
    locate.hidden = true;
  }
  // The map is loaded only when asked for: the page stays light on a slow link.
  if (box && js) {
    var open = document.createElement("button");
    open.type = "button";
    open.id = "openmap";
    open.textContent = t("Tandai di peta", "Mark on the map");
    js.appendChild(document.createTextNode(" "));
    js.insertBefore(open, where);
    open.addEventListener("click", function () {
      open.disabled = true;
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = "/vendor/leaflet/leaflet.css";
      document.head.appendChild(css);
      var s = document.createElement("script");
      s.src = "/vendor/leaflet/leaflet.js";
      s.onload = function () {
        box.hidden = false;
        var L = window.L;
        var start = lat.value ? [parseFloat(lat.value), parseFloat(lon.value)] : [-2.33, 115.47];
        map = L.map(box).setView(start, lat.value ? 16 : 11);
        var tiles = box.getAttribute("data-tiles");
        if (tiles)
          L.tileLayer(tiles, {maxZoom: 19, attribution: /openstreetmap\.org/.test(tiles) ? "© OpenStreetMap" : ""}).addTo(map);
        if (lat.value) marker = L.marker(start).addTo(map);
        map.on("click", function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng); });
        open.hidden = true;
      };
      document.head.appendChild(s);
    });
  }

  // ---- photos: previews, and shrunk to at most 1600 px before sending -----
  var photo = $("f-photo"), previews = $("previews");
  var MAX_SIDE = 1600, MAX_PHOTOS = 5, busy = 0;
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return resolve(file);
      createImageBitmap(file).then(function (bmp) {
        var s = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
        if (s === 1 && file.size < 600 * 1024) return resolve(file);
        var c = document.createElement("canvas");
        c.width = Math.round(bmp.width * s);
        c.height = Math.round(bmp.height * s);
        c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
        c.toBlob(function (b) {
          resolve(b && b.size < file.size
            ? new File([b], file.name.replace(/\.\w+$/, "") + ".jpg", {type: "image/jpeg"}) : file);
        }, "image/jpeg", 0.85);
      }, function () { resolve(file); });
    });
  }
  if (photo && previews) {
    photo.addEventListener("change", function () {
      previews.textContent = "";
      var files = Array.prototype.slice.call(photo.files || []);
      hint(photo, files.length > MAX_PHOTOS ? t("Paling banyak 5 foto.", "At most 5 photos.") : "");
      files.slice(0, MAX_PHOTOS).forEach(function (f) {
        var img = document.createElement("img");
        img.alt = f.name;
        img.src = URL.createObjectURL(f);
        previews.appendChild(img);
      });
      if (!window.DataTransfer || !files.length || files.length > MAX_PHOTOS) return;
      busy++;
      Promise.all(files.map(shrink)).then(function (small) {
        try {
          var dt = new DataTransfer();
          small.forEach(function (f) { dt.items.add(f); });
          photo.files = dt.files;
        } catch (e) { /* the originals go as they are */ }
        busy--;
      });
    });
  }

  // ---- inline checks ------------------------------------------------------
  function hint(el, msg) {
    var id = el.id ? "hint-" + el.id : "hint-kategori";
    var h = $(id);
    if (!msg) {
      if (h) h.remove();
      el.classList.remove("bad");
      return;
    }
    if (!h) {
      h = document.createElement("p");
      h.className = "hint";
      h.id = id;
      h.setAttribute("role", "alert");
      el.parentNode.insertBefore(h, el.nextSibling);
    }
    h.textContent = msg;
    el.classList.add("bad");
  }
  function problems() {
    var first = null;
    function bad(el, msg) { hint(el, msg); if (msg && !first) first = el; }
    var cat = form.querySelector("input[name=category]:checked");
    bad($("kategori"), cat ? "" : t("Pilih jenis masalah.", "Choose the kind of problem."));
    var text = $("f-text");
    bad(text, text.value.trim() ? "" : t("Tuliskan apa yang terjadi.", "Write what happened."));
    var addr = $("f-address");
    bad(addr, lat.value || addr.value.trim() ? "" :
        t("Tulis alamat atau patokan, atau tandai di peta.", "Write the address or a landmark, or mark it on the map."));
    var contact = $("f-contact"), consent = form.querySelector("input[name=consent]");
    var c = contact.value.trim(), msg = "";
    if (c && c.indexOf("@") >= 0 && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c))
      msg = t("Alamat email tidak valid.", "The email address is not valid.");
    else if (c && c.indexOf("@") < 0 && !/^(\+?62|0)8[0-9 .-]{7,16}$/.test(c))
      msg = t("Tulis nomor ponsel, misalnya 0812 3456 7890.", "Write a mobile number, e.g. 0812 3456 7890.");
    else if (c && !consent.checked)
      msg = t("Centang persetujuan di bawah, atau kosongkan kontaknya.", "Tick the consent below, or leave the contact empty.");
    bad(contact, msg);
    if (photo && photo.files && photo.files.length > MAX_PHOTOS)
      bad(photo, t("Paling banyak 5 foto.", "At most 5 photos."));
    return first;
  }
  form.addEventListener("submit", function (ev) {
    var first = problems();
    if (first) {
      ev.preventDefault();
      first.scrollIntoView({block: "center"});
      if (first.focus) first.focus();
      return;
    }
    var answer = $("f-answer");
    if (busy || (!powDone && !(answer && answer.value.trim()))) {
      // Photos still shrinking, or the check still running: send when done.
      ev.preventDefault();
      var send = $("send");
      send.disabled = true;
      send.textContent = t("Menyiapkan…", "Preparing…");
      var wait = function () {
        if (busy) return setTimeout(wait, 200);
        if (powDone || (answer && answer.value.trim())) form.submit();
        else sendWhenDone = true;
      };
      wait();
    }
  });
  // A field the citizen corrects loses its mark.
  function unmark(ev) {
    var el = ev.target;
    if (el.name === "category") hint($("kategori"), "");
    else if (el.name === "consent") hint($("f-contact"), "");
    else if (el.classList && el.classList.contains("bad")) hint(el, "");
  }
  form.addEventListener("input", unmark);
  form.addEventListener("change", unmark);
  // The server's refusal names a field: mark it.
  var problem = $("problem");
  if (problem && problem.getAttribute("data-field")) {
    var f = form.querySelector("[name=" + problem.getAttribute("data-field") + "]");
    if (f && f.type !== "radio" && f.type !== "hidden") f.classList.add("bad");
  }

  // ---- emergencies: the agency's numbers first ----------------------------
  form.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.name !== "category") return;
    var sos = document.querySelectorAll(".sos");
    for (var i = 0; i < sos.length; i++) sos[i].classList.remove("now");
    if (el.getAttribute("data-kind") !== "emergency") return;
    var box = document.querySelector('.sos[data-agency="' + el.getAttribute("data-agency") + '"]');
    if (box) {
      box.classList.add("now");
      form.insertBefore(box, form.firstChild);
      box.scrollIntoView({block: "nearest"});
    }
  });
})();

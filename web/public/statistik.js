/* The public statistics page: reads /api/v1/stats (the same numbers as the
 * monthly report) and draws them with Chart.js and Leaflet. */
"use strict";
(function () {
  var params = new URLSearchParams(location.search);
  var lang = params.get("lang") === "en" ? "en" : "id";
  var T = {
    en: {title: "Complaint statistics", agency: "Agency", all: "All agencies", from: "From",
         to: "To", show: "Show", received: "Reports received", resolved: "Resolved",
         ratio: "Resolution ratio (target 91%)", first: "Median time to first response (hours)",
         resolution: "Median time to resolution (hours)", sla: "SLA compliance",
         ikm: "IKM (mutu)", sample: "Respondents / sample target", by_month: "By month",
         by_category: "By category", by_kecamatan: "By kecamatan",
         by_unsur: "IKM per element (NRR, 1–4)", by_channel: "Complaint channels",
         channel: "Channel", share: "Share",
         sla_title: "SLA compliance: reports resolved within the deadline",
         sla_group: "Agency / category",
         map: "Map of public reports (locations rounded to ~100 m, confidential reports hidden)"}
  };
  if (lang === "en") {
    document.documentElement.lang = "en";
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      var t = T.en[el.getAttribute("data-i18n")];
      if (t) el.textContent = t;
    });
    var l = document.getElementById("lang");
    l.textContent = "Bahasa Indonesia";
    l.href = "?lang=id";
  }
  var charts = {}, map = null, layer = null;
  function $(id) { return document.getElementById(id); }
  /* Numbers as each language writes them: Indonesian "87,5", English "87.5". */
  function fmt(v, d) {
    if (v === null || v === undefined) return "–";
    var s = Number(v).toFixed(d);
    return lang === "en" ? s : s.replace(".", ",");
  }
  function bar(id, labels, data, label, max) {
    if (typeof Chart === "undefined") return;
    if (charts[id]) charts[id].destroy();
    var opts = {responsive: true, locale: lang === "en" ? "en-GB" : "id-ID",
                plugins: {legend: {display: data.length > 1}}};
    if (max) opts.scales = {y: {min: 0, max: max}};
    charts[id] = new Chart($(id), {type: "bar", data: {labels: labels, datasets: data}, options: opts});
  }
  /* A share as a percentage: "87,5 %" in Indonesian, "87.5%" in English. */
  function pct(v) {
    return v === null || v === undefined ? "–" : fmt(v * 100, 1) + (lang === "en" ? "%" : " %");
  }
  /* One row per agency (bold), then per category of the period. */
  function slaTable(s) {
    var body = document.querySelector("#sla_table tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    function add(name, b, strong) {
      var tr = document.createElement("tr");
      [name, String(b.resolved), pct(b.sla_compliance)].forEach(function (t) {
        var td = document.createElement("td");
        td.textContent = t;
        if (strong) td.className = "strong";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
    (s.by_agency || []).forEach(function (b) { add(b.name, b, true); });
    (s.by_category || []).forEach(function (b) { add(b.name, b, false); });
  }
  /* Cases per channel (issue 16 §4, "Kanal pengaduan"): received,
   * resolved, and each channel's share of the period's cases. */
  function channelTable(s) {
    var body = document.querySelector("#channel_table tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    (s.by_channel || []).forEach(function (b) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-channel", b.channel);
      [b.name, String(b.received), String(b.resolved),
       pct(s.received ? b.received / s.received : null)].forEach(function (t) {
        var td = document.createElement("td");
        td.textContent = t;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  function draw(s) {
    $("received").textContent = s.received;
    $("resolved").textContent = s.resolved;
    $("ratio").textContent = pct(s.resolution_ratio);
    $("first").textContent = fmt(s.median_first_response_hours, 1);
    $("resolution").textContent = fmt(s.median_resolution_hours, 1);
    $("sla").textContent = pct(s.sla_compliance);
    $("ikm").textContent = s.ikm.score === null ? "–" : fmt(s.ikm.score, 2) + " (" + s.ikm.mutu + ")";
    $("sample").textContent = s.ikm.respondents + " / " + s.ikm.sample_target;
    slaTable(s);
    channelTable(s);
    var rl = lang === "en" ? "Received" : "Diterima", sl = lang === "en" ? "Resolved" : "Selesai";
    function two(b, key) {
      return [b.map(function (x) { return x[key] || x.name; }),
              [{label: rl, backgroundColor: "#0b4f8a", data: b.map(function (x) { return x.received; })},
               {label: sl, backgroundColor: "#2e9d5b", data: b.map(function (x) { return x.resolved; })}]];
    }
    var m = two(s.by_month, "month"); bar("c_month", m[0], m[1]);
    var c = two(s.by_category, "name"); bar("c_category", c[0], c[1]);
    var k = two(s.by_kecamatan, "name"); bar("c_kecamatan", k[0], k[1]);
    var ch = two(s.by_channel || [], "name"); bar("c_channel", ch[0], ch[1]);
    bar("c_ikm", s.ikm.unsur.map(function (u) { return u.code; }),
        [{label: "NRR", backgroundColor: "#e08a00", data: s.ikm.unsur.map(function (u) { return u.nrr; })}], null, 4);
    if (typeof L === "undefined") return;
    if (!map) {
      map = L.map("map").setView([-2.33, 115.47], 10);
      L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
                  {maxZoom: 17, attribution: "© OpenStreetMap"}).addTo(map);
    }
    if (layer) layer.remove();
    layer = L.layerGroup(s.map.map(function (p) {
      return L.circleMarker([p.lat, p.lon], {radius: 6}).bindTooltip(p.category + " · " + p.status);
    })).addTo(map);
  }
  function load() {
    var q = new URLSearchParams();
    ["agency", "from", "to"].forEach(function (n) { if ($(n).value) q.set(n, $(n).value); });
    q.set("lang", lang);
    fetch("/api/v1/stats?" + q.toString()).then(function (r) { return r.json(); })
      .then(function (s) { if (s.error) throw new Error(s.error.message); draw(s); })
      .catch(function (e) { $("received").textContent = "!"; console.error(e); });
  }
  function agencies(s) {
    /* The agencies come from the figures of every agency. */
    fetch("/api/v1/public/agencies").then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (a) {
        (a.items || []).forEach(function (x) {
          var o = document.createElement("option");
          o.value = x.code; o.textContent = x.name; $("agency").appendChild(o);
        });
        if (params.get("agency")) $("agency").value = params.get("agency");
        load();
      }).catch(load);
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["from", "to"].forEach(function (n) { if (params.get(n)) $(n).value = params.get(n); });
    $("filter").addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    agencies();
  });
})();

// The public list of reports (/laporan): the page works without this
// script; with it, the listed reports also appear on a map, each marker
// linking to its tracking page. Points are the server's, already rounded.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("map");
    var items = document.querySelectorAll("#reports li[data-lat]");
    if (!box || !window.L || !items.length) return;
    box.hidden = false;
    var map = L.map(box);
    var tiles = box.getAttribute("data-tiles");
    if (tiles)
      L.tileLayer(tiles, {maxZoom: 17,
                          attribution: /openstreetmap\.org/.test(tiles) ? "© OpenStreetMap" : ""}).addTo(map);
    var points = [];
    items.forEach(function (li) {
      var p = [parseFloat(li.getAttribute("data-lat")), parseFloat(li.getAttribute("data-lon"))];
      var a = li.querySelector("a");
      var m = L.circleMarker(p, {radius: 7, color: li.querySelector(".st-done") ? "#2e7d32" : "#c62828"});
      m.bindPopup('<a href="' + a.getAttribute("href") + '">' + a.textContent.replace(/[<>&]/g, "") + "</a>");
      m.addTo(map);
      points.push(p);
    });
    map.fitBounds(points, {maxZoom: 15, padding: [20, 20]});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

/* Gemeinsame Sache, the office's workspace: the district map of the dashboard (every project by status, the same
   filters as the public map, a click opens the office's project page) and the queue's „select all“. Data reaches
   the page as text only (textContent, text nodes); words come from the page. No inline script (CSP). */
(function () {
  "use strict";

  var COLOUR = /^#[0-9a-fA-F]{6}$/;

  function statusIcon(colour, letter) {
    var safe = COLOUR.test(colour) ? colour : "#555555";
    return L.divIcon({className: "status-marker", iconSize: [18, 18], iconAnchor: [9, 9],
                      html: '<span style="background:' + safe + '">' + (/^[A-Z]$/.test(letter) ? letter : "") + "</span>"});
  }

  function hand(map, layer, options) {
    map.getContainer().dispatchEvent(new CustomEvent("atlas:" + layer, {bubbles: true, detail: {map: map, options: options}}));
  }

  /* „3 Projekte“ in the page's language and its plural forms (the words of #atlas-text, as static/js/text.js). */
  function projectCount(n) {
    var block = document.getElementById("atlas-text");
    var forms = (block ? JSON.parse(block.textContent) : {}).projects || {};
    var lang = document.documentElement.lang || "de";
    var form = (window.Intl && Intl.PluralRules && forms[new Intl.PluralRules(lang).select(n)]) || forms.other || "{n}";
    return form.replace("{n}", window.Intl ? new Intl.NumberFormat(lang).format(n) : String(n));
  }

  function districtMap(box) {
    var options = JSON.parse(box.dataset.options);
    var map = L.map(box, {minZoom: 5, maxZoom: 18, preferCanvas: true});
    map.setView([52.8, 9.3], 7);
    // basemap, outlines and the controls' words come from the maps' modules (static/js/maps.js, loaded before this
    // script), handed the map as the public maps hand it: by an event on the map's element
    if (options.basemap) hand(map, "basemap", options.basemap);
    if (options.tiles) L.tileLayer(options.tiles, {attribution: options.attribution, maxZoom: 18}).addTo(map);
    hand(map, "boundaries", {url: options.outlines, labels: false});
    var form = document.getElementById("karten-filter");
    var count = document.getElementById("karte-zahl");
    var layer = L.layerGroup().addTo(map);
    var handle = {map: map, data: null, shown: []};
    window.atlasOfficeMap = handle;
    form.querySelectorAll(".swatch").forEach(function (swatch) {
      if (COLOUR.test(swatch.dataset.colour)) swatch.style.background = swatch.dataset.colour;
    });
    fetch(options.src, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      handle.data = data;
      var icons = data.statuses.map(function (s) { return statusIcon(s[1], s[0].charAt(0).toUpperCase()); });
      var markers = {};
      function marker(i) {
        if (markers[i]) return markers[i];
        var title = data.name[i] + " (" + data.statuses[data.st[i]][0] + ")";
        var m = L.marker([data.lat[i] / data.scale, data.lon[i] / data.scale],
                         {icon: icons[data.st[i]], title: title, alt: title, keyboard: true});
        m.on("click", function () { window.location.href = data.link + data.id[i]; });
        m.on("add", function () {
          m.getElement().dataset.key = "p" + i;
          m.getElement().addEventListener("keydown", function (event) {
            if (event.key === "Enter") window.location.href = data.link + data.id[i];
          });
        });
        markers[i] = m;
        return m;
      }
      var index = null;
      function spec() {
        var s = {st: {}, hf: 0, sp: 0, zg: 0, ko: false};
        form.querySelectorAll("input[name=st]").forEach(function (b) { if (b.checked) s.st[b.value] = true; });
        form.querySelectorAll("input[name=hf]").forEach(function (b) { if (b.checked) s.hf |= parseInt(b.dataset.bit, 10); });
        ["sprache", "zielgruppe"].forEach(function (name) {
          var option = form.querySelector("select[name=" + name + "]").selectedOptions[0];
          var bit = option && option.value ? parseInt(option.dataset.bit, 10) : 0;
          if (name === "sprache") s.sp = bit; else s.zg = bit;
        });
        s.ko = form.querySelector("input[name=kostenlos]").checked;
        return s;
      }
      function passes(s, i) {
        return s.st[data.st[i]] && (!s.hf || (data.hf[i] & s.hf) !== 0) && (!s.sp || (data.sp[i] & s.sp) !== 0) &&
          (!s.zg || (data.zg[i] & (s.zg | data.alle)) !== 0) && (!s.ko || data.ko[i] === 1);
      }
      function filter() {
        var s = spec();
        handle.shown = [];
        for (var i = 0; i < data.id.length; i++) if (passes(s, i)) handle.shown.push(i);
        var points = handle.shown.map(function (i) {
          return {type: "Feature", properties: {i: i},
                  geometry: {type: "Point", coordinates: [data.lon[i] / data.scale, data.lat[i] / data.scale]}};
        });
        index = window.Supercluster ? new window.Supercluster({radius: 50, maxZoom: 14}).load(points) : null;
        count.textContent = projectCount(handle.shown.length);
        draw();
      }
      function draw() {
        // the markers are made anew after every move: the one a keyboard user is on keeps the focus
        var focused = box.contains(document.activeElement) ? document.activeElement.dataset.key : null;
        layer.clearLayers();
        if (!index) handle.shown.forEach(function (i) { layer.addLayer(marker(i)); });
        else drawClusters();
        var again = focused && box.querySelector("[data-key='" + focused + "']");
        if (again) again.focus({preventScroll: true});
      }
      function drawClusters() {
        var b = map.getBounds();
        index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom()).forEach(function (item) {
          if (!item.properties.cluster) { layer.addLayer(marker(item.properties.i)); return; }
          var at = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
          var n = item.properties.point_count;
          var c = L.marker(at, {title: String(n), alt: String(n), keyboard: true, icon: L.divIcon({
            html: "<div><span>" + Number(n) + "</span></div>", iconSize: L.point(40, 40),
            className: "marker-cluster marker-cluster-" + (n < 10 ? "small" : n < 100 ? "medium" : "large")})});
          var open = function () {
            map.setView(at, Math.min(index.getClusterExpansionZoom(item.properties.cluster_id), map.getMaxZoom()));
          };
          c.on("click", open);
          c.on("add", function () {
            c.getElement().dataset.key = "c" + item.properties.cluster_id;
            c.getElement().addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
          });
          layer.addLayer(c);
        });
      }
      if (data.id.length) {
        var lats = data.lat.map(function (v) { return v / data.scale; }), lons = data.lon.map(function (v) { return v / data.scale; });
        map.fitBounds([[Math.min.apply(null, lats), Math.min.apply(null, lons)],
                       [Math.max.apply(null, lats), Math.max.apply(null, lons)]], {maxZoom: 12});
      }
      map.on("movestart", function () { handle.moving = true; });
      map.on("moveend", function () { handle.moving = false; draw(); });
      form.addEventListener("change", filter);
      form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
      filter();
      handle.ready = true;
    });
  }

  /* The queue: a box to choose every row of the page (shown only where this script runs). */
  function selectAll() {
    var all = document.getElementById("alle-waehlen");
    if (!all) return;
    var rows = document.querySelectorAll("#warteschlange input[name=zeile]");
    all.hidden = false;
    all.addEventListener("change", function () { rows.forEach(function (box) { box.checked = all.checked; }); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("amtskarte");
    if (box && window.L) districtMap(box);
    selectAll();
  });
})();

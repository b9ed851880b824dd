/* Gemeinsame Sache: draws the projects a page hands over, filters map and list together.
   Everything that comes from data reaches the page as text: textContent, text nodes in tooltips and popups,
   never innerHTML or a string that Leaflet would parse as HTML. The page holds no inline script (CSP). */
(function () {
  "use strict";
  var PAGE = 50;
  // The page's words, in its language (templates/base.html, #atlas-text): nothing a person reads is written here.
  var TEXT = JSON.parse((document.getElementById("atlas-text") || {textContent: "{}"}).textContent);
  var LANG = document.documentElement.lang;
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  var digits = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(LANG) : null;
  var lists = window.Intl && Intl.ListFormat ? new Intl.ListFormat(LANG, {type: "conjunction"}) : null;

  function projectCount(n) {
    var forms = TEXT.projects || {}, form = (plurals && forms[plurals.select(n)]) || forms.other || "{n}";
    return form.replace("{n}", digits ? digits.format(n) : String(n));
  }

  /* Deutsch, Arabisch und Englisch: joined as the page's language joins a list. */
  function listing(items) {
    return lists ? lists.format(items) : items.join(", ");
  }

  function localise(map) {
    if (map.atlasLocalised) return;
    map.atlasLocalised = true;
    if (map.zoomControl) {
      [[map.zoomControl._zoomInButton, TEXT.zoomIn], [map.zoomControl._zoomOutButton, TEXT.zoomOut]]
        .forEach(function (pair) {
          if (pair[0] && pair[1]) { pair[0].title = pair[1]; pair[0].setAttribute("aria-label", pair[1]); }
        });
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fieldsOf(data, mask) {
    return data.fields.filter(function (f) { return (mask & f[4]) !== 0; });
  }

  function badge(field) {
    var span = el("span", "hf-badge", field[3]);
    span.style.background = field[2];
    span.title = field[1];
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  function text(value) {
    return el("span", null, String(value));
  }

  /* One icon per combination of Handlungsfelder, shared by its markers. Its markup is built from the site's own
     colours and letters only, checked here: no project data goes into it. */
  var icons = {};
  function icon(data, mask) {
    if (icons[mask]) return icons[mask];
    var field = fieldsOf(data, mask)[0] || data.fields[0];
    var colour = /^#[0-9a-fA-F]{6}$/.test(field[2]) ? field[2] : "#555555";
    var letter = /^[A-Za-z]$/.test(field[3]) ? field[3] : "?";
    var more = fieldsOf(data, mask).length > 1 ? "+" : "";
    icons[mask] = L.divIcon({
      className: "hf-marker",
      html: '<span style="background:' + colour + '">' + letter + more + "</span>",
      iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12]
    });
    return icons[mask];
  }

  function popup(data, i) {
    var box = el("div", "popup");
    box.appendChild(projectText(el("strong", "popup-name", data.name[i])));
    var traeger = data.traeger[data.tr[i]];
    if (traeger) box.appendChild(projectText(el("div", "popup-traeger", traeger)));
    box.appendChild(el("div", "popup-hf", fieldsOf(data, data.hf[i]).map(function (f) { return f[1]; }).join(" · ")));
    box.appendChild(projectText(el("div", "popup-ort", data.orte[data.ort[i]])));
    factsOf(data, i).forEach(function (line) { box.appendChild(el("div", "popup-fact", line)); });
    var source = sourceOf(data, i);
    if (source) {
      var mark = el("div", "popup-source", TEXT.fromSources.replace("{stand}", source.stand) + " (");
      var cited = el("a", "popup-quelle", TEXT.source);
      cited.href = source.url;
      cited.rel = "nofollow noopener";
      cited.target = "_blank";
      mark.appendChild(cited);
      mark.appendChild(document.createTextNode(")"));
      box.appendChild(mark);
    }
    var link = el("a", "popup-link", TEXT.toProject);
    link.href = "/projekt/" + data.id[i];
    box.appendChild(outward(link));
    return box;
  }

  /* An entry gathered from a public source, not yet confirmed by its Träger: its source (only a web address is
     linked) and the source's date; null for every other project. */
  function sourceOf(data, i) {
    var url = data.quellen ? data.quellen[data.qu[i]] : "";
    if (!url || !/^https?:\/\//i.test(url)) return null;
    return {url: url, stand: data.staende[data.qs[i]] || ""};
  }

  /* Project texts stay as submitted: read as German by screen readers, their direction taken from their own
     letters, so a German name keeps its full stop inside an Arabic line. */
  function projectText(node) {
    node.lang = "de";
    node.dir = "auto";
    return node;
  }

  /* In a map embedded in another site, a project opens in a new tab, not inside the frame. */
  function outward(link) {
    if (document.body.classList.contains("embedded")) { link.target = "_blank"; link.rel = "noopener"; }
    return link;
  }

  function listItem(data, i) {
    var item = el("li", "projekt");
    var link = projectText(el("a", "projekt-name", data.name[i]));
    link.href = "/projekt/" + data.id[i];
    item.appendChild(outward(link));
    var details = el("span", "projekt-details");
    var traeger = data.traeger[data.tr[i]];
    if (traeger) {
      details.appendChild(projectText(el("bdi", null, traeger)));
      details.appendChild(document.createTextNode(" · "));
    }
    details.appendChild(projectText(el("bdi", null, data.orte[data.ort[i]])));
    details.appendChild(document.createTextNode(" · "));
    fieldsOf(data, data.hf[i]).forEach(function (f) {
      details.appendChild(badge(f));
      details.appendChild(el("span", "hf-name", f[1] + " "));
    });
    item.appendChild(details);
    var facts = factsOf(data, i);
    if (facts.length) item.appendChild(el("span", "facts-note", facts.join(" · ")));
    if (sourceOf(data, i)) item.appendChild(el("span", "source-mark", TEXT.fromSourcesShort));
    return item;
  }

  /* What helps decide at a glance: free of charge, the languages, the regular times (words from the data). */
  function factsOf(data, i) {
    var lines = [];
    if (!data.sp) return lines;
    if (data.ko[i]) lines.push(TEXT.free);
    var languages = data.sprachen.filter(function (l) { return (data.sp[i] & l[0]) !== 0; });
    if (languages.length) lines.push(listing(languages.map(function (l) { return l[1]; })));
    if (data.zeiten[data.zt[i]]) lines.push(data.zeiten[data.zt[i]]);
    return lines;
  }

  /* The projects of a page on its map. `block` is either the columns themselves (near and project pages) or
     {src: URL} of the versioned data resource (the statewide and district maps), fetched once and then kept
     by the browser. The handle is returned at once; `handle.ready` resolves when the data is there. */
  function projects(map, block, options) {
    localise(map);
    var handle = {map: map, data: null, layer: null, markers: [], shown: [], settledAt: null, onSettled: null,
                  filter: function () { return []; }, shownCount: function () { return handle.shown.length; }};
    handle.openSrc = block.open || null;  // the ids open now / this week (the time filter), asked when needed
    if (block.view) map.setView([block.view.lat, block.view.lon], block.view.zoom);
    if (block.centre) drawCentre(map, block.centre);
    var load = block.src
      ? fetch(block.src, {credentials: "same-origin"}).then(function (r) { return r.json(); })
          .then(function (data) { return labelled(data, block.labels || {}); })
      : Promise.resolve(block);
    handle.ready = load.then(function (data) { draw(handle, data, options); return handle; });
    return handle;
  }

  /* The data resource is the same in every language: the page hands over the words to show it with (the
     Handlungsfelder, the languages, the times spelled out). */
  function labelled(data, labels) {
    var times = labels.zeiten || {};
    data.fields = labels.fields || [];
    data.sprachen = labels.sprachen || [];
    data.zeiten = data.zeiten.map(function (raw) { return raw ? times[raw] || raw : ""; });
    return data;
  }

  function drawCentre(map, centre) {
    var at = [centre.lat, centre.lon];
    var circle = L.circle(at, {radius: centre.radius, color: "#12355b", weight: 2, fillOpacity: 0.05}).addTo(map);
    L.circleMarker(at, {radius: 7, color: "#12355b", fillColor: "#ffbf47", fillOpacity: 1, className: "atlas-centre"})
      .bindTooltip(text(centre.name)).addTo(map);
    map.fitBounds(circle.getBounds());
  }

  function draw(handle, data, options) {
    handle.data = data;
    handle.spec = {hf: 0};
    handle.shown = indices(data, handle.spec);
    var settled = function () {
      handle.settledAt = performance.now();
      if (handle.onSettled) handle.onSettled();
    };
    var show = options.cluster && window.Supercluster ? clustered(handle, data) : single(handle, data);
    show();
    settled();
    handle.filter = function (spec) {
      if (specKey(spec) !== specKey(handle.spec)) {
        handle.spec = spec;
        handle.shown = indices(data, spec);
        show();
        settled();
      }
      return handle.shown;
    };
  }

  /* A filter: hf, sp, zg are bit masks (0: any), ko asks for free projects, open is the Set of ids open at the
     asked time (null: any time). */
  function specKey(spec) {
    return [spec.hf, spec.sp || 0, spec.zg || 0, spec.ko ? 1 : 0, spec.zeit || ""].join("|");
  }

  function passes(data, spec, i) {
    return (!spec.hf || (data.hf[i] & spec.hf) !== 0) && (!spec.sp || (data.sp[i] & spec.sp) !== 0) &&
      (!spec.zg || (data.zg[i] & (spec.zg | data.alle)) !== 0) && (!spec.ko || data.ko[i] === 1) &&
      (!spec.open || spec.open.has(data.id[i]));
  }

  function indices(data, spec) {
    var shown = [];
    for (var i = 0; i < data.id.length; i++) if (passes(data, spec, i)) shown.push(i);
    return shown;
  }

  function projectMarker(data, i) {
    var marker = L.marker([data.lat[i] / data.scale, data.lon[i] / data.scale],
                          {icon: icon(data, data.hf[i]), title: data.name[i], alt: data.name[i], keyboard: true});
    marker.bindPopup(function () { return popup(data, i); });
    marker.atlasIndex = i;
    return marker;
  }

  /* Few projects (a project page, a near search): one marker each. */
  function single(handle, data) {
    var layer = L.layerGroup().addTo(handle.map);
    var markers = data.id.map(function (id, i) { return projectMarker(data, i); });
    return function () {
      layer.clearLayers();
      handle.shown.forEach(function (i) { layer.addLayer(markers[i]); });
    };
  }

  /* Many projects: a clustering index (supercluster) over all of them, built once. Each cluster carries its
     counts per combination of Handlungsfelder, so a filter by Handlungsfeld only counts again; any other filter
     gets an index of its own over the projects it lets through. Only what is in view becomes markers, again after
     every move. */
  function clustered(handle, data) {
    var map = handle.map, layer = L.layerGroup().addTo(map);
    function build(rows) {
      var points = rows.map(function (i) {
        return {type: "Feature", properties: {i: i},
                geometry: {type: "Point", coordinates: [data.lon[i] / data.scale, data.lat[i] / data.scale]}};
      });
      return new window.Supercluster({
        radius: 60, maxZoom: 14,  // from zoom 15 on every project is its own marker
        map: function (p) { var c = {}; c[data.hf[p.i]] = 1; return {c: c}; },
        reduce: function (total, p) { for (var k in p.c) total.c[k] = (total.c[k] || 0) + p.c[k]; }
      }).load(points);
    }
    var all = build(data.id.map(function (id, i) { return i; }));
    var index = all, indexKey = specKey({hf: 0});
    handle.index = all;
    function counted(cluster) {
      if (!handle.spec.hf || index !== all) return cluster.properties.point_count;
      var n = 0, c = cluster.properties.c;
      for (var k in c) if ((k & handle.spec.hf) !== 0) n += c[k];
      return n;
    }
    var projectMarkers = {}, current = {};
    function show() {
      var byFacts = handle.spec.sp || handle.spec.zg || handle.spec.ko || handle.spec.open;
      var key = byFacts ? specKey(handle.spec) : specKey({hf: 0});
      if (key !== indexKey) { index = byFacts ? build(handle.shown) : all; indexKey = key; }
      var b = map.getBounds(), next = {};
      var items = index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom());
      items.forEach(function (item) {
        if (!item.properties.cluster) {
          var i = item.properties.i;
          if (!passes(data, handle.spec, i)) return;
          next["p" + i] = current["p" + i] || projectMarkers[i] || (projectMarkers[i] = projectMarker(data, i));
          return;
        }
        var n = counted(item), key = "c" + indexKey + ":" + item.properties.cluster_id + ":" + n;
        if (n) next[key] = current[key] || clusterMarker(item, n);
      });
      // markers that stay are left alone: an open popup survives the map's move to show it
      Object.keys(current).forEach(function (key) { if (!next[key]) layer.removeLayer(current[key]); });
      Object.keys(next).forEach(function (key) { if (!current[key]) layer.addLayer(next[key]); });
      current = next;
    }
    function clusterMarker(item, n) {
      var at = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
      var label = projectCount(n);
      var marker = L.marker(at, {icon: clusterIcon(n), title: label, alt: label, keyboard: true});
      var from = index;
      function open() {
        map.setView(at, Math.min(from.getClusterExpansionZoom(item.properties.cluster_id), map.getMaxZoom()));
      }
      marker.on("click", open);
      marker.on("add", function () {  // by keyboard: the cluster is focusable, Enter opens it as a click does
        marker.getElement().addEventListener("keydown", function (event) { if (event.key === "Enter") open(); });
      });
      return marker;
    }
    map.on("moveend", show);
    return show;
  }

  var clusterIcons = {};
  function clusterIcon(n) {
    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
    var key = size + n;
    if (!clusterIcons[key]) {
      clusterIcons[key] = L.divIcon({html: "<div><span>" + Number(n) + "</span></div>",
                                     className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40)});
    }
    return clusterIcons[key];
  }

  function boundaries(map, url, options) {
    localise(map);
    if (options.labels && !map.getPane("labels")) {
      map.createPane("labels").style.zIndex = 450;  // above the outlines, below markers and popups
    }
    fetch(url).then(function (r) { return r.json(); }).then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        interactive: false,
        style: {color: "#333", weight: options.labels ? 1.5 : 2.5, opacity: 0.8, fill: false},
        onEachFeature: function (feature, shape) {
          if (options.labels) {
            shape.bindTooltip(text(feature.properties.name), {permanent: true, direction: "center", className: "kreis-label", pane: "labels"});
          }
        }
      }).addTo(map);
      layer.bringToBack();
    });
  }

  /* The submission form's pin: dragging it, clicking the map or typing coordinates moves it; the form's
     inputs always hold where it is. The server checks all of it again when the form is sent. */
  function pin(map, options) {
    localise(map);
    var box = document.getElementById(options.box);
    var lat = document.getElementById(options.lat), lon = document.getElementById(options.lon);
    if (!box || !lat || !lon) return null;
    var address = L.latLng(parseFloat(box.dataset.addressLat), parseFloat(box.dataset.addressLon));
    var warning = document.getElementById("pin-warnung"), warningText = document.getElementById("pin-warnung-text");
    var where = document.getElementById("standort-zuordnung");
    function number(input) { return parseFloat(input.value.replace(",", ".")); }
    function decimal(value) { return value.toFixed(6).replace(".", ","); }
    var start = L.latLng(number(lat), number(lon));
    if (isNaN(start.lat) || isNaN(start.lng)) start = address;
    L.circleMarker(address, {radius: 6, color: "#555", fillOpacity: 0.6}).bindTooltip(text(box.dataset.labelAddress)).addTo(map);
    var marker = L.marker(start, {draggable: true, autoPan: true, title: box.dataset.labelPin, alt: box.dataset.labelPin})
      .addTo(map);
    map.setView(start, 15);

    function check(position) {
      var km = map.distance(address, position) / 1000;
      var far = km > parseFloat(box.dataset.warningKm);
      warning.hidden = !far;
      warningText.textContent = far ? box.dataset.warning.replace("{km}", km.toFixed(1).replace(".", ",")) : "";
      var url = box.dataset.whereUrl + "?lat=" + position.lat.toFixed(6) + "&lon=" + position.lng.toFixed(6);
      fetch(url).then(function (r) { return r.json(); }).then(function (answer) {
        where.textContent = answer.text;
      }).catch(function () { where.textContent = ""; });  // the server checks the pin again on sending
    }
    function moved(position) {
      lat.value = decimal(position.lat);
      lon.value = decimal(position.lng);
      check(position);
    }
    marker.on("dragend", function () { moved(marker.getLatLng()); });
    // By keyboard: the focused pin moves 10 pixels per arrow key (50 with Shift), the map follows.
    var steps = {ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0]};
    marker.getElement().addEventListener("keydown", function (event) {
      var step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      var size = event.shiftKey ? 50 : 10;
      var point = map.latLngToContainerPoint(marker.getLatLng()).add([step[0] * size, step[1] * size]);
      var position = map.containerPointToLatLng(point);
      marker.setLatLng(position);
      map.panTo(position);
      moved(position);
    });
    map.on("click", function (event) { marker.setLatLng(event.latlng); moved(event.latlng); });
    function typed() {
      var position = L.latLng(number(lat), number(lon));
      if (isNaN(position.lat) || isNaN(position.lng)) return;
      marker.setLatLng(position);
      map.panTo(position);
      check(position);
    }
    lat.addEventListener("change", typed);
    lon.addEventListener("change", typed);
    return {map: map, marker: marker, address: address};
  }

  function wireFilter() {
    var form = document.getElementById("filter");
    var atlas = window.atlasProjects;
    var list = document.getElementById("projektliste");
    if (!form || !atlas || !list) return;
    var count = document.getElementById("trefferzahl");
    var more = document.getElementById("mehr");
    var pager = document.getElementById("seiten");
    var shown = [], rendered = 0;

    function render(upto) {
      for (; rendered < Math.min(upto, shown.length); rendered++) list.appendChild(listItem(atlas.data, shown[rendered]));
      if (more) more.hidden = rendered >= shown.length;
    }
    var openIds = {};  // zeit → Set of ids, asked once per page
    function selectedBit(name) {
      var select = form.querySelector("select[name=" + name + "]");
      var option = select && select.selectedOptions[0];
      return option && option.value ? parseInt(option.dataset.bit, 10) : 0;
    }
    function readSpec() {
      var spec = {hf: 0, sp: selectedBit("sprache"), zg: selectedBit("zielgruppe"), open: null};
      form.querySelectorAll("input[name=hf]").forEach(function (box) {
        if (box.checked) spec.hf |= parseInt(box.dataset.bit, 10);
      });
      var free = form.querySelector("input[name=kostenlos]");
      spec.ko = !!(free && free.checked);
      var time = form.querySelector("input[name=zeit]:checked");
      spec.zeit = time ? time.value : "";
      if (!spec.zeit || !atlas.openSrc) return Promise.resolve(spec);
      if (!openIds[spec.zeit]) {
        var url = atlas.openSrc + (atlas.openSrc.indexOf("?") < 0 ? "?" : "&") + "zeit=" + encodeURIComponent(spec.zeit);
        openIds[spec.zeit] = fetch(url, {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (ids) { return new Set(ids); });
      }
      return openIds[spec.zeit].then(function (ids) { spec.open = ids; return spec; });
    }
    var asked = 0;
    function apply(updateUrl) {
      var mine = ++asked;
      var params = new URLSearchParams(window.location.search);
      ["hf", "sprache", "zielgruppe", "kostenlos", "zeit", "seite"].forEach(function (name) { params.delete(name); });
      new FormData(form).forEach(function (value, name) { if (value) params.append(name, value); });
      return readSpec().then(function (spec) {
        if (mine !== asked) return;  // a later change of the filter answers instead
        shown = atlas.filter(spec);
        list.textContent = ""; rendered = 0;
        render(PAGE);
        if (count) count.textContent = projectCount(shown.length);
        if (pager) pager.hidden = true;
        if (updateUrl) {
          var query = params.toString();
          history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
          relinkLanguages();
          relinkDownloads(params);
        }
      });
    }
    atlas.ready.then(function () {
      form.addEventListener("change", function () { apply(true); });
      form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
      apply(false);
    });
    if (more) more.addEventListener("click", function () {
      var first = rendered;
      render(rendered + PAGE);
      var next = list.children[first];
      if (next) next.querySelector("a").focus();
    });
  }

  /* "Meinen Standort verwenden" on the near page: the browser's position fills the search; texts from the page. */
  function wireGeolocation() {
    var button = document.getElementById("standort");
    var form = document.getElementById("suche");
    if (!button || !form || !navigator.geolocation) return;
    var status = document.getElementById("standort-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        ["lat", "lon"].forEach(function (id) { document.getElementById(id).disabled = false; });
        document.getElementById("lat").value = position.coords.latitude.toFixed(5);
        document.getElementById("lon").value = position.coords.longitude.toFixed(5);
        document.getElementById("ort").disabled = true;
        form.submit();
      }, function () {
        status.textContent = button.dataset.failed;
      }, {timeout: 10000, maximumAge: 60000});
    });
  }

  /* Place suggestions while typing (the WAI-ARIA combobox pattern): the input owns a listbox of places from
     the server; arrow keys move through it, Enter takes one, Escape closes it. Names arrive as data: textContent. */
  function wireSuggestions() {
    document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
      var list = el("ul", "suggestions");
      list.id = "vorschlaege-" + input.id;
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", TEXT.suggestions || "");
      list.hidden = true;
      var status = el("span", "skip");
      status.setAttribute("role", "status");
      input.parentNode.insertBefore(list, input.nextSibling);
      input.parentNode.insertBefore(status, list.nextSibling);
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-controls", list.id);
      input.setAttribute("aria-expanded", "false");
      var options = [], active = -1, timer = null, asked = "";
      function close() {
        list.hidden = true; active = -1;
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
      }
      function mark(index) {
        options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
        active = index;
        if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
      }
      function take(index) {
        input.value = options[index].dataset.name;
        close();
      }
      function show(places) {
        list.textContent = ""; options = [];
        places.forEach(function (place, i) {
          var option = el("li", null, place.label);
          option.id = list.id + "-" + i;
          option.setAttribute("role", "option");
          option.dataset.name = place.name;
          option.addEventListener("mousedown", function (event) { event.preventDefault(); take(i); });
          list.appendChild(option); options.push(option);
        });
        list.hidden = !options.length;
        input.setAttribute("aria-expanded", options.length ? "true" : "false");
        status.textContent = options.length ? TEXT.suggestionsHint || "" : "";
        mark(-1);
      }
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var text = input.value.trim();
        if (text.length < 2 || /^[0-9]+$/.test(text)) { close(); return; }
        timer = setTimeout(function () {
          asked = text;
          fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text) + "&lang=" + document.documentElement.lang)
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (places) { if (asked === input.value.trim()) show(places); })
            .catch(close);
        }, 150);
      });
      input.addEventListener("keydown", function (event) {
        if (list.hidden) return;
        if (event.key === "ArrowDown") { event.preventDefault(); mark((active + 1) % options.length); }
        else if (event.key === "ArrowUp") { event.preventDefault(); mark(active <= 0 ? options.length - 1 : active - 1); }
        else if (event.key === "Enter" && active >= 0) { event.preventDefault(); take(active); }
        else if (event.key === "Escape") { close(); }
      });
      input.addEventListener("blur", close);
    });
  }

  /* The language links keep what the page's URL says now (a filter ticked since the page was loaded). */
  function relinkLanguages() {
    document.querySelectorAll("nav.languages a[hreflang]").forEach(function (link) {
      var params = new URLSearchParams(window.location.search);
      params.set("lang", link.getAttribute("hreflang"));
      link.href = "?" + params.toString();
    });
  }

  /* The download links and the embedding code carry the filter the page shows now. */
  function relinkDownloads(params) {
    var query = new URLSearchParams(params);
    query.delete("lang");
    var text = query.toString();
    function withQuery(base) { return base + (text ? (base.indexOf("?") < 0 ? "?" : "&") + text : ""); }
    document.querySelectorAll("a[data-download]").forEach(function (link) {
      link.href = withQuery(link.dataset.download);
    });
    var code = document.getElementById("einbetten-code");  // the <iframe> code of „Karte einbetten“
    if (code) code.value = code.dataset.template.replace("{src}", withQuery(code.dataset.embed));
  }

  /* After a failed submit the error summary takes the focus, so a screen reader reads what to fix first. */
  function focusErrors() {
    var summary = document.getElementById("fehler");
    if (summary) summary.focus();
  }

  /* After a search the results are what the person came for: focus and view move to their heading. */
  function focusResults() {
    var heading = document.getElementById("ergebnis");
    if (heading && window.location.search && !document.getElementById("fehler")) heading.focus();
  }

  /* The poster's „Drucken“ button (a page holds no inline script). */
  function wirePrint() {
    var button = document.getElementById("drucken");
    if (button) button.addEventListener("click", function () { window.print(); });
  }

  document.addEventListener("DOMContentLoaded", wirePrint);
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("DOMContentLoaded", focusResults);
  document.addEventListener("DOMContentLoaded", wireSuggestions);
  document.addEventListener("DOMContentLoaded", wireFilter);
  document.addEventListener("DOMContentLoaded", wireGeolocation);
  window.Atlas = {projects: projects, boundaries: boundaries, pin: pin};
})();

/* Gemeinsame Sache: draws the projects a page hands over, filters map and list together.
   Everything that comes from data reaches the page as text: textContent, text nodes in tooltips and popups,
   never innerHTML or a string that Leaflet would parse as HTML. The page holds no inline script (CSP). */
(function () {
  "use strict";
  var PAGE = 50;

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
    box.appendChild(el("strong", "popup-name", data.name[i]));
    var traeger = data.traeger[data.tr[i]];
    if (traeger) box.appendChild(el("div", "popup-traeger", traeger));
    box.appendChild(el("div", "popup-hf", fieldsOf(data, data.hf[i]).map(function (f) { return f[1]; }).join(" · ")));
    box.appendChild(el("div", "popup-ort", data.orte[data.ort[i]]));
    var link = el("a", "popup-link", "Zur Projektseite");
    link.href = "/projekt/" + data.id[i];
    box.appendChild(link);
    return box;
  }

  function listItem(data, i) {
    var item = el("li", "projekt");
    var link = el("a", "projekt-name", data.name[i]);
    link.href = "/projekt/" + data.id[i];
    item.appendChild(link);
    var details = el("span", "projekt-details");
    var traeger = data.traeger[data.tr[i]];
    details.appendChild(document.createTextNode((traeger ? traeger + " · " : "") + data.orte[data.ort[i]] + " · "));
    fieldsOf(data, data.hf[i]).forEach(function (f) {
      details.appendChild(badge(f));
      details.appendChild(el("span", "hf-name", f[1] + " "));
    });
    item.appendChild(details);
    return item;
  }

  /* The projects of a page on its map. `block` is either the columns themselves (near and project pages) or
     {src: URL} of the versioned data resource (the statewide and district maps), fetched once and then kept
     by the browser. The handle is returned at once; `handle.ready` resolves when the data is there. */
  function projects(map, block, options) {
    var handle = {map: map, data: null, layer: null, markers: [], shown: [], settledAt: null, onSettled: null,
                  filter: function () { return []; }, shownCount: function () { return handle.shown.length; }};
    if (block.view) map.setView([block.view.lat, block.view.lon], block.view.zoom);
    if (block.centre) drawCentre(map, block.centre);
    var load = block.src
      ? fetch(block.src, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      : Promise.resolve(block);
    handle.ready = load.then(function (data) { draw(handle, data, options); return handle; });
    return handle;
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
    handle.markers = data.id.map(function (id, i) {
      var marker = L.marker([data.lat[i] / data.scale, data.lon[i] / data.scale],
                            {icon: icon(data, data.hf[i]), title: data.name[i], keyboard: true});
      marker.bindPopup(function () { return popup(data, i); });
      marker.atlasIndex = i;
      return marker;
    });
    var settled = function () {
      handle.settledAt = performance.now();
      if (handle.onSettled) handle.onSettled();
    };
    var clustered = options.cluster && L.markerClusterGroup;
    handle.layer = clustered
      ? L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
                              chunkProgress: function (done, total) { if (done === total) settled(); }})
      : L.layerGroup();
    handle.layer.addTo(handle.map);
    function place(markers) {
      if (clustered) {
        handle.layer.addLayers(markers);
        if (!markers.length) settled();
      } else {
        markers.forEach(function (m) { handle.layer.addLayer(m); });
        settled();
      }
    }
    handle.shown = handle.markers;
    handle.mask = 0;
    place(handle.markers);
    handle.filter = function (mask) {
      if (mask === handle.mask) return handle.shown.map(function (m) { return m.atlasIndex; });
      handle.mask = mask;
      handle.shown = mask
        ? handle.markers.filter(function (m) { return (data.hf[m.atlasIndex] & mask) !== 0; })
        : handle.markers;
      handle.layer.clearLayers();
      place(handle.shown);
      return handle.shown.map(function (m) { return m.atlasIndex; });
    };
  }

  function boundaries(map, url, options) {
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
    function apply(updateUrl) {
      var boxes = form.querySelectorAll("input[name=hf]");
      var mask = 0, params = new URLSearchParams(window.location.search);
      params.delete("hf"); params.delete("seite");
      boxes.forEach(function (box) {
        if (box.checked) { mask |= parseInt(box.dataset.bit, 10); params.append("hf", box.value); }
      });
      shown = atlas.filter(mask);
      list.textContent = ""; rendered = 0;
      render(PAGE);
      if (count) count.textContent = shown.length === 1 ? "1 Projekt" : shown.length + " Projekte";
      if (pager) pager.hidden = true;
      if (updateUrl) {
        var query = params.toString();
        history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      }
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

  document.addEventListener("DOMContentLoaded", wireFilter);
  document.addEventListener("DOMContentLoaded", wireGeolocation);
  window.Atlas = {projects: projects, boundaries: boundaries, pin: pin};
})();

/* The projects of a page on its map: one marker each where they are few, clusters where they are many, each
   marker with its popup; and the handle through which the filter (filters.js) changes what the map shows.
   Everything from data reaches the map as text: the popups are elements filled with textContent, the tooltips
   text nodes; the markers' own markup holds only the site's colours, letters and counts. */

import {fieldsOf, indices, passes, project, specKey} from "./columns.js";
import {el, outward, projectText, projectUrl, textSpan} from "./dom.js";
import {summaryBox} from "./summary.js";
import {TEXT, projectCount} from "./text.js";

const EVERY = specKey({hf: 0});  // the filter that lets every project through

/**
 * Draws the projects of the page's JSON block `options.source` on `map`, clustered if `options.cluster`. The block
 * is either the columns themselves (near and project pages) or {src: URL} of the versioned data resource (the
 * statewide and district maps, with `labels` and `summaries` in the page's language), fetched once and then kept
 * by the browser; `open` is where the time filter asks which projects are open, `view` where the map starts,
 * `centre` a place and radius to draw.
 *
 * The handle is returned at once; `handle.ready` resolves when the data is there (and rejects when it could not be
 * loaded: the map then shows no projects, and a page's filter says so). `handle.filter(spec)` shows
 * the projects that pass a filter (columns.js) and returns their indexes; `settledAt` is when the map last
 * finished drawing (performance.now()), and `onSettled` is called each time.
 */
export function drawProjects(map, options) {
  const block = JSON.parse(document.getElementById(options.source).textContent);
  const handle = {
    map: map, data: null, spec: {hf: 0}, shown: [], settledAt: null, onSettled: null,
    openSrc: block.open || null,
    filter: () => [],
    shownCount: () => handle.shown.length,
  };
  if (block.view) map.setView([block.view.lat, block.view.lon], block.view.zoom);
  if (block.centre) drawCentre(map, block.centre);
  const load = block.src
    ? Promise.all([fetchJson(block.src), block.summaries ? fetchJson(block.summaries) : {}])
      .then(([data, summaries]) => labelled(data, block.labels || {}, summaries))
    : Promise.resolve(block);
  handle.ready = load.then((data) => {
    draw(handle, data, options.cluster);
    return handle;
  });
  handle.ready.catch(() => {});  // not an error of the page's code: said where there is a filter to say it
  return handle;
}

/* The answer of `src` as data; refused or failed, a rejection (the filter says so and leaves filtering to the
   server: filters.js). */
function fetchJson(src) {
  return fetch(src, {credentials: "same-origin"}).then((response) => {
    if (!response.ok) throw new Error(src + ": " + response.status);
    return response.json();
  });
}

/* The data resource is the same in every language: the page hands over the words to show it with (the
   Handlungsfelder, the languages, the times spelled out), and the summaries come in the page's language from a
   resource of their own (summary_index, summaries). */
export function labelled(data, labels, summaries) {
  const times = labels.zeiten || {};
  data.fields = labels.fields || [];
  data.sprachen = labels.sprachen || [];
  data.zeiten = data.zeiten.map((raw) => (raw ? times[raw] || raw : ""));
  return Object.assign(data, summaries);
}

/* The place a near search started from, and its radius; the map shows all of it. */
function drawCentre(map, centre) {
  const at = [centre.lat, centre.lon];
  const circle = L.circle(at, {radius: centre.radius, color: "#12355b", weight: 2, fillOpacity: 0.05}).addTo(map);
  L.circleMarker(at, {radius: 7, color: "#12355b", fillColor: "#ffbf47", fillOpacity: 1, className: "atlas-centre"})
    .bindTooltip(textSpan(centre.name)).addTo(map);
  map.fitBounds(circle.getBounds());
}

function draw(handle, data, cluster) {
  handle.data = data;
  handle.shown = indices(data, handle.spec);
  const settled = () => {
    handle.settledAt = performance.now();
    if (handle.onSettled) handle.onSettled();
  };
  const show = cluster && window.Supercluster ? clustered(handle, data) : single(handle, data);
  show();
  settled();
  handle.filter = (spec) => {
    if (specKey(spec) !== specKey(handle.spec)) {
      handle.spec = spec;
      handle.shown = indices(data, spec);
      show();
      settled();
    }
    return handle.shown;
  };
}

/* Few projects (a project page, a near search): one marker each. */
function single(handle, data) {
  const layer = L.layerGroup().addTo(handle.map);
  const markers = data.id.map((id, i) => projectMarker(data, i));
  return () => {
    layer.clearLayers();
    handle.shown.forEach((i) => layer.addLayer(markers[i]));
  };
}

/* Many projects on a map: a clustering index (supercluster, from the vendor's script) over all of them, built
   once. Each cluster carries its counts per combination of Handlungsfelder, so a filter by Handlungsfeld only
   counts again; any other filter gets an index of its own over the projects it lets through. Only what is in
   view becomes markers, again after every move. Returns the function that shows `handle.shown` again. */
function clustered(handle, data) {
  const map = handle.map;
  const layer = L.layerGroup().addTo(map);
  const all = build(data, data.id.map((id, i) => i));
  let index = all;
  let indexKey = EVERY;
  handle.index = all;
  const projectMarkers = {};
  let current = {};

  function counted(cluster) {
    if (!handle.spec.hf || index !== all) return cluster.properties.point_count;
    let n = 0;
    const counts = cluster.properties.c;
    for (const mask in counts) if ((mask & handle.spec.hf) !== 0) n += counts[mask];
    return n;
  }

  function show() {
    const spec = handle.spec;
    const byFacts = spec.sp || spec.zg || spec.ko || spec.open;
    const key = byFacts ? specKey(spec) : EVERY;
    if (key !== indexKey) {
      index = byFacts ? build(data, handle.shown) : all;
      indexKey = key;
    }
    const bounds = map.getBounds();
    const next = {};
    const items = index.getClusters([bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()],
                                    map.getZoom());
    const onMarker = markerFocused(map);
    items.forEach((item) => {
      if (!item.properties.cluster) {
        const i = item.properties.i;
        if (!passes(data, spec, i)) return;
        next["p" + i] = current["p" + i] || projectMarkers[i] || (projectMarkers[i] = projectMarker(data, i));
        return;
      }
      const n = counted(item);
      const id = "c" + indexKey + ":" + item.properties.cluster_id + ":" + n;
      if (n) next[id] = current[id] || clusterOf(item, n);
    });
    // markers that stay are left alone: an open popup survives the map's move to show it
    Object.keys(current).forEach((id) => {
      if (!next[id]) layer.removeLayer(current[id]);
    });
    const added = Object.keys(next).filter((id) => !current[id]).map((id) => next[id]);
    added.forEach((marker) => layer.addLayer(marker));
    current = next;
    if (onMarker) keepFocus(map, onMarker, added);
  }

  function clusterOf(item, n) {
    const at = [item.geometry.coordinates[1], item.geometry.coordinates[0]];
    const from = index;
    return clusterMarker(at, n, () => {
      map.setView(at, Math.min(from.getClusterExpansionZoom(item.properties.cluster_id), map.getMaxZoom()));
    });
  }

  map.on("moveend", show);
  return show;
}

/** The marker's element that has the keyboard's focus on `map`, or null. */
export function markerFocused(map) {
  const focused = document.activeElement;
  return focused && focused.classList.contains("leaflet-marker-icon") && map.getContainer().contains(focused)
    ? focused : null;
}

/** After a redraw took away the marker that had the focus (`was`: a cluster opened by Enter), the focus goes to the
    first of the markers the redraw `added` (those that came out of it), or to the map, instead of falling to the
    page's start; where the person has moved the focus meanwhile, it stays there. */
export function keepFocus(map, was, added) {
  if (was.isConnected) return;
  const active = document.activeElement;
  if (active && active !== document.body && !map.getContainer().contains(active)) return;
  const first = added.map((marker) => marker.getElement && marker.getElement()).find(Boolean);
  (first || map.getContainer()).focus({preventScroll: true});
}

/* The index over the projects `rows` (indexes into the columns). */
function build(data, rows) {
  const points = rows.map((i) => ({
    type: "Feature", properties: {i: i},
    geometry: {type: "Point", coordinates: [data.lon[i] / data.scale, data.lat[i] / data.scale]},
  }));
  return new Supercluster({
    radius: 60, maxZoom: 14,  // from zoom 15 on every project is its own marker
    map: (properties) => ({c: {[data.hf_mask[properties.i]]: 1}}),
    reduce: (total, properties) => {
      for (const mask in properties.c) total.c[mask] = (total.c[mask] || 0) + properties.c[mask];
    },
  }).load(points);
}

/* A project's marker, coloured and lettered by its first Handlungsfeld, named for screen readers and reached by
   keyboard; its popup is made when first opened. */
export function projectMarker(data, i) {
  const name = data.name[i];
  const marker = L.marker([data.lat[i] / data.scale, data.lon[i] / data.scale],
                          {icon: icon(data, data.hf_mask[i]), title: name, alt: name, keyboard: true});
  marker.bindPopup(() => popup(project(data, i)));
  marker.atlasIndex = i;
  return marker;
}

/* One icon per combination of Handlungsfelder, shared by its markers. Its markup is built from the site's own
   colours and letters only, checked here: no project data goes into it. */
const icons = {};
function icon(data, mask) {
  if (icons[mask]) return icons[mask];
  const fields = fieldsOf(data, mask);
  const field = fields[0] || data.fields[0];
  const colour = /^#[0-9a-fA-F]{6}$/.test(field.colour) ? field.colour : "#555555";
  const letter = /^[A-Za-z]$/.test(field.letter) ? field.letter : "?";
  const more = fields.length > 1 ? "+" : "";
  icons[mask] = L.divIcon({
    className: "hf-marker",
    html: '<span style="background:' + colour + '">' + letter + more + "</span>",
    iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12],
  });
  return icons[mask];
}

/* A cluster's marker at `at`, named by the count of its projects `n`; `open` zooms into it, by a click or by Enter
   when it has the focus. */
export function clusterMarker(at, n, open) {
  const label = projectCount(n);
  const marker = L.marker(at, {icon: clusterIcon(n), title: label, alt: label, keyboard: true});
  marker.on("click", open);
  marker.on("add", () => {
    marker.getElement().addEventListener("keydown", (event) => {
      if (event.key === "Enter") open();
    });
  });
  return marker;
}

const clusterIcons = {};
function clusterIcon(n) {
  const size = n < 10 ? "small" : n < 100 ? "medium" : "large";
  const key = size + n;
  if (!clusterIcons[key]) {
    clusterIcons[key] = L.divIcon({html: "<div><span>" + Number(n) + "</span></div>",
                                   className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40)});
  }
  return clusterIcons[key];
}

/* A project's popup (columns.js, project()): its name, Träger, summary, Handlungsfelder, place, facts, source, since
   when it is no longer confirmed and the link to its page, each as text. */
function popup(item) {
  const box = el("div", "popup");
  box.appendChild(projectText(el("strong", "popup-name", item.name)));
  if (item.traeger) box.appendChild(projectText(el("div", "popup-traeger", item.traeger)));
  const summary = summaryBox(item.summary);
  if (summary) box.appendChild(summary);
  box.appendChild(el("div", "popup-hf", item.fields.map((field) => field.label).join(" · ")));
  box.appendChild(projectText(el("div", "popup-ort", item.ort)));
  item.facts.forEach((line) => box.appendChild(el("div", "popup-fact", line)));
  if (item.source) box.appendChild(sourceMark(item.source));
  if (item.unconfirmed) box.appendChild(el("div", "popup-unconfirmed", item.unconfirmed));
  const link = el("a", "popup-link", TEXT.toProject);
  link.href = projectUrl(item.id);
  box.appendChild(outward(link));
  return box;
}

/* „Aus öffentlichen Quellen zusammengetragen, Stand … (Quelle)“, the source linked. */
function sourceMark(source) {
  const mark = el("div", "popup-source", TEXT.fromSources.replace("{stand}", source.stand) + " (");
  const cited = el("a", "popup-quelle", TEXT.source);
  cited.href = source.url;
  cited.rel = "nofollow noopener";
  cited.target = "_blank";
  mark.appendChild(cited);
  mark.appendChild(document.createTextNode(")"));
  return mark;
}

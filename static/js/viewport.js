/* A map with too many projects to send at once (atlas/web/viewport.py): per map tile in view, the server's
   clusters, and the projects themselves where the view is close enough. Clicking a cluster (or Enter on it) zooms
   in; the filter (filters.js) asks the server again with its URL parameters. What the tiles carry is drawn as
   map.js draws it: markers with popups made of text. */

import {el} from "./dom.js";
import {clusterMarker, keepFocus, labelled, markerFocused, projectMarker} from "./map.js";
import {TEXT} from "./text.js";

const ASKED_KEPT = 400;  // tile answers kept by the page (the browser's cache keeps them too)

/** Whether the page's JSON block `options.source` says to draw its projects by viewport. */
export function byViewport(options) {
  const block = document.getElementById(options.source);
  return Boolean(block && JSON.parse(block.textContent).tiles);
}

/**
 * Draws the projects of the page's block {tiles, inView, labels, maxZoom} on `map`, a tile at a time. The handle:
 * `viewport` true; `filterBy(query)` shows the projects that pass the filter of these URL parameters; `bbox()` the
 * view as west,south,east,north; `onView` is called after each move; `settledAt`/`onSettled` as in map.js
 * (settledAt null while a view is drawn). A tile that could not be loaded is said on the map and asked again at the
 * next move.
 */
export function drawViewport(map, options) {
  const block = JSON.parse(document.getElementById(options.source).textContent);
  const layer = L.layerGroup().addTo(map);
  const shown = new Map();  // key of a tile and filter → its layer on the map
  const asked = new Map();  // URL → promise of its answer
  let wanted = new Set();
  let generation = 0;
  let started = false;
  const handle = {
    map: map, viewport: true, query: "", inView: block.inView, labels: block.labels || {},
    settledAt: null, onSettled: null, onView: null,
  };

  const notice = failureNotice(map);

  function answer(url) {
    if (!asked.has(url)) {
      if (asked.size > ASKED_KEPT) asked.clear();
      const failed = () => {
        asked.delete(url);  // not kept: the next move asks again
        return null;
      };
      asked.set(url, fetch(url, {credentials: "same-origin"})
        .then((response) => (response.ok ? response.json() : failed()))
        .catch(failed));
    }
    return asked.get(url);
  }

  function show() {
    started = true;
    const mine = ++generation;
    handle.settledAt = null;  // until this view is drawn
    const tiles = tilesInView(map, block.maxZoom);
    const keys = tiles.map((tile) => tile.join("/") + "?" + handle.query);
    const onMarker = markerFocused(map);  // a cluster opened by Enter: its tile goes, the focus follows (keepFocus)
    const added = [];
    wanted = new Set(keys);
    for (const [key, group] of shown) {
      if (!wanted.has(key)) {
        layer.removeLayer(group);
        shown.delete(key);
      }
    }
    let missing = 0;
    return Promise.all(tiles.map((tile, k) => {
      if (shown.has(keys[k])) return null;
      const [z, x, y] = tile;
      const url = block.tiles + "&z=" + z + "&x=" + x + "&y=" + y + (handle.query ? "&" + handle.query : "");
      return answer(url).then((data) => {
        if (!data) {  // refused or failed: not drawn, not recorded, so the next move asks for it again
          missing++;
          return;
        }
        if (!wanted.has(keys[k]) || shown.has(keys[k])) return;
        const group = tileLayer(map, data, z, handle.labels, block.maxZoom);
        layer.addLayer(group);
        shown.set(keys[k], group);
        added.push(...group.getLayers());
      });
    })).then(() => {
      if (onMarker) keepFocus(map, onMarker, added);
      if (mine !== generation) return;
      notice.textContent = missing ? TEXT.tilesFailed : "";
      handle.settledAt = performance.now();
      if (handle.onSettled) handle.onSettled();
    });
  }

  handle.filterBy = (query) => {
    if (query !== handle.query || !started) {
      handle.query = query;
      shown.forEach((group) => layer.removeLayer(group));
      shown.clear();
    }
    return show();
  };
  handle.bbox = () => {
    const bounds = map.getBounds();
    const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value)).toFixed(3);
    return [clamp(bounds.getWest(), 180), clamp(bounds.getSouth(), 90), clamp(bounds.getEast(), 180),
            clamp(bounds.getNorth(), 90)].join(",");
  };
  map.on("moveend", () => {
    show();
    if (handle.onView) handle.onView();
  });
  handle.ready = Promise.resolve(handle);
  setTimeout(() => {  // no filter asked for the first view (a page without the filter form): draw it as it is
    if (!started) show();
  }, 0);
  return handle;
}

/* Where the map says that part of it could not be loaded (a tile refused or failed): on the map, announced. */
function failureNotice(map) {
  const notice = el("p", "map-notice");
  notice.setAttribute("role", "status");
  const control = L.control({position: "topright"});
  control.onAdd = () => notice;
  control.addTo(map);
  return notice;
}

/* The tiles (z, x, y) of Leaflet's grid at the map's zoom that the view touches. */
function tilesInView(map, maxZoom) {
  const z = Math.max(0, Math.min(maxZoom, Math.round(map.getZoom())));
  const n = 2 ** z;
  const bounds = map.getBounds();
  const clamp = (value) => Math.max(0, Math.min(n - 1, Math.floor(value * n)));
  const west = clamp((bounds.getWest() + 180) / 360);
  const east = clamp((bounds.getEast() + 180) / 360);
  const north = clamp(mercatorY(bounds.getNorth()));
  const south = clamp(mercatorY(bounds.getSouth()));
  const tiles = [];
  for (let x = west; x <= east; x++) for (let y = north; y <= south; y++) tiles.push([z, x, y]);
  return tiles;
}

function mercatorY(lat) {
  const phi = Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI / 180;
  return 0.5 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / (2 * Math.PI);
}

/* One tile's clusters and projects as a layer; a cluster zooms in two steps towards its projects. */
function tileLayer(map, data, z, labels, maxZoom) {
  const group = L.layerGroup();
  (data.clusters || []).forEach(([lat, lon, n]) => {
    const at = [lat / data.scale, lon / data.scale];
    group.addLayer(clusterMarker(at, n, () => map.setView(at, Math.min(z + 2, maxZoom))));
  });
  if (data.points) {
    const points = labelled(data.points, labels, {});
    points.id.forEach((id, i) => group.addLayer(projectMarker(points, i)));
  }
  return group;
}

/* The projects of a page on its map, and the handle through which the filter (filters.js) changes what it shows. */

import {clustered} from "./clusters.js";
import {indices, specKey} from "./columns.js";
import {textSpan} from "./dom.js";
import {projectMarker} from "./markers.js";

/**
 * Draws the projects of the page's JSON block `options.source` on `map`, clustered if `options.cluster`. The block
 * is either the columns themselves (near and project pages) or {src: URL} of the versioned data resource (the
 * statewide and district maps), fetched once and then kept by the browser; `open` is where the time filter asks
 * which projects are open, `view` where the map starts, `centre` a place and radius to draw.
 *
 * The handle is returned at once; `handle.ready` resolves when the data is there. `handle.filter(spec)` shows
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
    ? fetch(block.src, {credentials: "same-origin"}).then((response) => response.json())
    : Promise.resolve(block);
  handle.ready = load.then((data) => {
    draw(handle, data, options.cluster);
    return handle;
  });
  return handle;
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

/* Many projects on a map: a clustering index (supercluster, from the vendor's script) over all of them, built
   once. Each cluster carries its counts per combination of Handlungsfelder, so a filter by Handlungsfeld only
   counts again; any other filter gets an index of its own over the projects it lets through. Only what is in
   view becomes markers, again after every move. */

import {passes, specKey} from "./columns.js";
import {clusterMarker, projectMarker} from "./markers.js";

const EVERY = specKey({hf: 0});

/** Shows the projects of `handle.shown` on its map, clustered; returns the function that shows them again. */
export function clustered(handle, data) {
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
    Object.keys(next).forEach((id) => {
      if (!current[id]) layer.addLayer(next[id]);
    });
    current = next;
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

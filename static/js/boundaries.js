/* The outlines of the ArL or of a district's Kreise, fetched as GeoJSON (kept by the browser), below the markers;
   a district map names its Kreise (text nodes, in a pane of their own above the outlines). */

import {textSpan} from "./dom.js";

/** Draws the outlines of `options.url` on `map`, with their names if `options.labels`. */
export function drawBoundaries(map, options) {
  if (options.labels && !map.getPane("labels")) {
    map.createPane("labels").style.zIndex = 450;  // above the outlines, below markers and popups
  }
  return fetch(options.url).then((response) => response.json()).then((geojson) => {
    const layer = L.geoJSON(geojson, {
      interactive: false,
      style: {color: "#333", weight: options.labels ? 1.5 : 2.5, opacity: 0.8, fill: false},
      onEachFeature: (feature, shape) => {
        if (options.labels) {
          shape.bindTooltip(textSpan(feature.properties.name),
                            {permanent: true, direction: "center", className: "kreis-label", pane: "labels"});
        }
      },
    }).addTo(map);
    layer.bringToBack();
    return layer;
  });
}

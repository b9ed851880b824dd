/* The markers of the projects map: one per project, coloured and lettered by its first Handlungsfeld, and one per
   cluster, with its count. Both are reached by keyboard and named for screen readers. */

import {fieldsOf, project} from "./columns.js";
import {popup} from "./popup.js";
import {projectCount} from "./text.js";

/** A project's marker; its popup is made when first opened. */
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

/** A cluster's marker at `at` counting `n` projects; `open` zooms into it (by click, or Enter when focused). */
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

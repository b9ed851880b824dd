/* The browser code of the pages with a map (templates/_partials.html, map_assets, loads it as a module).

A map's script, which Folium renders (atlas/maps.py), is a module that runs after this one: it makes the Leaflet
map and hands it over by one event per layer on the map's element, `atlas:basemap`, `atlas:boundaries`,
`atlas:projects` or `atlas:pin`, with {map, options}. No global passes between them. Each layer is the job of a
module here; what they make is on the map's element as `atlas` (dom.js, expose) for tests and benchmarks. */

import {drawBasemap} from "./basemap.js";
import {drawBoundaries} from "./boundaries.js";
import {expose} from "./dom.js";
import {wireFilter} from "./filters.js";
import {drawProjects} from "./map.js";
import {placePin} from "./pin.js";
import {TEXT} from "./text.js";
import {byViewport, drawViewport} from "./viewport.js";

const LAYERS = {
  basemap: (map, options) => expose(map, "basemap", drawBasemap(map, options)),
  boundaries: (map, options) => drawBoundaries(map, options),
  projects: (map, options) => wireFilter(expose(map, "projects", byViewport(options)
    ? drawViewport(map, options) : drawProjects(map, options))),
  pin: (map, options) => expose(map, "pin", placePin(map, options)),
};

Object.entries(LAYERS).forEach(([layer, draw]) => {
  document.addEventListener("atlas:" + layer, (event) => {
    localise(event.detail.map);
    popupsByKeyboard(event.detail.map);
    draw(event.detail.map, event.detail.options);
  });
});

/* The map's own controls speak the page's language. */
function localise(map) {
  if (map.atlasLocalised || !map.zoomControl) return;
  map.atlasLocalised = true;
  [[map.zoomControl._zoomInButton, TEXT.zoomIn], [map.zoomControl._zoomOutButton, TEXT.zoomOut]]
    .forEach(([button, label]) => {
      if (button && label) {
        button.title = label;
        button.setAttribute("aria-label", label);
      }
    });
}

/* A popup opened (by Enter on a marker, or a click) takes the focus, so a screen reader reads it and Tab reaches its
   link; its close button is named in the page's language; closed (its button, Escape), the focus goes back to the
   marker it belongs to, not to the page's start. */
function popupsByKeyboard(map) {
  if (map.atlasPopups) return;
  map.atlasPopups = true;
  map.on("popupopen", (event) => {
    const popup = event.popup;
    const button = popup.getElement().querySelector(".leaflet-popup-close-button");
    if (button && TEXT.closePopup) {
      button.setAttribute("aria-label", TEXT.closePopup);
      button.title = TEXT.closePopup;
    }
    const content = popup.getElement().querySelector(".leaflet-popup-content");
    if (!content.atlasKeys) {
      content.atlasKeys = true;
      content.tabIndex = -1;
      content.addEventListener("keydown", (key) => {
        if (key.key === "Escape") map.closePopup(popup);
      });
    }
    content.focus({preventScroll: true});
  });
  map.on("popupclose", (event) => {
    const marker = event.popup._source;
    const active = document.activeElement;
    const lost = !active || active === document.body || event.popup.getElement().contains(active);
    const element = marker && marker.getElement && marker.getElement();
    if (lost && element && element.isConnected) element.focus({preventScroll: true});
  });
}

/* The submission form's location step: a pin for where the project is. Dragging it, clicking the map, the arrow
   keys or typing coordinates move it; the form's inputs always hold where it is, and the Kreis and ArL follow it.
   The server checks all of it again when the form is sent. Its words and URLs come from the page (#standort). */

import {textSpan} from "./dom.js";
import {LANG} from "./text.js";

// the distance as the page's language writes it: 12,3 in German, 12.3 in English, ١٢٫٣ in Arabic
const KM = window.Intl && Intl.NumberFormat
  ? new Intl.NumberFormat(LANG, {minimumFractionDigits: 1, maximumFractionDigits: 1}) : null;
const kilometres = (km) => (KM ? KM.format(km) : km.toFixed(1));

const STEPS = {ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0]};

/** The pin on `map`, bound to the box `options.box` and the inputs `options.lat`, `options.lon`; null without. */
export function placePin(map, options) {
  const box = document.getElementById(options.box);
  const lat = document.getElementById(options.lat);
  const lon = document.getElementById(options.lon);
  if (!box || !lat || !lon) return null;
  const address = L.latLng(parseFloat(box.dataset.addressLat), parseFloat(box.dataset.addressLon));
  const warning = document.getElementById("pin-warnung");
  const warningText = document.getElementById("pin-warnung-text");
  const where = document.getElementById("standort-zuordnung");
  const shown = document.getElementById("gezeigt");  // the warnings the page showed (atlas.submission.unconfirmed)
  let start = L.latLng(number(lat), number(lon));
  if (isNaN(start.lat) || isNaN(start.lng)) start = address;
  L.circleMarker(address, {radius: 6, color: "#555", fillOpacity: 0.6}).bindTooltip(textSpan(box.dataset.labelAddress))
    .addTo(map);
  const marker = L.marker(start, {draggable: true, autoPan: true, title: box.dataset.labelPin, alt: box.dataset.labelPin})
    .addTo(map);
  map.setView(start, 15);

  function check(position) {
    const km = map.distance(address, position) / 1000;
    const far = km > parseFloat(box.dataset.warningKm);
    warning.hidden = !far;
    if (far && shown && !shown.value.split(" ").includes("far_ok")) {
      shown.value = (shown.value + " far_ok").trim();  // seen: sent without its box ticked, the server says so
    }
    warningText.textContent = far ? box.dataset.warning.replace("{km}", kilometres(km)) : "";
    const url = box.dataset.whereUrl + "?lat=" + position.lat.toFixed(6) + "&lon=" + position.lng.toFixed(6);
    fetch(url).then((response) => response.json()).then((answer) => {
      where.textContent = answer.text;
    }).catch(() => {
      where.textContent = "";  // the server checks the pin again on sending
    });
  }
  function moved(position) {
    lat.value = decimal(position.lat);
    lon.value = decimal(position.lng);
    check(position);
  }
  function typed() {
    const position = L.latLng(number(lat), number(lon));
    if (isNaN(position.lat) || isNaN(position.lng)) return;
    marker.setLatLng(position);
    map.panTo(position);
    check(position);
  }

  marker.on("dragend", () => moved(marker.getLatLng()));
  // By keyboard: the focused pin moves 10 pixels per arrow key (50 with Shift), the map follows.
  marker.getElement().addEventListener("keydown", (event) => {
    const step = STEPS[event.key];
    if (!step) return;
    event.preventDefault();
    const size = event.shiftKey ? 50 : 10;
    const point = map.latLngToContainerPoint(marker.getLatLng()).add([step[0] * size, step[1] * size]);
    const position = map.containerPointToLatLng(point);
    marker.setLatLng(position);
    map.panTo(position);
    moved(position);
  });
  map.on("click", (event) => {
    marker.setLatLng(event.latlng);
    moved(event.latlng);
  });
  lat.addEventListener("change", typed);
  lon.addEventListener("change", typed);
  return {map: map, marker: marker, address: address};
}

function number(input) {
  return parseFloat(input.value.replace(",", "."));
}

function decimal(value) {
  return value.toFixed(6).replace(".", ",");
}

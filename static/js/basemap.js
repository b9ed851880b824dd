/* Gemeinsame Sache: the atlas's own light basemap, under every map. Niedersachsen's land and its neighbours,
   the Kreis borders and, from zoom 10, the Gemeinde borders, and the names of places, larger places first
   (atlas/basemap.py makes the data). It lies below the tiles: where tiles load they cover it; where they are
   slow, fail or are switched off, it is what one sees. Place names are text (textContent), never HTML. */

const AREAS = {nachbar: "#eeeeeb", land: "#fbfbf9"};
const LINES = {gemeinde: ["#d5d5d1", 0.8], kreis: ["#b1b1ad", 1], rand: ["#99999a", 1.2]};
const PANES = [["basemap", 150], ["basemapLines", 160], ["basemapPlaces", 170]];  // below the tiles (200)
const FONT = {l: 14, m: 13, s: 12, xs: 11};  // pixels, by how far out a place is named (see atlas.css)
const CELL = 128;  // pixels: the grid that finds overlapping names quickly
const HINT_ZOOM = 13, HINTS = 4, HINT_METRES = 25000;  // close in: the nearest places beyond the edge
const ARROWS = ["→", "↘", "↓", "↙", "←", "↖", "↑", "↗"];  // by direction on the screen, clockwise from east
const GAP = 6;  // pixels between a place's dot and its name (atlas.css draws them)
const MARGIN = 2, ROOM = 9;  // pixels of air around a name; around a dot, free of other dots
const SIDES = [  // where a name may stand beside its dot, in this order of preference: its box in pixels
  ["rechts", (x, y, w, h) => [x - 4, y - h / 2, x + GAP + w, y + h / 2]],
  ["links", (x, y, w, h) => [x - GAP - w, y - h / 2, x + 4, y + h / 2]],
  ["oben", (x, y, w, h) => [x - w / 2, y - 4 - h, x + w / 2, y + 4]],
  ["unten", (x, y, w, h) => [x - w / 2, y - 4, x + w / 2, y + 4 + h]],
];

/** The basemap under `map`: its data at `options.src`, its sources named by `options.attribution`. */
export function drawBasemap(map, options) {
  PANES.forEach(function (pane) {
    if (!map.getPane(pane[0])) map.createPane(pane[0]).style.zIndex = pane[1];
  });
  map.getContainer().classList.add("atlas-basemap");
  const handle = {map: map, src: options.src, grid: null, overview: null, tiles: {}, loading: {}, have: {},
                  places: [], placed: {}};
  handle.names = new Names(handle, options.attribution).addTo(map);
  handle.ready = load(handle, "index");
  map.on("zoomend moveend", function () { update(handle); });
  map.on("layeradd", function (event) {  // the map's own names (a district's Kreise) come later: make room
    if (event.layer instanceof L.Tooltip) handle.names.refreshSoon();
  });
  handle.shownNames = function () { return handle.names.shown(); };
  return handle;
}

/* The shapes of the overview or of a tile: areas in one pane, borders above them in the next. The overview's
   land is one piece, so its outline is the edge of Niedersachsen; a tile's pieces overlap and have none. */
function shapes(features, whole) {
  const areas = L.geoJSON(null, {pane: "basemap", interactive: false, style: function (feature) {
    const kind = feature.properties.k;
    return {stroke: whole && kind === "land", color: LINES.rand[0], weight: LINES.rand[1], fill: true,
            fillColor: AREAS[kind], fillOpacity: 1, className: "atlas-grund-" + kind};
  }});
  const lines = L.geoJSON(null, {pane: "basemapLines", interactive: false, style: function (feature) {
    const line = LINES[feature.properties.k] || LINES.gemeinde;
    return {color: line[0], weight: line[1], opacity: 1, fill: false, className: "atlas-grund-" + feature.properties.k};
  }});
  features.forEach(function (feature) { (AREAS[feature.properties.k] ? areas : lines).addData(feature); });
  return L.layerGroup([areas, lines]);
}

/* Up to the tiles' zoom the overview, fetched when first needed; from there the tiles in view, fetched once
   each. A map that was further out keeps showing the overview until every tile in view is there; a map that
   starts close in never fetches it. */
function update(handle) {
  if (!handle.grid) { load(handle, "index"); return; }
  const map = handle.map, detail = map.getZoom() >= handle.grid.zoom;
  let complete = false;
  if (detail) {
    const wanted = tilesInView(handle);
    complete = wanted.inside;
    wanted.keys.forEach(function (key) {
      if (!handle.tiles[key]) { complete = false; load(handle, "tile:" + key, key); }
    });
  } else if (!handle.overview) {
    load(handle, "overview");
  }
  Object.keys(handle.tiles).forEach(function (key) { show(map, handle.tiles[key], detail); });
  if (handle.overview) show(map, handle.overview, !(detail && complete));
  handle.names.refresh();
}

function show(map, layer, visible) {
  if (visible && !map.hasLayer(layer)) layer.addTo(map);
  if (!visible && map.hasLayer(layer)) map.removeLayer(layer);
}

function tilesInView(handle) {
  const bounds = handle.map.getBounds().pad(0.2), size = handle.grid.size, box = handle.grid.box, keys = [];
  if (handle.map.getZoom() >= HINT_ZOOM) {  // close in: the places around too, for the hints at the edge
    const centre = handle.map.getCenter();
    bounds.extend([centre.lat - 0.1, centre.lng - 0.15]).extend([centre.lat + 0.1, centre.lng + 0.15]);
  }
  for (let x = Math.floor(bounds.getWest() / size[0]); x <= Math.floor(bounds.getEast() / size[0]); x++) {
    for (let y = Math.floor(bounds.getSouth() / size[1]); y <= Math.floor(bounds.getNorth() / size[1]); y++) {
      if (handle.have[x + "/" + y]) keys.push(x + "/" + y);
    }
  }
  const view = handle.map.getBounds();
  const inside = view.getWest() >= box[0] && view.getSouth() >= box[1] && view.getEast() <= box[2] &&
    view.getNorth() <= box[3];
  return {keys: keys, inside: inside};
}

/* The index, the overview's shapes or a tile (`tile`: its key); what failed is asked again after the next
   move. The promise says when it is drawn (or not: the page works without its basemap). */
function load(handle, what, tile) {
  if (handle.loading[what]) return handle.loading[what];
  const xy = tile ? tile.split("/") : null;
  const url = handle.src + (tile ? "&x=" + xy[0] + "&y=" + xy[1] : what === "overview" ? "&teil=uebersicht" : "");
  handle.loading[what] = fetch(url)
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      if (tile) {
        handle.tiles[tile] = shapes(data.features, false);
        addPlaces(handle, data.places);
      } else if (what === "overview") {
        handle.overview = shapes(data.features, true);
      } else {
        handle.grid = data.tiles;
        data.tiles.have.forEach(function (t) { handle.have[t[0] + "/" + t[1]] = true; });
        addPlaces(handle, data.places);
      }
      delete handle.loading[what];
      update(handle);
      return handle;
    }, function () {
      delete handle.loading[what];
      return handle;
    });
  return handle.loading[what];
}

function addPlaces(handle, columns) {
  for (let i = 0; i < columns.name.length; i++) {
    handle.places.push({name: columns.name[i], lat: columns.lat[i] / columns.scale,
                        lon: columns.lon[i] / columns.scale, zoom: columns.zoom[i], rank: columns.rank[i]});
  }
  handle.places.sort(function (a, b) { return a.rank - b.rank; });
  handle.placed = {};
}

/* Which names a zoom shows: every place named at that zoom, the larger first, each beside a dot where it lies.
   First the dots: one too close to a larger place's dot is left out (a part of a larger town, a city
   district). Then the names, to the right of their dot, else left, above, below: never over a name or dot
   already placed, and where they cover the fewest dots of places still to come. A place whose dot is covered
   or whose name finds no room is left out. The same at every position of the map, so names do not come and
   go with a move. */
function placed(handle, zoom) {
  if (handle.placed[zoom]) return handle.placed[zoom];
  const dots = {}, taken = {}, candidates = [], chosen = [];
  handle.places.forEach(function (place) {
    if (place.zoom > zoom) return;
    const point = handle.map.project([place.lat, place.lon], zoom);
    const dot = [point.x - ROOM, point.y - ROOM, point.x + ROOM, point.y + ROOM];
    if (overlapping(dots, dot).length) return;
    const candidate = {place: place, point: point, dot: dot, done: false};
    add(dots, dot, candidate);
    candidates.push(candidate);
  });
  candidates.forEach(function (candidate) {
    candidate.done = true;
    if (overlapping(taken, candidate.dot).length) return;
    const place = candidate.place, point = candidate.point;
    const size = place.zoom <= 6 ? "l" : place.zoom <= 7 ? "m" : place.zoom < 10 ? "s" : "xs";
    const width = textWidth(handle, place.name, size) + 2 * MARGIN, height = FONT[size] * 1.25 + 2 * MARGIN;
    let best = null, fewest = Infinity;
    SIDES.forEach(function (side) {
      const box = side[1](point.x, point.y, width, height);
      if (overlapping(taken, box).length) return;
      const covered = overlapping(dots, box).filter(function (other) { return !other.done; }).length;
      if (covered < fewest) { best = {side: side[0], box: box}; fewest = covered; }
    });
    if (!best) return;
    add(taken, best.box, candidate);
    add(taken, candidate.dot, candidate);
    chosen.push({place: place, point: point, size: size, side: best.side, box: best.box});
  });
  handle.placed[zoom] = chosen;
  return chosen;
}

function add(grid, box, owner) {
  eachCell(box, function (key) { (grid[key] = grid[key] || []).push({box: box, owner: owner}); });
}

/* The owners of the boxes in `grid` that overlap `box`. */
function overlapping(grid, box) {
  const found = [];
  eachCell(box, function (key) {
    (grid[key] || []).forEach(function (entry) {
      if (overlaps(box, entry.box) && found.indexOf(entry.owner) < 0) found.push(entry.owner);
    });
  });
  return found;
}

/* How wide a name is written, measured as the page's font draws it (a canvas, not the page: no layout). */
function textWidth(handle, text, size) {
  const fonts = handle.fonts = handle.fonts || {};
  if (!fonts[size]) {
    const probe = document.createElement("span");
    probe.className = "atlas-ort atlas-ort-" + size;
    handle.names.getPane().appendChild(probe);
    const style = getComputedStyle(probe);
    fonts[size] = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
    probe.parentNode.removeChild(probe);
  }
  handle.canvas = handle.canvas || document.createElement("canvas").getContext("2d");
  if (!handle.canvas) return text.length * FONT[size] * 0.6;
  handle.canvas.font = fonts[size];
  return handle.canvas.measureText(text).width;
}

function eachCell(box, action) {
  for (let x = Math.floor(box[0] / CELL); x <= Math.floor(box[2] / CELL); x++) {
    for (let y = Math.floor(box[1] / CELL); y <= Math.floor(box[3] / CELL); y++) action(x + ":" + y);
  }
}

/* The names as a layer of text: one element per name shown, positioned in its pane, hidden while the map
   zooms. They are for the eye; the lists and the search are the way for a screen reader. The layer also
   names the basemap's sources in the map's attribution. */
const Names = L.Layer.extend({
  initialize: function (handle, attribution) {
    L.setOptions(this, {pane: "basemapPlaces", attribution: attribution});
    this._handle = handle;
    this._nodes = {};
  },
  onAdd: function () {
    this._box = L.DomUtil.create("div", "atlas-orte leaflet-zoom-hide", this.getPane());
    this._box.setAttribute("aria-hidden", "true");
    this._box.lang = "de";
    this._box.dir = "ltr";
    this.refresh();
  },
  onRemove: function () {
    L.DomUtil.remove(this._box);
    this._nodes = {};
  },
  refresh: function () {
    const map = this._map;
    if (!map) return;
    const zoom = Math.round(map.getZoom()), origin = map.getPixelOrigin(), size = map.getSize();
    const corner = map.containerPointToLayerPoint([0, 0]);
    const low = corner.subtract([150, 30]), high = corner.add(size).add([150, 30]);
    const ahead = aheadOf(map, origin);
    let labels = [], seen = 0;
    placed(this._handle, zoom).forEach(function (label) {
      const at = label.point.subtract(origin);
      if (at.x < low.x || at.y < low.y || at.x > high.x || at.y > high.y) return;
      if (ahead.some(function (box) { return overlaps(box, label.box); })) return;  // the map's own names win
      if (at.x >= corner.x && at.y >= corner.y && at.x <= corner.x + size.x && at.y <= corner.y + size.y) seen++;
      labels.push({key: "p" + label.place.rank, text: label.place.name, at: at,
                   kind: "atlas-ort-" + label.size + " atlas-ort-" + label.side});
    });
    if (zoom >= HINT_ZOOM && seen < HINTS) labels = labels.concat(hints(this._handle, map, labels));
    const box = this._box, before = this._nodes, next = {};
    labels.forEach(function (label) {
      const node = before[label.key] || document.createElement("span");
      if (node.textContent !== label.text) node.textContent = label.text;
      node.className = "atlas-ort " + label.kind;
      node.style.left = Math.round(label.at.x) + "px";
      node.style.top = Math.round(label.at.y) + "px";
      if (node.parentNode !== box) box.appendChild(node);
      next[label.key] = node;
    });
    Object.keys(before).forEach(function (key) {
      if (!next[key] && before[key].parentNode === box) box.removeChild(before[key]);
    });
    this._nodes = next;
  },
  refreshSoon: function () {
    const names = this;
    if (!names._soon) {
      names._soon = true;
      setTimeout(function () { names._soon = false; names.refresh(); }, 0);
    }
  },
  shown: function () {
    const nodes = this._nodes;
    return Object.keys(nodes).map(function (key) { return nodes[key].textContent; });
  }
});

/* Close in (a project, the submission's pin) few places may be in view: the nearest ones beyond the edge are
   named at the edge, towards where they lie, with their distance from the middle of the map („Harbarnsen → 3,9
   km“), one per direction. */
function hints(handle, map, shown) {
  const centre = map.getCenter(), size = map.getSize(), middle = size.divideBy(2), view = map.getBounds();
  const named = {}, taken = {}, result = [];
  shown.forEach(function (label) { named[label.text] = true; });
  const near = handle.places.filter(function (place) {
    return !named[place.name] && !view.contains([place.lat, place.lon]);
  }).map(function (place) {
    return {place: place, metres: centre.distanceTo([place.lat, place.lon])};
  }).filter(function (item) { return item.metres < HINT_METRES; });
  near.sort(function (a, b) { return a.metres - b.metres; });
  near.forEach(function (item) {
    if (result.length >= HINTS) return;
    const towards = map.latLngToContainerPoint([item.place.lat, item.place.lon]).subtract(middle);
    const direction = (Math.round(Math.atan2(towards.y, towards.x) / (Math.PI / 4)) + 8) % 8;
    if (taken[direction]) return;
    taken[direction] = true;
    const text = item.place.name + " " + ARROWS[direction] + " " +
      (item.metres / 1000).toLocaleString(document.documentElement.lang || "de", {maximumFractionDigits: 1}) + " km";
    const room = L.point(middle.x - text.length * FONT.xs * 0.3 - 10, middle.y - 22);
    const scale = Math.min(room.x / Math.max(Math.abs(towards.x), 1), room.y / Math.max(Math.abs(towards.y), 1));
    const at = map.containerPointToLayerPoint(middle.add(towards.multiplyBy(scale)));
    result.push({key: "h" + item.place.rank, text: text, at: at, kind: "atlas-ort-hinweis"});
  });
  return result;
}

/* The map's own names that stay (a district's Kreise, centred on their point), as boxes in world pixels at
   the map's zoom, like the places' boxes: a place name under one is left out. */
function aheadOf(map, origin) {
  const boxes = [];
  map.eachLayer(function (layer) {
    if (!(layer instanceof L.Tooltip) || !layer.options.permanent || layer.options.direction !== "center") return;
    const node = layer.getElement();
    if (!node) return;
    const at = map.latLngToLayerPoint(layer.getLatLng()).add(origin), w = node.offsetWidth / 2,
      h = node.offsetHeight / 2;
    boxes.push([at.x - w, at.y - h, at.x + w, at.y + h]);
  });
  return boxes;
}

function overlaps(a, b) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* Small helpers for the page. Text from data goes into it as text only: textContent and text nodes, never
   innerHTML or a string that Leaflet would parse as HTML. */

/** An element with a class and a text (given as data, set as textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A text for a tooltip or popup: a span holding a text node, which Leaflet inserts as it is. */
export function textSpan(value) {
  return el("span", null, String(value));
}

/* Project texts stay as submitted: read as German by screen readers, their direction taken from their own
   letters, so a German name keeps its full stop inside an Arabic line. */
export function projectText(node) {
  node.lang = "de";
  node.dir = "auto";
  return node;
}

/** In a map embedded in another site, a project opens in a new tab, not inside the frame. */
export function outward(link) {
  if (document.body.classList.contains("embedded")) {
    link.target = "_blank";
    link.rel = "noopener";
  }
  return link;
}

/** Where a project's page is (the site's own URL of it, as the server's list links it). */
export function projectUrl(id) {
  return "/projekt/" + id;
}

/* What a map's parts are, for tests and benchmarks to reach without a global: the map's element carries
   `atlas` = {map, projects, basemap, pin}, as far as the map has them. */
export function expose(map, name, value) {
  const container = map.getContainer();
  container.atlas = container.atlas || {map: map};
  container.atlas[name] = value;
  return value;
}

/** Runs `action` once the document is parsed (at once for a module: modules run after parsing). */
export function whenParsed(action) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", action);
  else action();
}

/* The filter beside a map (#filter): ticking a box or choosing a language changes map, list, count and URL
   together, at once, without reloading the page. The same URL opens the same view (the server reads it too). */

import {relinkDownloads} from "./embed.js";
import {projectList} from "./list.js";
import {TEXT, projectCount} from "./text.js";
import {viewList} from "./viewlist.js";

const PARAMS = ["hf", "sprache", "zielgruppe", "kostenlos", "zeit", "seite"];  // what the filter puts into the URL

/** Binds the page's filter form and list to the projects of a map (map.js, drawProjects); nothing without them. */
export function wireFilter(atlas) {
  const form = document.getElementById("filter");
  const list = document.getElementById("projektliste");
  const template = document.getElementById("projekt-vorlage");
  if (!form || !list || !template) return;
  const count = document.getElementById("trefferzahl");
  const inView = atlas.viewport ? viewList(atlas, list, template, document.getElementById("mehr"), count) : null;
  const items = inView ? null : projectList(list, template, document.getElementById("mehr"));
  const pager = document.getElementById("seiten");
  const openIds = {};  // zeit → the promise of the Set of ids open then, asked once per page
  let asked = 0;

  function selectedBit(name) {
    const select = form.querySelector("select[name=" + name + "]");
    const option = select && select.selectedOptions[0];
    return option && option.value ? parseInt(option.dataset.bit, 10) : 0;
  }

  /* The filter the form says (columns.js); with a time, after the server said which projects are open then. */
  function readSpec() {
    const spec = {hf: 0, sp: selectedBit("sprache"), zg: selectedBit("zielgruppe"), open: null};
    form.querySelectorAll("input[name=hf]").forEach((box) => {
      if (box.checked) spec.hf |= parseInt(box.dataset.bit, 10);
    });
    const free = form.querySelector("input[name=kostenlos]");
    spec.ko = Boolean(free && free.checked);
    const time = form.querySelector("input[name=zeit]:checked");
    spec.zeit = time ? time.value : "";
    if (!spec.zeit || !atlas.openSrc) return Promise.resolve(spec);
    if (!openIds[spec.zeit]) {
      const url = atlas.openSrc + (atlas.openSrc.indexOf("?") < 0 ? "?" : "&") + "zeit=" + encodeURIComponent(spec.zeit);
      const asking = fetch(url, {credentials: "same-origin"})
        .then((response) => {
          if (!response.ok) throw new Error(url + ": " + response.status);
          return response.json();
        })
        .then((ids) => new Set(ids));
      asking.catch(() => {
        if (openIds[spec.zeit] === asking) delete openIds[spec.zeit];  // not kept: the next change asks again
      });
      openIds[spec.zeit] = asking;
    }
    return openIds[spec.zeit].then((ids) => {
      spec.open = ids;
      return spec;
    });
  }

  /* Whether the form says something else than the page's URL (what the filter puts there). */
  function differsFromUrl() {
    const now = new URLSearchParams(window.location.search), wanted = new URLSearchParams();
    new FormData(form).forEach((value, name) => {
      if (value) wanted.append(name, value);
    });
    return PARAMS.some((name) => now.getAll(name).join() !== wanted.getAll(name).join());
  }

  function apply(updateUrl) {
    const mine = ++asked;
    const params = new URLSearchParams(window.location.search);
    PARAMS.forEach((name) => params.delete(name));
    new FormData(form).forEach((value, name) => {
      if (value) params.append(name, value);
    });
    if (inView) {  // the server filters: the map's tiles and the list in view ask with the filter's parameters
      const wanted = new URLSearchParams();
      new FormData(form).forEach((value, name) => {
        if (value && name !== "seite") wanted.append(name, value);
      });
      atlas.filterBy(wanted.toString());
      inView.refresh();
      if (pager) pager.hidden = true;
      if (updateUrl) relinkAll(params);
      return Promise.resolve();
    }
    return readSpec().then((spec) => {
      if (mine !== asked) return;  // a later change of the filter answers instead
      const shown = atlas.filter(spec);
      items.show(atlas.data, shown);
      if (count) count.textContent = projectCount(shown.length);
      if (pager) pager.hidden = true;
      if (updateUrl) relinkAll(params);
    }).catch(() => {  // the server did not say which projects are open then: said where the count is announced
      if (mine === asked && count) count.textContent = TEXT.filterFailed;
    });
  }

  atlas.ready.then(() => {
    form.addEventListener("change", () => apply(true));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      apply(true);
    });
    apply(differsFromUrl());  // a box ticked while the map's projects were loading: the URL takes it too
  }, () => {  // the map's projects could not be loaded: the page says so, and the server filters, as without scripts
    if (count) count.textContent = TEXT.mapDataFailed;
    form.addEventListener("change", () => form.submit());
  });
}

/* The page's URL says the filter now, and the links that keep it follow. */
function relinkAll(params) {
  const query = params.toString();
  history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  relinkLanguages();
  relinkDownloads(params);
}

/* The language links keep what the page's URL says now (a filter ticked since the page was loaded). */
function relinkLanguages() {
  document.querySelectorAll("nav.languages a[hreflang]").forEach((link) => {
    const params = new URLSearchParams(window.location.search);
    params.set("lang", link.getAttribute("hreflang"));
    link.href = "?" + params.toString();
  });
}

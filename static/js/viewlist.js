/* The list beside a map drawn by viewport (viewport.js): the projects in view that pass the filter, in the list's
   order, a page at a time from the server („Weitere anzeigen“ adds the next). Every project stays reachable: by
   moving the map, or without scripts by the server's own pages of the whole list. */

import {project} from "./columns.js";
import {listItem} from "./list.js";
import {labelled} from "./map.js";
import {TEXT, projectCount} from "./text.js";

/** The list `list` of the viewport map `atlas`; `refresh()` lists the first page of the view again. */
export function viewList(atlas, list, template, more, count) {
  let page = 1;
  let asked = 0;

  function load(wanted, append) {
    const mine = ++asked;
    const url = atlas.inView + "&bbox=" + atlas.bbox() + "&seite=" + wanted + (atlas.query ? "&" + atlas.query : "");
    return fetch(url, {credentials: "same-origin"}).then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then((answer) => {
      if (mine !== asked) return;  // the view or the filter changed meanwhile: a later answer lists it
      if (!append) list.textContent = "";
      const first = list.children.length;
      if (answer.points) {
        const data = labelled(answer.points, atlas.labels, {});
        data.id.forEach((id, i) => list.appendChild(listItem(template, project(data, i))));
      }
      page = answer.page;
      if (more) more.hidden = answer.page >= answer.pages;
      if (count) count.textContent = (TEXT.inView || "{projects}").replace("{projects}", projectCount(answer.total));
      const next = list.children[first];
      if (append && next) next.querySelector("a").focus();
      atlas.listedAt = performance.now();
    }).catch(() => {  // refused (too many requests from this address), or the server or the network failed
      if (mine !== asked || !count) return;
      count.textContent = TEXT.inViewFailed;  // said where the count is announced; the next move asks again
    });
  }

  if (more) more.addEventListener("click", () => load(page + 1, true));
  atlas.onView = () => load(1, false);
  return {refresh: () => load(1, false)};
}

/* The list beside a map: the projects the filter lets through, a page at a time („Weitere anzeigen“ adds the next).
   Each item is a copy of the page's <template id="projekt-vorlage">, which the server renders with the same macro
   as its own items (templates/_partials.html, project_item) with every part present and empty: here the parts
   are filled with text (textContent) and those a project has not are taken out. */

import {project} from "./columns.js";
import {projectUrl} from "./dom.js";
import {fillSummary} from "./summary.js";

const PAGE = 50;

/**
 * The list `list` (an <ul>), its items made from `template`, with the button `more` for the next page (or none).
 * `show(data, shown)` lists the projects at the indexes `shown` of the columns `data`, from the first page.
 */
export function projectList(list, template, more) {
  let data = null;
  let shown = [];
  let rendered = 0;

  function render(upto) {
    for (; rendered < Math.min(upto, shown.length); rendered++) {
      list.appendChild(listItem(template, project(data, shown[rendered])));
    }
    if (more) more.hidden = rendered >= shown.length;
  }

  if (more) {
    more.addEventListener("click", () => {
      const first = rendered;
      render(rendered + PAGE);
      const next = list.children[first];
      if (next) next.querySelector("a").focus();
    });
  }
  return {
    show: (columns, indexes) => {
      data = columns;
      shown = indexes;
      list.textContent = "";
      rendered = 0;
      render(PAGE);
    },
  };
}

/** One item of the list for a project (columns.js, project()), from the template. */
export function listItem(template, item) {
  const node = template.content.firstElementChild.cloneNode(true);
  const slot = (name) => node.querySelector('[data-slot="' + name + '"]');
  const link = slot("name");
  link.textContent = item.name;
  link.setAttribute("href", projectUrl(item.id));
  fill(slot("traeger"), item.traeger);
  slot("ort").textContent = item.ort;
  const slugs = item.fields.map((field) => field.slug);
  node.querySelectorAll("[data-hf]").forEach((badge) => {
    if (!slugs.includes(badge.dataset.hf)) badge.remove();
  });
  fillSummary(slot("summary"), item.summary);
  fill(slot("facts"), item.facts.join(" · "));
  if (!item.source) slot("source").remove();
  fill(slot("unconfirmed"), item.unconfirmed);
  return node;
}

/* A part that holds a text (its own, or its <bdi>'s); without a text, the part goes, with its separator. */
function fill(part, text) {
  if (!text) {
    part.remove();
    return;
  }
  (part.querySelector("bdi") || part).textContent = text;
}

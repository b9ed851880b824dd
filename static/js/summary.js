/* A project's one-line summary as its reader gets it (atlas/mapdata.py, summary_columns): in the reader's language
   where a current translation exists, marked when a machine made it, the German original behind a <details> (no
   script needed to open it); the German text, marked, where the reader's translation is outdated. The markup is
   that of templates/_partials.html's project_item: the list fills its summary slots, the popup builds the same
   parts. */

import {el} from "./dom.js";
import {TEXT} from "./text.js";

/** Fill the summary slots of a list item made from the template; without a summary, the part goes. */
export function fillSummary(part, summary) {
  if (!summary) {
    part.remove();
    return;
  }
  const text = part.querySelector('[data-slot="summary-text"]');
  text.textContent = summary.text;
  text.lang = summary.lang;
  text.dir = summary.dir;
  keep(part, "summary-machine", summary.machine);
  const original = part.querySelector('[data-slot="summary-original"]');
  if (summary.translated) original.querySelector("span").textContent = summary.original;
  keep(part, "summary-outdated", summary.outdated);
  if (!summary.translated) original.remove();
}

/** The summary as a part of a popup (null without one). */
export function summaryBox(summary) {
  if (!summary) return null;
  const box = el("div", "projekt-summary");
  const line = el("span", null, summary.text);
  line.lang = summary.lang;
  line.dir = summary.dir;
  box.appendChild(line);
  if (summary.machine) spaced(box, el("span", "machine-mark", TEXT.machine));
  if (summary.translated) {
    const original = el("details", "original");
    original.appendChild(el("summary", null, TEXT.original));
    const german = el("span", null, summary.original);
    german.lang = "de";
    german.dir = "auto";
    original.appendChild(german);
    spaced(box, original);
  }
  if (summary.outdated) spaced(box, el("span", "outdated-mark", TEXT.outdated));
  return box;
}

function keep(part, slot, wanted) {
  if (!wanted) part.querySelector('[data-slot="' + slot + '"]').remove();
}

function spaced(box, node) {
  box.appendChild(document.createTextNode(" "));
  box.appendChild(node);
}

/* A project's popup on the map: its name, Träger, Handlungsfelder, place, facts, source and the link to its page,
   each as text. */

import {el, outward, projectText, projectUrl} from "./dom.js";
import {TEXT} from "./text.js";

/** The popup's content for a project (columns.js, project()). */
export function popup(project) {
  const box = el("div", "popup");
  box.appendChild(projectText(el("strong", "popup-name", project.name)));
  if (project.traeger) box.appendChild(projectText(el("div", "popup-traeger", project.traeger)));
  box.appendChild(el("div", "popup-hf", project.fields.map((field) => field.label).join(" · ")));
  box.appendChild(projectText(el("div", "popup-ort", project.ort)));
  project.facts.forEach((line) => box.appendChild(el("div", "popup-fact", line)));
  if (project.source) box.appendChild(sourceMark(project.source));
  const link = el("a", "popup-link", TEXT.toProject);
  link.href = projectUrl(project.id);
  box.appendChild(outward(link));
  return box;
}

/* „Aus öffentlichen Quellen zusammengetragen, Stand … (Quelle)“, the source linked. */
function sourceMark(source) {
  const mark = el("div", "popup-source", TEXT.fromSources.replace("{stand}", source.stand) + " (");
  const cited = el("a", "popup-quelle", TEXT.source);
  cited.href = source.url;
  cited.rel = "nofollow noopener";
  cited.target = "_blank";
  mark.appendChild(cited);
  mark.appendChild(document.createTextNode(")"));
  return mark;
}

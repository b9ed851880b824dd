/* The browser code of every page (templates/base.html loads it as a module): where the focus goes first, the
   poster's print button, and the concerns of their own modules. The maps' code comes with the maps (maps.js).
   Without scripts every page works too, only less at once. */

import {whenParsed} from "./dom.js";
import {wireGeolocation} from "./near.js";
import {wireSuggestions} from "./suggestions.js";

whenParsed(() => {
  wirePrint();
  focusErrors();
  focusResults();
  wireSuggestions();
  wireGeolocation();
});

/** After a failed submit the error summary takes the focus, so a screen reader reads what to fix first. */
function focusErrors() {
  const summary = document.getElementById("fehler");
  if (summary) summary.focus();
}

/** After a search the results are what the person came for: focus and view move to their heading. */
function focusResults() {
  const heading = document.getElementById("ergebnis");
  if (heading && window.location.search && !document.getElementById("fehler")) heading.focus();
}

/** The poster's „Drucken“ button (a page holds no inline script). */
function wirePrint() {
  const button = document.getElementById("drucken");
  if (button) button.addEventListener("click", () => window.print());
}

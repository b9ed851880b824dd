/* What every page does for its reader: where the focus goes first, and the poster's print button. */

/** After a failed submit the error summary takes the focus, so a screen reader reads what to fix first. */
export function focusErrors() {
  const summary = document.getElementById("fehler");
  if (summary) summary.focus();
}

/** After a search the results are what the person came for: focus and view move to their heading. */
export function focusResults() {
  const heading = document.getElementById("ergebnis");
  if (heading && window.location.search && !document.getElementById("fehler")) heading.focus();
}

/** The poster's „Drucken“ button (a page holds no inline script). */
export function wirePrint() {
  const button = document.getElementById("drucken");
  if (button) button.addEventListener("click", () => window.print());
}

/* Place suggestions while typing (the WAI-ARIA combobox pattern): an input with `data-suggest` (the URL to ask)
   owns a listbox of places from the server; arrow keys move through it, Enter takes one, Escape closes it.
   Names arrive as data: textContent. */

import {el} from "./dom.js";
import {LANG, TEXT} from "./text.js";

const DELAY = 150;  // milliseconds without typing before the server is asked

/** Makes every input[data-suggest] of the page a combobox. */
export function wireSuggestions() {
  document.querySelectorAll("input[data-suggest]").forEach(combobox);
}

function combobox(input) {
  const list = el("ul", "suggestions");
  list.id = "vorschlaege-" + input.id;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", TEXT.suggestions || "");
  list.hidden = true;
  const status = el("span", "skip");
  status.setAttribute("role", "status");
  input.parentNode.insertBefore(list, input.nextSibling);
  input.parentNode.insertBefore(status, list.nextSibling);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  let options = [];
  let active = -1;
  let timer = null;
  let asked = "";

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function mark(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");  // a new list's ids are other places
  }
  function take(index) {
    input.value = options[index].dataset.name;
    close();
  }
  function show(places) {
    // a newer answer replaces the list while the person may be choosing in it by keyboard: the place they marked
    // stays marked where the new list holds it too (else Enter, meant for it, would send the form)
    const marked = active >= 0 ? options[active].textContent : null;
    list.textContent = "";
    options = [];
    places.forEach((place, i) => {
      const option = el("li", null, place.label);
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.dataset.name = place.name;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        take(i);
      });
      list.appendChild(option);
      options.push(option);
    });
    list.hidden = !options.length;
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    status.textContent = options.length ? TEXT.suggestionsHint || "" : "";
    mark(options.findIndex((option) => option.textContent === marked));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2 || /^[0-9]+$/.test(text)) {
      close();
      return;
    }
    timer = setTimeout(() => {
      asked = text;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text) + "&lang=" + LANG)
        .then((response) => (response.ok ? response.json() : []))
        .then((places) => {
          // an answer for what is still typed, while the person is still there (a list that opens after the
          // focus moved on would push the form's button away from under the pointer)
          if (asked === input.value.trim() && document.activeElement === input) show(places);
        })
        .catch(close);
    }, DELAY);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      mark((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      mark(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      take(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => {
    clearTimeout(timer);
    if (pressed) {
      // the focus left for what a pointer presses (the form's button below the list): the list stays until the
      // press ends, so that what was pressed is still under the pointer when it is released and takes the click
      document.addEventListener("pointerup", () => setTimeout(close), {once: true});
    } else {
      close();
    }
  });
}

// Whether a mouse button, a finger or a pen is down now (the suggestions close only once it is released).
let pressed = false;
document.addEventListener("pointerdown", () => { pressed = true; }, true);
document.addEventListener("pointerup", () => { pressed = false; }, true);
document.addEventListener("pointercancel", () => { pressed = false; }, true);

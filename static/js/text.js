/* The page's words, in its language: templates/base.html puts them into #atlas-text (atlas/web/language.py,
   browser_texts). Nothing a person reads is written in the browser code itself. */

const block = document.getElementById("atlas-text");

export const TEXT = JSON.parse(block ? block.textContent : "{}");
export const LANG = document.documentElement.lang || "de";

// Each where the browser has it (older ones lack some): without, the words still come, less finely
const plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
const digits = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(LANG) : null;
const lists = window.Intl && Intl.ListFormat ? new Intl.ListFormat(LANG, {type: "conjunction"}) : null;

/** „1 Projekt“, „1.234 Projekte“: the count in the plural form the page's language uses for it. */
export function projectCount(n) {
  const forms = TEXT.projects || {};
  const form = (plurals && forms[plurals.select(n)]) || forms.other || "{n}";
  return form.replace("{n}", digits ? digits.format(n) : String(n));
}

/** Deutsch, Arabisch und Englisch: joined as the page's language joins a list. */
export function listing(items) {
  return lists ? lists.format(items) : items.join(", ");
}

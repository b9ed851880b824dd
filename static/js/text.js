/* The page's words, in its language: templates/base.html puts them into #atlas-text (atlas/web/language.py,
   browser_texts). Nothing a person reads is written in the browser code itself. */

const block = document.getElementById("atlas-text");

export const TEXT = JSON.parse(block ? block.textContent : "{}");
export const LANG = document.documentElement.lang || "de";

// Each where the browser has it (older ones lack some): without, the words still come, less finely
const plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
const digits = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(LANG) : null;

/** „1 Projekt“, „1.234 Projekte“: the count in the plural form the page's language uses for it. */
export function projectCount(n) {
  const forms = TEXT.projects || {};
  const form = (plurals && forms[plurals.select(n)]) || forms.other || "{n}";
  return form.replace("{n}", digits ? digits.format(n) : String(n));
}

/** Deutsch, Arabisch und Englisch: joined as the page's language joins a list, by the patterns the server joins
    its lists with (CLDR's, in TEXT.list: "2" for two items, else "start", "middle"s and "end"), since a browser's
    own (Intl.ListFormat) may lack the language and fall back to another one's „und“. */
export function listing(items) {
  const patterns = TEXT.list;
  if (!patterns) return items.join(", ");
  if (items.length < 2) return items.join("");
  const join = (pattern, first, second) => pattern.replace(/\{([01])\}/g, (slot, n) => (n === "0" ? first : second));
  if (items.length === 2) return join(patterns["2"], items[0], items[1]);
  let text = join(patterns.start, items[0], items[1]);
  for (const item of items.slice(2, -1)) text = join(patterns.middle, text, item);
  return join(patterns.end, text, items[items.length - 1]);
}

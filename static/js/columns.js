/* The projects as the server hands them to a map: compact columns, one list per property, the i-th entry of each
   for the i-th project (atlas/mapdata.py, columns(), says what each name holds). Here a project's parts are read
   by name, and a filter is applied; only the drawing of many markers (map.js) reads the columns of position, name
   and Handlungsfelder itself, for speed. */

import {TEXT, listing} from "./text.js";

/** The Handlungsfelder whose bits are in `mask`, as {slug, label, colour, letter, bit}, in the site's order. */
export function fieldsOf(data, mask) {
  return data.fields.filter((field) => (mask & field.bit) !== 0);
}

/** A project's parts, by name. */
export function project(data, i) {
  return {
    id: data.id[i],
    name: data.name[i],
    traeger: data.traeger[data.traeger_index[i]] || "",
    ort: data.orte[data.ort_index[i]] || "",
    fields: fieldsOf(data, data.hf_mask[i]),
    facts: factsOf(data, i),
    source: sourceOf(data, i),
    summary: summaryOf(data, i),
    unconfirmed: unconfirmedOf(data, i),
  };
}

/* The summary as its reader gets it ({text, lang, dir, machine, translated, outdated, original}), or null. */
function summaryOf(data, i) {
  const entry = data.summaries && data.summaries[data.summary_index[i]];
  return entry && entry.text ? entry : null;
}

/* What helps decide at a glance: free of charge, the languages, the regular times (words from the data). */
function factsOf(data, i) {
  const lines = [];
  if (data.kostenlos[i]) lines.push(TEXT.free);
  const languages = data.sprachen.filter((language) => (data.sprachen_mask[i] & language.bit) !== 0);
  if (languages.length) lines.push(listing(languages.map((language) => language.name)));
  const times = data.zeiten[data.zeiten_index[i]];
  if (times) lines.push(times);
  return lines;
}

/* An entry gathered from a public source, not yet confirmed by its Träger: its source (only a web address is
   linked) and the source's date; null for every other project. */
function sourceOf(data, i) {
  const url = data.quellen[data.quelle_index[i]];
  if (!url || !/^https?:\/\//i.test(url)) return null;
  return {url: url, stand: data.staende[data.stand_index[i]] || ""};
}

/* „nicht bestätigt seit …“ for a project whose confirmation ran out (the day comes with the data), else "". */
function unconfirmedOf(data, i) {
  const since = data.unbestaetigt_seit && data.unbestaetigt_seit[data.unbestaetigt_index[i]];
  return since ? TEXT.unconfirmedSince.replace("{date}", since) : "";
}

/* A filter: hf, sp, zg are bit masks (0: any), ko asks for free projects, zeit names the asked time and open is
   the Set of the ids open then (null: any time). */

/** A filter as a text, the same for the same filter. */
export function specKey(spec) {
  return [spec.hf, spec.sp || 0, spec.zg || 0, spec.ko ? 1 : 0, spec.zeit || ""].join("|");
}

/** Whether project i passes the filter. */
export function passes(data, spec, i) {
  return (!spec.hf || (data.hf_mask[i] & spec.hf) !== 0) &&
    (!spec.sp || (data.sprachen_mask[i] & spec.sp) !== 0) &&
    (!spec.zg || (data.zg_mask[i] & (spec.zg | data.zg_alle)) !== 0) &&
    (!spec.ko || data.kostenlos[i] === 1) &&
    (!spec.open || spec.open.has(data.id[i]));
}

/** The indexes of the projects that pass the filter, in the data's order. */
export function indices(data, spec) {
  const shown = [];
  for (let i = 0; i < data.id.length; i++) if (passes(data, spec, i)) shown.push(i);
  return shown;
}

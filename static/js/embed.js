/* „Daten herunterladen“ and „Karte einbetten“ carry the filter the page shows now: the download links and the
   <iframe> code follow every change of the filter (templates/_partials.html, download_links and embed_dialog). */

/** Puts the query `params` (without the page's language) on the download links and into the embedding code. */
export function relinkDownloads(params) {
  const query = new URLSearchParams(params);
  query.delete("lang");
  const text = query.toString();
  const withQuery = (base) => base + (text ? (base.indexOf("?") < 0 ? "?" : "&") + text : "");
  document.querySelectorAll("a[data-download]").forEach((link) => {
    link.href = withQuery(link.dataset.download);
  });
  const code = document.getElementById("einbetten-code");  // the <iframe> code of „Karte einbetten“
  if (code) code.value = code.dataset.template.replace("{src}", withQuery(code.dataset.embed));
}

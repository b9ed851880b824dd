/* „Meinen Standort verwenden“ on the near page: the browser's position fills the search, which is sent at once.
   The button shows only where the browser can tell its position; its words come from the page. */

/** Binds the button #standort to the search form #suche; nothing on a page without them. */
export function wireGeolocation() {
  const button = document.getElementById("standort");
  const form = document.getElementById("suche");
  if (!button || !form || !navigator.geolocation) return;
  const status = document.getElementById("standort-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition((position) => {
      ["lat", "lon"].forEach((id) => {
        document.getElementById(id).disabled = false;
      });
      document.getElementById("lat").value = position.coords.latitude.toFixed(5);
      document.getElementById("lon").value = position.coords.longitude.toFixed(5);
      document.getElementById("ort").disabled = true;
      form.submit();
    }, () => {
      status.textContent = button.dataset.failed;
    }, {timeout: 10000, maximumAge: 60000});
  });
}

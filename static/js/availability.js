// Keeps the seat count of an event page current while it stays open (every 30 s, only when the
// tab is visible). Progressive enhancement: the page is complete without it.
(function () {
  "use strict";
  var box = document.querySelector("[data-live-availability]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-live-availability");
  var target = box.querySelector(".availability");
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && target && target.textContent.trim() !== data.text) {
          target.textContent = data.text;
        }
      })
      .catch(function () { /* offline: keep the last known count */ });
  }
  window.setInterval(refresh, 30000);
})();

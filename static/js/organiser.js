// Live counts on an event's overview: refresh the figures every 30 seconds while the page is
// visible. Without JavaScript the page shows the counts as of its loading.
(function () {
  "use strict";
  var block = document.querySelector("[data-live-counts-url]");
  if (!block || !window.fetch) { return; }
  var url = block.getAttribute("data-live-counts-url");
  var format = new Intl.NumberFormat(document.documentElement.lang || "fr");

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        block.querySelectorAll("[data-count]").forEach(function (node) {
          var value = data[node.getAttribute("data-count")];
          if (typeof value === "number") { node.textContent = format.format(value); }
        });
      })
      .catch(function () { /* offline for a moment: keep the last figures */ });
  }
  window.setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
})();

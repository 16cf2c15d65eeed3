/* A background import's page: asks /entry/import/<id>/status/ every second and moves the
   progress bar without reloading; once the job is finished, loads the page again to show the
   summary. Without it the page still refreshes itself (<meta http-equiv="refresh">). */
(function () {
  "use strict";

  var box = document.querySelector("[data-import-job]");
  if (!box || box.getAttribute("data-finished") === "1" || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var progress = box.querySelector("[data-import-progress]");
  var bar = box.querySelector("[data-import-bar]");
  var stage = box.querySelector("[data-import-stage]");
  var percent = box.querySelector("[data-import-percent]");

  function show(state) {
    var value = Math.max(0, Math.min(100, Number(state.progress) || 0));
    // The width classes (w-25 …) carry !important: drop them before setting the exact width.
    bar.className = bar.className.replace(/\bw-\d+\b/g, "").trim();
    bar.style.width = value + "%";
    progress.setAttribute("aria-valuenow", String(value));
    percent.textContent = value + "%";
    stage.textContent = state.status_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();

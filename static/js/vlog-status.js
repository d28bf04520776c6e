// Live processing status on the entry page: poll the JSON status and reload once the vlog is final.
(function () {
  "use strict";
  var box = document.getElementById("vlog-status");
  if (!box) return;
  var label = box.querySelector("[data-status-label]");
  var bar = box.querySelector("[data-status-progress]");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 5000);
        if (label.textContent !== data.state_label) label.textContent = data.state_label;
        bar.value = data.progress;
        bar.textContent = data.progress + " %";
        if (data.final) return window.location.reload();
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();

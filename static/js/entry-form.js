// Character counters ("12 of 120 characters") and autosave for the entry form.
(function () {
  "use strict";
  var nl = document.documentElement.lang !== "en";
  var t = nl
    ? { of: "van", chars: "tekens", tooMany: "te veel", saving: "Opslaan…", saved: "Opgeslagen om ", failed: "Niet opgeslagen: " }
    : { of: "of", chars: "characters", tooMany: "too many", saving: "Saving…", saved: "Saved at ", failed: "Not saved: " };

  document.querySelectorAll("[data-counter]").forEach(function (field) {
    var max = parseInt(field.dataset.counter, 10);
    var counter = document.createElement("p");
    counter.className = "counter";
    counter.id = field.id + "-counter";
    // Read with the field (aria-describedby), not announced on every keystroke.
    field.insertAdjacentElement("afterend", counter);
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    function update() {
      var n = field.value.length;
      counter.textContent = n + " " + t.of + " " + max + " " + t.chars + (n > max ? " (" + (n - max) + " " + t.tooMany + ")" : "");
      counter.classList.toggle("over", n > max);
    }
    field.addEventListener("input", update);
    update();
  });

  // The poster moment follows the player: pause where you like, then press the button.
  var player = document.getElementById("vlog-player");
  var posterAt = document.getElementById("poster-at");
  if (player && posterAt) {
    player.addEventListener("timeupdate", function () {
      posterAt.value = player.currentTime.toFixed(1);
    });
  }

  var form = document.getElementById("entry-form");
  if (!form || !form.dataset.autosaveUrl) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    status.textContent = t.saving;
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", Accept: "application/json" },
    })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        status.textContent = res.ok ? t.saved + res.data.saved_at : t.failed + (res.data.message || "");
      })
      .catch(function () { status.textContent = t.failed; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();

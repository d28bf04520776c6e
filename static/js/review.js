// Scoring page: autosave with a version check, time-stamped notes that jump the player, and
// how much of the vlog was watched (heartbeats to the server while the player plays).
(function () {
  "use strict";
  var nl = document.documentElement.lang !== "en";
  var t = nl
    ? { saving: "Opslaan…", saved: "Opgeslagen", failed: "Niet opgeslagen: ", jump: "Ga naar " }
    : { saving: "Saving…", saved: "Saved", failed: "Not saved: ", jump: "Go to " };
  var form = document.getElementById("review-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var player = document.getElementById("vlog-player");
  var notesField = form.querySelector("input[name=notes]");
  var watchedField = form.querySelector("input[name=watched_seconds]");
  var versionField = form.querySelector("input[name=version]");
  var timer = null;

  function stamp(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function save() {
    status.textContent = t.saving;
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Autosave": "1", Accept: "application/json" },
    })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.saved) {
          versionField.value = data.version;
          status.textContent = t.saved;
        } else {
          status.textContent = t.failed + data.message;
        }
      })
      .catch(function () { status.textContent = t.failed; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(save, 1200); }
  form.addEventListener("input", later);

  if (!player) return;
  // Seconds actually played (seeking ahead does not count).
  var watched = parseFloat(watchedField.value) || 0;
  var last = null;
  player.addEventListener("timeupdate", function () {
    if (last !== null && player.currentTime > last && player.currentTime - last < 1.5) {
      watched += player.currentTime - last;
      watchedField.value = watched.toFixed(1);
    }
    last = player.currentTime;
  });
  player.addEventListener("pause", later);

  // Heartbeats while the player plays: the server measures the watch time from these (the
  // number above is only what this browser counts, and the server caps it).
  var beatUrl = player.dataset.heartbeatUrl;
  var beatEvery = (parseInt(player.dataset.heartbeatSeconds, 10) || 10) * 1000;
  var watchTime = document.getElementById("watch-time");
  var watchStatus = document.getElementById("watch-status");
  var beatTimer = null;
  var announced = false;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function beat(start) {
    var body = new FormData();
    if (start) body.append("start", "1");
    fetch(beatUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.counted) { stopBeats(); return; }
        if (watchTime && data.message) watchTime.textContent = data.message;
        // Announce once, not every few seconds: the text above changes silently.
        if (data.enough && !announced && data.needed_seconds && watchStatus) {
          watchStatus.textContent = data.message;
          announced = true;
        }
      })
      .catch(function () {});
  }
  function stopBeats() { clearInterval(beatTimer); beatTimer = null; }
  if (beatUrl) {
    player.addEventListener("playing", function () {
      if (beatTimer) return;
      beat(true);
      beatTimer = setInterval(function () { beat(false); }, beatEvery);
    });
    ["pause", "ended", "waiting"].forEach(function (name) {
      player.addEventListener(name, function () {
        if (!beatTimer) return;
        stopBeats();
        beat(false);
      });
    });
  }

  var notes = JSON.parse(notesField.value || "[]");
  var list = document.getElementById("note-list");
  function render() {
    list.innerHTML = "";
    notes.forEach(function (note) {
      var item = document.createElement("li");
      var jump = document.createElement("button");
      jump.type = "button";
      jump.className = "link-button";
      jump.textContent = stamp(note.t);
      jump.setAttribute("aria-label", t.jump + stamp(note.t));
      jump.addEventListener("click", function () { player.currentTime = note.t; player.focus(); });
      item.appendChild(jump);
      item.appendChild(document.createTextNode(" " + note.text));
      list.appendChild(item);
    });
    notesField.value = JSON.stringify(notes);
  }
  document.getElementById("add-note").addEventListener("click", function () {
    var input = document.getElementById("note-text");
    if (!input.value.trim()) return;
    notes.push({ t: Math.round(player.currentTime * 10) / 10, text: input.value.trim().slice(0, 300) });
    notes.sort(function (a, b) { return a.t - b.t; });
    input.value = "";
    render();
    save();
  });
  render();
})();

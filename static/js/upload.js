// Resumable vlog upload straight to object storage (S3 multipart with presigned part URLs).
// Several parts go up in parallel, each retried with backoff; the upload survives a network
// drop and a page reload (the server lists the parts it has), and can be stopped.
const root = document.getElementById("uploader");
const nl = document.documentElement.lang !== "en";
const T = nl
  ? {
      tooLarge: (size, max) => `Dit bestand is te groot (${size}). Het maximum is ${max}.`,
      empty: "Dit bestand is leeg. Kies je vlog opnieuw.",
      uploading: (pct, speed, left) => `${pct}% geüpload · ${speed} · nog ongeveer ${left}`,
      starting: "Upload begint…",
      offline: "Geen verbinding. De upload gaat verder zodra je weer online bent.",
      retrying: "Even geen verbinding met de opslag. We proberen het opnieuw…",
      checking: "Upload klaar. We controleren je vlog…",
      stopped: "Upload gestopt.",
      failed: "De upload is niet gelukt: ",
      resume: (name) => `Er staat een onderbroken upload klaar (${name}). Kies hetzelfde bestand opnieuw om verder te gaan.`,
      tryAgain: "controleer je verbinding en kies het bestand opnieuw; de upload gaat verder waar hij stopte.",
      resumed: "We gaan verder waar de upload stopte.",
      minutes: "min", seconds: "s",
    }
  : {
      tooLarge: (size, max) => `This file is too large (${size}). The maximum is ${max}.`,
      empty: "This file is empty. Choose your vlog again.",
      uploading: (pct, speed, left) => `${pct}% uploaded · ${speed} · about ${left} left`,
      starting: "Starting the upload…",
      offline: "No connection. The upload goes on as soon as you are online again.",
      retrying: "No connection with the storage for a moment. Trying again…",
      checking: "Upload done. We are checking your vlog…",
      stopped: "Upload stopped.",
      failed: "The upload did not work: ",
      resume: (name) => `An interrupted upload is waiting (${name}). Choose the same file again to go on.`,
      tryAgain: "check your connection and choose the file again; the upload goes on where it stopped.",
      resumed: "Going on where the upload stopped.",
      minutes: "min", seconds: "s",
    };

const PARALLEL = 4;
const SIGN_BATCH = 20;
const MAX_TRIES = 10;

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      ...(options.headers || {}),
    },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || response.statusText);
    error.status = response.status;
    error.code = data.code;
    throw error;
  }
  return data;
}

// API calls survive a network drop too: network errors and server errors (5xx) are retried with
// backoff (waiting for the connection to come back); a clear refusal (4xx) is not.
async function apiRetry(url, options, ui) {
  for (let attempt = 1; ; attempt++) {
    await waitOnline(ui);
    try {
      return await api(url, options);
    } catch (error) {
      if ((error.status && error.status < 500) || attempt >= MAX_TRIES) throw error;
      ui.status(navigator.onLine ? T.retrying : T.offline);
      await sleep(Math.min(30000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));
    }
  }
}

function humanSize(bytes) {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace(".", nl ? "," : ".")} GB`;
  return `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

function humanTime(seconds) {
  if (!isFinite(seconds)) return "…";
  return seconds >= 90 ? `${Math.round(seconds / 60)} ${T.minutes}` : `${Math.max(1, Math.round(seconds))} ${T.seconds}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function waitOnline(ui) {
  if (navigator.onLine) return Promise.resolve();
  ui.status(T.offline);
  return new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
}

class Upload {
  constructor(file, ui) {
    this.file = file;
    this.ui = ui;
    this.startUrl = root.dataset.startUrl;
    this.storageKey = `vlog-upload:${this.startUrl}:${file.name}:${file.size}:${file.lastModified}`;
    this.xhrs = new Set();
    this.stopped = false;
    this.urls = new Map();
    this.loaded = new Map(); // part number -> bytes sent so far
    this.samples = [];
  }

  get base() {
    return `${this.startUrl}${this.info.uid}/`;
  }

  async run() {
    const savedUid = localStorage.getItem(this.storageKey);
    if (savedUid && savedUid === root.dataset.pendingUid) {
      this.info = await apiRetry(`${this.startUrl}${savedUid}/`, {}, this.ui);
      this.ui.status(T.resumed);
    } else {
      this.ui.status(T.starting);
      this.info = await apiRetry(this.startUrl, {
        method: "POST",
        body: JSON.stringify({ filename: this.file.name, size: this.file.size, content_type: this.file.type }),
      }, this.ui);
      localStorage.setItem(this.storageKey, this.info.uid);
    }
    for (;;) {
      const { parts } = await apiRetry(`${this.base}parts/`, {}, this.ui);
      for (const part of parts) this.loaded.set(part.part_number, part.size);
      const todo = [];
      for (let n = 1; n <= this.info.part_count; n++) if (!parts.some((p) => p.part_number === n)) todo.push(n);
      if (todo.length) await this.sendAll(todo);
      if (this.stopped) return;
      try {
        const done = await apiRetry(`${this.base}complete/`, { method: "POST" }, this.ui);
        localStorage.removeItem(this.storageKey);
        return done;
      } catch (error) {
        if (error.code !== "incomplete") throw error; // a part went missing: list and go on
      }
    }
  }

  async sendAll(todo) {
    const queue = [...todo];
    const worker = async () => {
      while (queue.length && !this.stopped) await this.sendPart(queue.shift(), queue);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  }

  async signed(number, queue) {
    if (!this.urls.has(number)) {
      const batch = [number, ...queue.slice(0, SIGN_BATCH - 1)].filter((n) => !this.urls.has(n));
      const body = JSON.stringify({ part_numbers: batch });
      const { urls } = await apiRetry(`${this.base}sign/`, { method: "POST", body }, this.ui);
      for (const [n, url] of Object.entries(urls)) this.urls.set(Number(n), url);
    }
    return this.urls.get(number);
  }

  async sendPart(number, queue) {
    const size = this.info.part_size;
    const blob = this.file.slice((number - 1) * size, number * size);
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      await waitOnline(this.ui);
      try {
        await this.put(await this.signed(number, queue), blob, number);
        return;
      } catch (error) {
        if (this.stopped) return;
        this.loaded.set(number, 0);
        if (error.status === 403) this.urls.delete(number); // signature expired: sign again
        if (attempt >= MAX_TRIES) throw error;
        this.ui.status(navigator.onLine ? T.retrying : T.offline);
        await sleep(Math.min(30000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));
      }
    }
  }

  put(url, blob, number) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhrs.add(xhr);
      xhr.open("PUT", url);
      xhr.upload.onprogress = (event) => {
        this.loaded.set(number, event.loaded);
        this.report();
      };
      xhr.onload = () => {
        this.xhrs.delete(xhr);
        if (xhr.status >= 200 && xhr.status < 300) {
          this.loaded.set(number, blob.size);
          this.report();
          resolve();
        } else {
          reject(Object.assign(new Error(`HTTP ${xhr.status}`), { status: xhr.status }));
        }
      };
      xhr.onerror = xhr.ontimeout = () => {
        this.xhrs.delete(xhr);
        reject(new Error("network"));
      };
      xhr.onabort = () => {
        this.xhrs.delete(xhr);
        reject(new Error("aborted"));
      };
      xhr.send(blob);
    });
  }

  report() {
    const sent = [...this.loaded.values()].reduce((a, b) => a + b, 0);
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const speed = now > t0 ? ((sent - b0) * 1000) / (now - t0) : 0;
    const pct = Math.min(100, Math.floor((sent * 100) / this.file.size));
    const left = speed > 0 ? (this.file.size - sent) / speed : Infinity;
    this.ui.progress(pct, T.uploading(pct, `${humanSize(speed)}/s`, humanTime(left)));
  }

  async stop() {
    this.stopped = true;
    for (const xhr of this.xhrs) xhr.abort();
    localStorage.removeItem(this.storageKey);
    if (this.info) await api(this.base, { method: "DELETE" }).catch(() => {});
  }
}

function setUp() {
  if (!root) return;
  const input = root.querySelector("input[type=file]");
  const box = root.querySelector(".upload-progress");
  const bar = box.querySelector("progress");
  const cancel = box.querySelector("[data-cancel]");
  const statusLine = document.getElementById("upload-status");
  const maxBytes = Number(root.dataset.maxBytes);
  let current = null;
  let lastStep = -1;
  const ui = {
    status: (text) => { statusLine.textContent = text; },
    // The status line is a live region: announce in steps of 10 %, not on every event.
    progress: (pct, text) => {
      bar.value = pct;
      bar.textContent = `${pct}%`;
      const step = Math.floor(pct / 10);
      if (step !== lastStep || pct === 100) {
        lastStep = step;
        statusLine.textContent = text;
      }
    },
  };
  if (root.dataset.pendingUid) ui.status(T.resume(root.dataset.pendingName));

  async function start() {
    const file = input.files[0];
    if (!file || current) return;
    if (file.size === 0) return ui.status(T.empty);
    if (file.size > maxBytes) return ui.status(T.tooLarge(humanSize(file.size), humanSize(maxBytes)));
    current = new Upload(file, ui);
    box.hidden = false;
    input.disabled = true;
    try {
      const result = await current.run();
      if (!result) return;
      box.hidden = true;
      if (result.state === "rejected") return ui.status(result.error_message);
      ui.status(T.checking);
      followProcessing(ui);
    } catch (error) {
      ui.status(error.code ? error.message : T.failed + T.tryAgain);
      box.hidden = true;
    } finally {
      input.disabled = false;
      current = null;
    }
  }
  input.addEventListener("change", start);
  // A module script runs after the page is shown: on a slow line someone may have chosen
  // their file before this code listened for it.
  start();

  cancel.addEventListener("click", async () => {
    if (!current) return;
    await current.stop();
    box.hidden = true;
    input.value = "";
    ui.status(T.stopped);
  });
}

async function followProcessing(ui) {
  for (;;) {
    await sleep(2000);
    const data = await fetch(root.dataset.statusUrl, { credentials: "same-origin" }).then((r) => r.json()).catch(() => null);
    if (!data) continue;
    ui.progress(data.progress, `${data.state_label}${data.progress ? ` (${data.progress}%)` : ""}${data.error_message ? `: ${data.error_message}` : ""}`);
    if (data.final) return window.location.reload();
  }
}

setUp();

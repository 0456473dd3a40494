// The FastVideo.Onnx web page: submits jobs to /v1/videos, lists them with live progress from each job's event
// stream (/v1/videos/{id}/events), and plays finished videos. Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const keyInput = $("api-key");
keyInput.value = localStorage.getItem("fastvideo.apiKey") || "";
keyInput.addEventListener("change", () => { localStorage.setItem("fastvideo.apiKey", keyInput.value.trim()); refresh(); });

const watching = new Map();   // job id -> AbortController of its event stream
const rows = new Map();       // job id -> list item
let autoPlay = null;          // the job submitted last: played when it completes
let playerUrl = null;

function headers() {
  const key = keyInput.value.trim();
  return key ? { Authorization: "Bearer " + key } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error.message; } catch (_) { /* not an error envelope */ }
    throw new Error(message);
  }
  return response;
}

async function loadModels() {
  const models = (await (await api("/v1/models")).json()).data;
  const select = $("model");
  select.replaceChildren(...models.map((m) => { const o = document.createElement("option"); o.value = m.id; o.textContent = m.id; return o; }));
  const setDefaults = () => {
    const m = models.find((x) => x.id === select.value);
    if (!m) return;
    $("size").placeholder = m.default_size;
    $("num_frames").placeholder = m.default_num_frames;
    $("steps").placeholder = m.default_num_inference_steps;
  };
  select.addEventListener("change", setDefaults);
  setDefaults();
}

function render(video) {
  let li = rows.get(video.id);
  if (!li) {
    li = document.createElement("li");
    li.dataset.id = video.id;
    li.innerHTML = '<div><div class="prompt"></div><div class="meta"><span class="state"></span> <span class="detail"></span></div></div>' +
      '<div class="actions"><button class="play">Play</button><button class="cancel">Cancel</button><button class="delete">Delete</button></div>' +
      '<progress max="100" value="0"></progress>';
    li.querySelector(".play").addEventListener("click", () => play(video.id));
    li.querySelector(".cancel").addEventListener("click", () => act(() => api(`/v1/videos/${video.id}/cancel`, { method: "POST" })));
    li.querySelector(".delete").addEventListener("click", () => act(async () => {
      await api(`/v1/videos/${video.id}`, { method: "DELETE" });
      stopWatching(video.id);
      rows.get(video.id)?.remove();
      rows.delete(video.id);
    }));
    rows.set(video.id, li);
  }
  li.className = "status-" + video.status;
  li.dataset.status = video.status;
  li.querySelector(".prompt").textContent = video.prompt;
  li.querySelector(".state").textContent = video.status + (video.status === "in_progress" && video.stage ? ` (${video.stage})` : "");
  const detail = [video.model, video.size, `${video.num_frames} frames`, `seed ${video.seed}`];
  if (video.error) detail.push(`${video.error.code}: ${video.error.message}`);
  li.querySelector(".detail").textContent = detail.join(" \u00b7 ");
  setProgress(li, video.progress);
  const running = video.status === "queued" || video.status === "in_progress";
  li.querySelector(".cancel").disabled = !running;
  li.querySelector(".play").disabled = video.status !== "completed" || video.content_available === false;
  if (running) watch(video.id);
  return li;
}

function setProgress(li, progress) {
  const bar = li.querySelector("progress");
  bar.value = progress;
  bar.textContent = progress + "%";
  bar.title = progress + "%";
}

async function act(action) {
  try { await action(); } catch (e) { $("form-error").textContent = e.message; }
}

// Server-Sent Events through fetch (EventSource cannot send the Authorization header).
async function watch(id) {
  if (watching.has(id)) return;
  const abort = new AbortController();
  watching.set(id, abort);
  try {
    const response = await api(`/v1/videos/${id}/events`, { signal: abort.signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let kind = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) kind = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) handle(id, kind, JSON.parse(data));
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") console.warn("event stream of", id, e.message);
  } finally {
    watching.delete(id);
  }
}

function stopWatching(id) {
  watching.get(id)?.abort();
  watching.delete(id);
}

function handle(id, kind, data) {
  const li = rows.get(id);
  if (kind === "video.progress") {
    if (!li) return;
    setProgress(li, data.progress);
    li.querySelector(".state").textContent = "in_progress" + (data.stage ? ` (${data.stage})` : "");
    li.className = "status-in_progress";
    li.dataset.status = "in_progress";
  } else if (kind === "video.completed" || kind === "video.failed") {
    render(data);
    if (kind === "video.completed" && autoPlay === id) play(id);
  } else if (kind === "video.deleted") {
    li?.remove();
    rows.delete(id);
  }
}

async function play(id) {
  await act(async () => {
    const player = $("player");
    if (playerUrl) URL.revokeObjectURL(playerUrl);
    playerUrl = null;
    if (keyInput.value.trim()) {
      // A video element cannot send the API key: download the file, then play it from memory.
      playerUrl = URL.createObjectURL(await (await api(`/v1/videos/${id}/content`)).blob());
      player.src = playerUrl;
    } else {
      player.src = `/v1/videos/${id}/content`;
    }
    player.dataset.id = id;
    $("player-box").hidden = false;
    $("player-note").textContent = id;
    player.onerror = () => { $("player-note").textContent = `${id}: this browser cannot play the file (the server writes H.264 MP4 when ffmpeg is installed)`; };
    try { await player.play(); } catch (_) { /* autoplay refused: the controls remain */ }
  });
}

async function refresh() {
  try {
    const list = (await (await api("/v1/videos?limit=100")).json()).data;
    const box = $("jobs");
    const seen = new Set(list.map((v) => v.id));
    for (const [id, li] of rows) if (!seen.has(id)) { li.remove(); rows.delete(id); stopWatching(id); }
    list.forEach((video, i) => {
      const li = render(video);
      if (box.children[i] !== li) box.insertBefore(li, box.children[i] || null);
    });
    $("form-error").textContent = "";
  } catch (e) {
    $("form-error").textContent = e.message;
  }
}

$("create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData();
  form.append("prompt", $("prompt").value);
  form.append("model", $("model").value);
  for (const id of ["size", "num_frames", "steps", "seed"]) {
    const input = $(id);
    if (input.value.trim()) form.append(input.name, input.value.trim());
  }
  if ($("image").files.length) form.append("input_reference", $("image").files[0]);
  $("submit").disabled = true;
  try {
    const video = await (await api("/v1/videos", { method: "POST", body: form })).json();
    autoPlay = video.id;
    const li = render(video);
    $("jobs").prepend(li);
    $("form-error").textContent = "";
  } catch (e) {
    $("form-error").textContent = e.message;
  } finally {
    $("submit").disabled = false;
  }
});

loadModels().catch((e) => { $("form-error").textContent = e.message; });
refresh();
setInterval(refresh, 5000);

// Calls to the Orchestrator API from the page: the API key (asked for when a call answers 401, kept in sessionStorage,
// sent as Authorization: Bearer, as the CLI does), problems turned into errors, and the SSE stream read with fetch
// (EventSource cannot send a header, and the server takes keys in headers only).

const KeyName = "orchestrator.apiKey";
let asking = null;

export const apiKey = {
  get: () => sessionStorage.getItem(KeyName),
  set: key => key ? sessionStorage.setItem(KeyName, key) : sessionStorage.removeItem(KeyName),
};

/** An answer that was not a success: its status and the RFC 7807 problem the API sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Shows the key dialog once, however many calls are waiting for it; resolves when a key was entered. */
function askForKey(rejected) {
  if (asking) return asking;
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-reason").textContent = rejected
    ? "The server refused this key. Enter another one."
    : "This server requires an API key.";
  input.value = "";
  asking = new Promise(resolve => {
    dialog.onsubmit = e => {
      e.preventDefault();
      if (!input.value.trim()) return;
      apiKey.set(input.value.trim());
      dialog.close();
      asking = null;
      resolve();
    };
  });
  if (!dialog.open) dialog.showModal();
  input.focus();
  return asking;
}

function headers(extra) {
  const h = { Accept: "application/json", ...extra };
  const key = apiKey.get();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** Calls the API; a 401 asks for a key and tries again. Returns parsed JSON (or null for an empty answer). */
export async function api(path, { method = "GET", body, raw = false } = {}) {
  for (;;) {
    const response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      await askForKey(!!apiKey.get());
      continue;
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    if (raw) return response;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }
}

/** A stored result file as a URL the page can show: direct without a key, else fetched with the key into a blob URL. */
export async function fileUrl(url) {
  if (!apiKey.get()) return url;
  const response = await api(url, { raw: true });
  return URL.createObjectURL(await response.blob());
}

/**
 * Follows a Server-Sent Events stream, reconnecting after a break from the last event id it saw (the server resumes
 * exactly there). onEvent(type, data); onState("live" | "reconnecting"). Returns a function that stops it.
 */
export function follow(path, onEvent, onState) {
  let lastId = null;
  let stopped = false;
  const controller = new AbortController();
  (async () => {
    while (!stopped) {
      try {
        const response = await fetch(path, {
          headers: headers(lastId ? { Accept: "text/event-stream", "Last-Event-ID": lastId } : { Accept: "text/event-stream" }),
          signal: controller.signal,
        });
        if (response.status === 401) { await askForKey(!!apiKey.get()); continue; }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        onState("live");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        let event = { type: "message", data: [], id: null };
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let newline;
          while ((newline = buffer.search(/\r?\n/)) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + (buffer[newline] === "\r" ? 2 : 1));
            if (line === "") {
              if (event.id !== null) lastId = event.id;
              if (event.data.length) onEvent(event.type, JSON.parse(event.data.join("\n")));
              event = { type: "message", data: [], id: null };
            } else if (!line.startsWith(":")) {
              const colon = line.indexOf(":");
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
              if (field === "event") event.type = val;
              else if (field === "data") event.data.push(val);
              else if (field === "id") event.id = val;
            }
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState("reconnecting");
      await new Promise(r => setTimeout(r, 2000));
    }
  })();
  return () => { stopped = true; controller.abort(); };
}

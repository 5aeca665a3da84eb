// The dashboard: wires the panels together and keeps them fresh. Task completions arrive live over SSE
// (GET /v1/events); what has no event (a task starting, a throttle's queues) is looked at again every few seconds,
// and nothing is fetched while the tab is hidden.
import { api, apiKey, follow } from "./api.js";
import { h, fill, number, toast } from "./dom.js";
import { createTasks } from "./tasks.js";
import { createBatches } from "./batches.js";
import { createAccounts } from "./accounts.js";
import { createDrawer } from "./drawer.js";
import { createWebhooks } from "./webhooks.js";

const $ = id => document.getElementById(id);

const drawer = createDrawer($("drawer"), { changed: () => soon(), showTasksOf: id => tasks.showBatch(id) });
const tasks = createTasks({ rows: $("task-rows"), form: $("filters"), more: $("more"), summary: $("task-summary") }, { open: id => drawer.open(id) });
const batches = createBatches($("batches"), { showTasksOf: id => tasks.showBatch(id), changed: () => soon() });
const accounts = createAccounts($("accounts"), { providersChanged: names => tasks.setProviders(names) });
const webhooks = createWebhooks($("webhooks"), { openTask: id => drawer.open(id) });

const Tiles = [
  ["queued", "queued", ["accepted"]],
  ["running", "submitted / running", ["submitting", "submitted", "processing"]],
  ["succeeded", "succeeded", ["succeeded"]],
  ["failed", "failed", ["failed"]],
  ["timed_out", "timed out", ["timed_out"]],
  ["cancelled", "cancelled", ["cancelled"]],
];

async function refreshCounts() {
  const { counts } = await api("/v1/tasks/counts?hours=24");
  fill($("tiles"), Tiles.map(([key, label, statuses]) => h("div", {
    class: `tile t-${key}`, "data-testid": `count-${key}`, title: "tasks accepted in the last 24 hours; click to list them",
    onclick: () => tasks.filterStatus(statuses.length === 1 ? statuses[0] : "submitted"),
  }, h("div", { class: "n" }, number(statuses.reduce((n, s) => n + (counts[s] ?? 0), 0))), h("div", { class: "l" }, `${label} · 24 h`))));
}

async function refreshHealth() {
  const el = $("health");
  try {
    const r = await fetch("/healthz");
    const body = await r.json();
    el.textContent = body.status + (body.reason ? `: ${body.reason}` : "");
    el.className = `health ${r.ok ? "ready" : "bad"}`;
  } catch {
    el.textContent = "unreachable";
    el.className = "health bad";
  }
}

// Each panel on its own period; a failure shows once and the loop goes on.
const loops = [
  [refreshCounts, 5000], [() => batches.refresh(), 2000], [() => accounts.refresh(), 2000],
  [() => (tasks.onFirstPage ? tasks.refresh() : null), 3000], [() => webhooks.refresh(), 10000], [refreshHealth, 5000],
];
const failing = new Set();
async function run(fn) {
  try {
    await fn();
    failing.delete(fn);
  } catch (e) {
    if (!failing.has(fn)) toast(e.message, "error");
    failing.add(fn);
  }
}
for (const [fn, period] of loops) {
  run(fn);
  setInterval(() => { if (!document.hidden) run(fn); }, period);
}

// A completion (or an action) refreshes the counts, batches and list at once, a burst of them once.
let pending = null;
function soon() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    run(refreshCounts);
    run(() => batches.refresh());
    if (tasks.onFirstPage) run(() => tasks.refresh());
  }, 300);
}

follow("/v1/events", (type, data) => {
  if (type === "heartbeat") return;
  soon();
  if (data?.task?.id) drawer.ended(data.task.id);
}, state => {
  const live = $("live");
  live.classList.toggle("on", state === "live");
  live.querySelector(".text").textContent = state === "live" ? "live" : "reconnecting…";
});

$("key-button").addEventListener("click", () => {
  const key = prompt("API key for this tab (empty to forget it):", apiKey.get() ?? "");
  if (key === null) return;
  apiKey.set(key.trim());
  location.reload();
});

// A link to a task (#task/<id>) opens it.
const linked = location.hash.match(/^#task\/([0-9a-f]{32})$/);
if (linked) drawer.open(linked[1]);

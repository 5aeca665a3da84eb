// The batches panel: GET /v1/batches (most recent first), each with a progress bar by status, counts, throughput and
// ETA as the server computes them, and its actions: show its tasks, cancel it, retry its failed lines.
import { api, ApiError } from "./api.js";
import { h, fill, ago, seconds, number, shortId, toast, confirmButton } from "./dom.js";

const Parts = ["succeeded", "failed", "timed_out", "cancelled"];

export function createBatches(el, { showTasksOf, changed }) {
  // Kept across refreshes (every 2 s), so the click that arms one is still armed for the confirming one.
  const cancelButtons = new Map();

  function cancelButton(id) {
    if (!cancelButtons.has(id)) cancelButtons.set(id, confirmButton("cancel", "confirm cancel", () => cancel(id), { class: "danger", "data-testid": "batch-cancel" }));
    return cancelButtons.get(id);
  }
  async function refresh() {
    const { items } = await api("/v1/batches?limit=8");
    for (const id of cancelButtons.keys()) if (!items.some(b => b.batchId === id && b.ended < b.total)) cancelButtons.delete(id);
    if (!items.length) { fill(el, h("div", { class: "empty" }, "No batches yet. Upload one with POST /v1/batches or the CLI's batch command.")); return; }
    fill(el, items.map(row));
  }

  function row(b) {
    const c = b.counts;
    const running = (c.submitting ?? 0) + (c.submitted ?? 0) + (c.processing ?? 0);
    const pct = b.total === 0 ? 100 : Math.floor((100 * b.ended) / b.total);
    const retryable = (c.failed ?? 0) + (c.timed_out ?? 0);
    const done = b.ended >= b.total;
    const width = n => `${b.total ? (100 * n) / b.total : 0}%`;
    return h("div", { class: "batch", "data-testid": "batch-row", "data-batch-id": b.batchId },
      h("div", {},
        h("div", { class: "id mono", title: b.batchId }, shortId(b.batchId),
          b.retryOf && h("span", { class: "tag", "data-testid": "batch-retry-of", title: `retries the failed lines of ${b.batchId}`, onclick: () => showTasksOf(b.retryOf) }, `retry of ${shortId(b.retryOf)}`)),
        h("div", { class: "sub" }, `${ago(b.createdAt)}${b.tenant ? ` · ${b.tenant}` : ""}${b.cancelled ? " · cancelled" : ""}`)),
      h("div", {},
        h("div", { class: "bar", "data-testid": "batch-bar", role: "progressbar", "aria-valuenow": pct, "aria-valuemin": 0, "aria-valuemax": 100 },
          Parts.map(p => h("span", { class: p, style: { width: width(c[p] ?? 0) }, title: `${c[p] ?? 0} ${p.replace("_", " ")}` })),
          h("span", { class: "running", style: { width: width(running) }, title: `${running} running` })),
        h("div", { class: "meta" },
          h("span", { class: "pct", "data-testid": "batch-percent" }, `${pct}%`),
          h("span", { "data-testid": "batch-counts" }, countsText(b, running)),
          h("span", {}, done ? `done ${b.completedAt ? ago(b.completedAt) : ""}` : `ETA ${b.etaSeconds == null ? "–" : seconds(b.etaSeconds)}`),
          h("span", {}, `${b.throughputPerSecond.toFixed(2)} tasks/s`),
          b.retries?.length > 0 && h("span", { "data-testid": "batch-retries" }, `retried as ${b.retries.map(shortId).join(", ")}`))),
      h("div", { class: "actions" },
        h("button", { class: "ghost", "data-testid": "batch-tasks", onclick: () => showTasksOf(b.batchId) }, "tasks"),
        !done && cancelButton(b.batchId),
        done && retryable > 0 && !(b.retries?.length) &&
          h("button", { "data-testid": "batch-retry", onclick: e => retry(b.batchId, e.currentTarget) }, `retry ${retryable} failed`)));
  }

  function countsText(b, running) {
    const c = b.counts;
    const parts = [`${number(c.succeeded)} succeeded`];
    if (c.failed) parts.push(`${number(c.failed)} failed`);
    if (c.timed_out) parts.push(`${number(c.timed_out)} timed out`);
    if (c.cancelled) parts.push(`${number(c.cancelled)} cancelled`);
    if (running) parts.push(`${number(running)} running`);
    if (c.accepted) parts.push(`${number(c.accepted)} queued`);
    return `${parts.join(" · ")} of ${number(b.total)}`;
  }

  async function cancel(id) {
    try {
      const r = await api(`/v1/batches/${id}`, { method: "DELETE" });
      toast(`Batch ${shortId(id)}: ${r.queuedCancelled} queued cancelled, ${r.startedCancelled} running asked to cancel`);
    } catch (e) { toast(e.message, "error"); }
    changed();
  }

  async function retry(id, button) {
    button.disabled = true;
    try {
      const r = await api(`/v1/batches/${id}/retry`, { method: "POST" });
      toast(`${r.retried} failed task(s) retried as batch ${shortId(r.batchId)}`);
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), "error");
      button.disabled = false;
    }
    changed();
  }

  return { refresh };
}

// The task list: GET /v1/tasks with the filters (status, provider, tenant, batch), newest first, a page of 50 rows at a
// time (keyset pagination: "older tasks" asks for the page after the last row), so thousands of tasks cost one page of
// DOM. The first page is refreshed live; pages loaded further down stay as they are until the filters change.
import { api, ApiError } from "./api.js";
import { h, fill, chip, shortId, ago, seconds, Statuses, toast } from "./dom.js";

const PageSize = 50;

export function createTasks({ rows, form, more, summary }, { open }) {
  let pages = 1;
  let next = null;
  let selected = null;

  const statusSelect = form.elements.status;
  for (const s of Statuses) statusSelect.append(h("option", { value: s }, s.replace("_", " ")));

  function query(after) {
    const q = new URLSearchParams({ limit: PageSize });
    for (const name of ["status", "provider", "tenant", "batch"]) {
      const v = form.elements[name].value.trim();
      if (v) q.set(name, v);
    }
    if (after) q.set("after", after);
    return `/v1/tasks?${q}`;
  }

  /** Reloads the first page (and keeps as many rows as were shown, up to the pages loaded). */
  async function refresh() {
    let items = [];
    let after = null;
    for (let p = 0; p < pages; p++) {
      const page = await api(query(after));
      items = items.concat(page.items);
      after = page.nextAfter;
      if (!after) break;
    }
    next = after;
    render(items);
  }

  async function loadMore() {
    if (!next) return;
    pages++;
    await refresh();
  }

  function render(items) {
    more.hidden = !next;
    summary.textContent = items.length ? `${items.length} task(s) shown${next ? ", more below" : ""}` : "";
    if (!items.length) { fill(rows, h("tr", {}, h("td", { colspan: 9, class: "empty" }, "No tasks match."))); return; }
    fill(rows, items.map(t => h("tr", {
      "data-testid": "task-row", "data-task-id": t.id, "data-status": t.status, class: t.id === selected ? "selected" : null,
      onclick: () => { select(t.id); open(t.id); },
    },
    h("td", {}, chip(t.status, "task-status")),
    h("td", { class: "mono", title: t.id }, shortId(t.id), t.retryOf ? h("span", { class: "tag", title: `retries ${t.retryOf}` }, "retry") : null),
    h("td", {}, `${t.kind} · ${t.model}`),
    h("td", {}, t.provider),
    h("td", {}, t.metadata?.tenant ?? ""),
    h("td", { class: "mono" }, t.batchId ? `${shortId(t.batchId)} · ${t.batchLine}` : ""),
    h("td", { title: t.createdAt }, ago(t.createdAt)),
    h("td", {}, t.completedAt ? seconds((new Date(t.completedAt) - new Date(t.createdAt)) / 1000) : ""),
    h("td", {}, t.polls))));
  }

  function select(id) {
    selected = id;
    for (const tr of rows.querySelectorAll("tr")) tr.classList.toggle("selected", tr.dataset.taskId === id);
  }

  function reset() { pages = 1; refresh().catch(e => toast(e.message, "error")); }

  form.addEventListener("change", e => { if (e.target.name !== "search") reset(); });
  form.addEventListener("submit", e => e.preventDefault());
  form.elements.search.addEventListener("keydown", async e => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const id = e.target.value.trim().toLowerCase();
    if (!id) return;
    try {
      await api(`/v1/tasks/${encodeURIComponent(id)}`);
      select(id);
      open(id);
    } catch (err) {
      toast(err instanceof ApiError && err.status === 404 ? `No task with id ${id}` : err.message, "error");
    }
  });
  more.addEventListener("click", () => loadMore().catch(e => toast(e.message, "error")));

  return {
    refresh,
    /** Shows one batch's tasks (from its row in the batches panel). */
    showBatch(batchId) {
      form.elements.batch.value = batchId;
      reset();
      form.scrollIntoView({ behavior: "smooth", block: "center" });
    },
    filterStatus(status) { statusSelect.value = status; reset(); },
    setProviders(names) {
      const select = form.elements.provider;
      const known = new Set([...select.options].map(o => o.value));
      for (const n of names) if (!known.has(n)) select.append(h("option", { value: n }, n));
    },
    /** Whether only the first page shows (then a refresh on every event is cheap). */
    get onFirstPage() { return pages === 1; },
  };
}

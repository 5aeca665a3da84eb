// A task's page, as a drawer over the dashboard: its facts, its error, previews of its results from our stored copies
// (images inline, a video player), its timeline (GET /v1/tasks/{id}/timeline) and a cancel button while it runs.
import { api, fileUrl } from "./api.js";
import { h, fill, chip, clock, seconds, Ended, toast, confirmButton, shortId } from "./dom.js";

export function createDrawer(el, { changed, showTasksOf }) {
  let current = null;
  let shownResults = "";
  let timer = null;
  let cancelButton = null; // kept across refreshes, so a click that arms it is still armed for the confirming one

  async function open(id) {
    current = id;
    shownResults = "";
    cancelButton = confirmButton("cancel task", "click again to cancel", () => cancel(id), { class: "danger", "data-testid": "drawer-cancel" });
    el.hidden = false;
    location.hash = `task/${id}`;
    await refresh();
  }

  function close() {
    current = null;
    el.hidden = true;
    clearTimeout(timer);
    if (location.hash.startsWith("#task/")) history.replaceState(null, "", location.pathname + location.search);
  }

  async function refresh() {
    clearTimeout(timer);
    const id = current;
    if (!id) return;
    let task, timeline;
    try {
      [task, timeline] = await Promise.all([api(`/v1/tasks/${id}`), api(`/v1/tasks/${id}/timeline`)]);
    } catch (e) {
      toast(e.message, "error");
      return;
    }
    if (current !== id) return;
    render(task, timeline);
    // While it runs, its polls and status change without a completion event: look again shortly.
    if (!Ended.has(task.status)) timer = setTimeout(() => refresh(), 1500);
  }

  function render(t, timeline) {
    const results = el.querySelector("[data-role=results]");
    const keep = results && shownResults === resultsKey(t) ? results : null;
    fill(el,
      h("header", {},
        chip(t.status, "drawer-status"),
        h("h3", { class: "mono", "data-testid": "drawer-task-id" }, t.id),
        h("button", { class: "ghost close", "data-testid": "drawer-close", onclick: close }, "close")),
      !Ended.has(t.status) && h("section", {}, cancelButton),
      t.error && h("section", {}, h("h4", {}, "error"),
        h("div", { class: "error", "data-testid": "drawer-error" }, h("b", {}, t.error.code), `: ${t.error.message}`,
          t.error.retryable ? h("div", { class: "hint" }, "The provider says a retry may succeed.") : null)),
      keep ?? h("section", { "data-role": "results" }, previews(t)),
      h("section", {}, h("h4", {}, "facts"), facts(t)),
      h("section", {}, h("h4", {}, "timeline"), timelineList(timeline)));
    shownResults = resultsKey(t);
  }

  const resultsKey = t => t.results.map(r => r.storedUrl ?? r.url).join("|");

  function facts(t) {
    const rows = [
      ["provider", `${t.provider}${t.providerTaskId ? ` · provider task ${t.providerTaskId}` : ""}`],
      ["kind · model", `${t.kind} · ${t.model}`],
      ["accepted", new Date(t.createdAt).toLocaleString()],
      t.completedAt && ["took", seconds((new Date(t.completedAt) - new Date(t.createdAt)) / 1000)],
      ["submit attempts · polls", `${t.submitAttempts} · ${t.polls}`],
      t.nextPollAt && !Ended.has(t.status) && ["next poll", clock(t.nextPollAt)],
      t.waitingFor && ["waiting for", t.waitingFor],
      t.possibleDuplicate && ["possible duplicate", "an earlier submit may have reached the provider"],
      t.webhookUrl && ["webhook", t.webhookUrl],
    ].filter(Boolean);
    const dl = h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    if (t.batchId) dl.append(h("dt", {}, "batch · line"), h("dd", {}, h("a", { href: "#", onclick: e => { e.preventDefault(); showTasksOf(t.batchId); } }, t.batchId), ` · ${t.batchLine}`));
    if (t.retryOf) dl.append(h("dt", {}, "retry of"), h("dd", {}, h("a", { href: `#task/${t.retryOf}`, "data-testid": "drawer-retry-of", onclick: e => { e.preventDefault(); open(t.retryOf); } }, t.retryOf)));
    for (const [k, v] of Object.entries(t.metadata ?? {})) dl.append(h("dt", {}, `metadata.${k}`), h("dd", {}, v));
    return dl;
  }

  function previews(t) {
    if (!t.results.length) return Ended.has(t.status) ? null : h("div", { class: "hint" }, "Results appear here when the task succeeds.");
    const grid = h("div", { class: "previews" });
    for (const r of t.results) {
      const figure = h("figure", {});
      grid.append(figure);
      if (!r.storedUrl) {
        figure.append(h("figcaption", {}, `#${r.index} ${r.kind}: no stored copy — `, h("a", { href: r.url, target: "_blank", rel: "noreferrer" }, "provider's URL")));
        continue;
      }
      const media = r.kind === "video"
        ? h("video", { controls: true, preload: "metadata", "data-testid": "result-video" })
        : h("img", { alt: `result ${r.index}`, "data-testid": "result-image", loading: "lazy" });
      figure.append(media, h("figcaption", {}, `#${r.index} · ${r.contentType ?? r.kind}${r.bytes ? ` · ${r.bytes < 10240 ? `${r.bytes} B` : `${(r.bytes / 1024).toFixed(0)} KB`}` : ""}`));
      fileUrl(r.storedUrl).then(u => { media.src = u; }).catch(e => figure.append(h("div", { class: "hint" }, e.message)));
    }
    return [h("h4", {}, "results"), grid];
  }

  function timelineList(tl) {
    const start = new Date(tl.entries[0]?.at ?? 0).getTime();
    return [
      h("ol", { class: "timeline", "data-testid": "timeline" }, tl.entries.map(e => h("li", { class: `e-${e.event}`, "data-testid": "timeline-entry", "data-event": e.event },
        h("b", {}, e.event.replace("_", " ")), e.detail ? ` ${e.detail}` : "",
        h("span", { class: "t" }, `${clock(e.at)} · +${seconds((new Date(e.at).getTime() - start) / 1000)}`)))),
      tl.unobservedPolls > 0 && h("div", { class: "hint" }, `${tl.unobservedPolls} earlier poll(s) not seen by this server (before a restart, or on another node).`),
    ];
  }

  async function cancel(id) {
    try {
      await api(`/v1/tasks/${id}`, { method: "DELETE" });
      toast(`Task ${shortId(id)} cancelled`);
    } catch (e) { toast(e.message, "error"); }
    await refresh();
    changed();
  }

  document.addEventListener("keydown", e => { if (e.key === "Escape" && current) close(); });

  return {
    open,
    /** A completion arrived: refresh the open task if it is the one. */
    ended(taskId) { if (taskId === current) refresh(); },
    get current() { return current; },
  };
}

// Provider account panels from GET /v1/providers: permits per second against the account's limit (sampled by this
// page from the throttle's running count of permits granted, over the last minutes it has been open), concurrency in
// use, queues, the provider's limit answers, the learned poll plans, queries per task and detection lag.
import { api } from "./api.js";
import { h, fill, seconds, number } from "./dom.js";

const Window = 5 * 60 * 1000;

export function createAccounts(el, { providersChanged }) {
  const samples = new Map(); // account -> [{ t, granted }]

  async function refresh() {
    const { accounts } = await api("/v1/providers");
    providersChanged(accounts.map(a => a.account));
    const now = Date.now();
    for (const a of accounts) {
      if (!a.throttle) continue;
      const list = samples.get(a.account) ?? [];
      list.push({ t: now, granted: a.throttle.granted });
      while (list.length && list[0].t < now - Window) list.shift();
      samples.set(a.account, list);
    }
    fill(el, accounts.map(card));
  }

  function rates(account) {
    const list = samples.get(account) ?? [];
    const out = [];
    for (let i = 1; i < list.length; i++) {
      const dt = (list[i].t - list[i - 1].t) / 1000;
      if (dt > 0) out.push({ t: list[i].t, rate: Math.max(0, (list[i].granted - list[i - 1].granted) / dt) });
    }
    return out;
  }

  function card(a) {
    const t = a.throttle;
    const p = a.polling;
    if (!a.enabled || !t) {
      return h("div", { class: "account off", "data-testid": "account-card", "data-account": a.account },
        h("div", { class: "name" }, a.account, h("span", { class: "type" }, a.type)),
        h("div", { class: "reason" }, a.disabledReason ?? "disabled"),
        a.unfinishedTasks > 0 && h("div", { class: "hint" }, `${a.unfinishedTasks} unfinished task(s) wait for it`));
    }
    const series = rates(a.account);
    const current = series.length ? series[series.length - 1].rate : 0;
    return h("div", { class: "account", "data-testid": "account-card", "data-account": a.account },
      h("div", { class: "name" }, a.account, h("span", { class: "type" }, `${a.type} · ${number(a.unfinishedTasks)} unfinished`)),
      gauge("rate", `${current.toFixed(1)} / ${t.effectiveQps.toFixed(1)} per s${t.effectiveQps < t.configuredQps ? ` (configured ${t.configuredQps})` : ""}`,
        current / Math.max(t.effectiveQps, 0.001)),
      spark(series, t.effectiveQps),
      t.maxConcurrentTasks != null
        ? gauge("concurrency", `${t.concurrencyInUse} / ${t.maxConcurrentTasks} slots`, t.concurrencyInUse / Math.max(1, t.maxConcurrentTasks))
        : gauge("concurrency", `${t.concurrencyInUse} in use (no limit)`, 0),
      h("div", { class: "kv" },
        kv("queued submits", number(t.queuedSubmits), t.queuedSubmits ? `oldest ${seconds(t.oldestSubmitWaitSeconds)}` : null),
        kv("queued polls", number(t.queuedPolls), t.queuedPolls ? `oldest ${seconds(t.oldestPollWaitSeconds)}` : null),
        kv("calls in flight", number(t.callsInFlight)),
        kv("limit answers", number(t.rateLimitAnswers)),
        kv("queries / task", p && p.finishedTasks ? `${p.queriesPerTaskMean.toFixed(1)} (p95 ${p.queriesPerTaskP95.toFixed(0)})` : "–"),
        kv("detection lag", p?.detectionLagMedianSeconds != null ? `${seconds(p.detectionLagMedianSeconds)} (p95 ${seconds(p.detectionLagP95Seconds)})` : "–")),
      p?.plans?.length > 0 && h("table", { class: "plans" },
        h("tr", {}, h("th", {}, "learned poll plan"), h("th", {}, "first poll"), h("th", {}, "ratio"), h("th", {}, "from")),
        p.plans.map(plan => h("tr", {}, h("td", {}, `${plan.kind} · ${plan.model}`), h("td", {}, seconds(plan.firstPollSeconds)),
          h("td", {}, `×${plan.ratio.toFixed(2)}`), h("td", {}, `${plan.samples} tasks`)))));
  }

  return { refresh };
}

function gauge(label, text, share) {
  const pct = Math.max(0, Math.min(1, share || 0)) * 100;
  return h("div", { class: "gauge" },
    h("div", { class: "label" }, h("span", {}, label), h("span", {}, text)),
    h("div", { class: "track" }, h("div", { class: `fill${pct > 85 ? " hot" : ""}`, style: { width: `${pct}%` } })));
}

function kv(label, value, note) {
  return h("div", {}, h("span", {}, label), h("b", {}, value), note && h("span", {}, note));
}

/** Permits per second over the last minutes, with the account's limit as a dashed line. */
function spark(series, limit) {
  const w = 360, ht = 44;
  const svg = h("svg", { class: "spark", viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: "none", "aria-label": "permits per second" });
  const top = Math.max(limit, ...series.map(s => s.rate), 0.001) * 1.1;
  const now = Date.now();
  // The time since the first sample (at least a minute, at most the window) spans the width, so a page just opened draws a line, not a dot.
  const span = Math.min(Window, Math.max(60_000, now - (series[0]?.t ?? now)));
  const x = t => w - ((now - t) / span) * w;
  const y = v => ht - (v / top) * (ht - 2) - 1;
  svg.append(h("line", { class: "limit", x1: 0, x2: w, y1: y(limit), y2: y(limit) }));
  if (series.length > 1) svg.append(h("polyline", { class: "rate", points: series.map(s => `${x(s.t).toFixed(1)},${y(s.rate).toFixed(1)}`).join(" ") }));
  return svg;
}

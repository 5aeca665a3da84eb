// Webhook endpoints and the deliveries that have not arrived (GET /v1/webhooks, …/deliveries), each with a replay
// button (POST /v1/webhooks/{id}/deliveries/{eventId}/replay: an admin key's action).
import { api } from "./api.js";
import { h, fill, ago, shortId, toast } from "./dom.js";

export function createWebhooks(el, { openTask }) {
  async function refresh() {
    const { items } = await api("/v1/webhooks");
    if (!items.length) { fill(el, h("div", { class: "empty" }, "No webhook endpoints registered.")); return; }
    const blocks = await Promise.all(items.map(async w => {
      const { items: deliveries } = await api(`/v1/webhooks/${w.id}/deliveries`);
      return h("div", { "data-testid": "webhook", "data-webhook-id": w.id },
        h("div", {}, h("b", {}, w.url ?? "per-task webhookUrl deliveries"), " ",
          h("span", { class: "hint" }, `${w.enabled ? "enabled" : `disabled: ${w.disabledReason ?? ""}`} · ${deliveries.length} not delivered`)),
        deliveries.slice(0, 10).map(d => h("div", { class: "delivery", "data-testid": "webhook-delivery", "data-event-id": d.eventId },
          h("div", {},
            h("a", { href: "#", class: "mono", onclick: e => { e.preventDefault(); openTask(d.taskId); } }, shortId(d.taskId)),
            ` ${d.type} · ${d.state} · ${d.attempts} attempt(s)`,
            h("div", { class: "hint" }, `${d.lastStatus ? `HTTP ${d.lastStatus}` : d.lastError ?? ""} ${d.lastAttemptAt ? ago(d.lastAttemptAt) : ""}`)),
          h("button", { class: "ghost", "data-testid": "delivery-replay", onclick: () => replay(w.id, d.eventId) }, "replay"))));
    }));
    fill(el, blocks);
  }

  async function replay(id, eventId) {
    try {
      const r = await api(`/v1/webhooks/${id}/deliveries/${encodeURIComponent(eventId)}/replay`, { method: "POST" });
      toast(`${r.replayed} delivery replayed`);
    } catch (e) { toast(e.message, "error"); }
    refresh().catch(() => {});
  }

  return { refresh };
}

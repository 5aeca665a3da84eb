// Building the page: elements from data (text always as text, never as HTML) and the few formats every panel shares.

/** h("div", { class: "x", "data-testid": "y", onclick }, child, "text", [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElementNS(tag === "svg" || tag === "polyline" || tag === "line" || tag === "rect" ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "style" && typeof value === "object") Object.assign(el.style, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const Statuses = ["accepted", "submitting", "submitted", "processing", "succeeded", "failed", "timed_out", "cancelled"];
export const Ended = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

export const statusLabel = s => s.replace("_", " ");

export function chip(status, testid) {
  return h("span", { class: `chip s-${status}`, "data-testid": testid }, statusLabel(status));
}

export const shortId = id => id ? `${id.slice(0, 8)}…${id.slice(-4)}` : "";

export function seconds(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function ago(iso) {
  if (!iso) return "–";
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  return s < 5 ? "just now" : `${seconds(s)} ago`;
}

export function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

export const number = n => (n ?? 0).toLocaleString();

/** A small message at the bottom of the page (what an action did, or why it was refused). */
export function toast(text, kind = "info") {
  const el = h("div", { class: `toast ${kind}`, "data-testid": "toast", role: "status" }, text);
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), kind === "error" ? 8000 : 4000);
}

/** A button that asks for a second click before it acts (no browser dialog), e.g. to cancel. */
export function confirmButton(label, confirmLabel, action, attrs = {}) {
  let armed = null;
  const button = h("button", {
    ...attrs,
    onclick: async e => {
      e.stopPropagation();
      if (!armed) {
        button.textContent = confirmLabel;
        button.classList.add("armed");
        armed = setTimeout(() => { armed = null; button.textContent = label; button.classList.remove("armed"); }, 4000);
        return;
      }
      clearTimeout(armed);
      armed = null;
      button.disabled = true;
      try { await action(); } finally { button.disabled = false; button.textContent = label; button.classList.remove("armed"); }
    },
  }, label);
  return button;
}

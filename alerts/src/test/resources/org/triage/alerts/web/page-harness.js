// Runs the live page's inline script in node against a real ApiServer, with just enough DOM
// to render. Stands in for a browser where none is installed. Protocol on stdout, one line each:
// ROWS <json>, READY, LIVE <json>, ACKED <json>, CONFIRMED <message>; exits non-zero on any failure.
"use strict";
const fs = require("fs");
const vm = require("vm");
const [, , htmlPath, base, token] = process.argv;

class El {
  constructor(tag) { Object.assign(this, { tagName: tag, children: [], _text: "", className: "", dataset: {}, style: {}, listeners: {}, disabled: false, value: "", type: "" }); }
  appendChild(c) { if (c instanceof Frag) this.children.push(...c.children); else this.children.push(c); return c; }
  replaceChildren(...cs) { this.children = []; cs.forEach((c) => this.appendChild(c)); }
  set textContent(t) { this._text = String(t); this.children = []; }
  get textContent() { return this._text + this.children.map((c) => c.textContent).join(""); }
  addEventListener(ev, fn) { (this.listeners[ev] = this.listeners[ev] || []).push(fn); }
  fire(ev) { for (const fn of this.listeners[ev] || []) fn({ preventDefault() {} }); }
}
class Frag extends El {}
const els = {};
const store = {};
const sandbox = {
  document: {
    getElementById: (id) => els[id] || (els[id] = new El("div")),
    createElement: (t) => new El(t),
    createDocumentFragment: () => new Frag("#fragment"),
  },
  sessionStorage: { getItem: (k) => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = String(v); }, removeItem: (k) => { delete store[k]; } },
  fetch: (path, opts) => fetch(base + path, opts),
  // Logged in by a link's fragment, the way the demo prints it: the page must take the token and wipe the fragment.
  location: { hash: "#token=" + encodeURIComponent(token), pathname: "/", search: "" },
  history: { replaceState: (s, t, url) => { sandbox.location.hash = url.includes("#") ? url.slice(url.indexOf("#")) : ""; } },
  setTimeout, clearTimeout, console, JSON, Date, Map, Array, Error, Math, Object, TextDecoder, AbortController, encodeURIComponent,
  decodeURIComponent,
};
const html = fs.readFileSync(htmlPath, "utf8");
const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>"));
vm.runInNewContext(script, sandbox, { filename: "index.html#script" });

const rows = () => sandbox.document.getElementById("rows").children.map((tr) => ({
  id: tr.dataset.alertId,
  cls: tr.className,
  cells: tr.children.map((td) => td.textContent),
  severityClass: tr.children[1].children[0].className,
  buttons: tr.children[8].children.map((b) => b.textContent),
}));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, cond) {
  for (let i = 0; i < 200; i++) { const v = cond(); if (v) return v; await sleep(50); }
  throw new Error("timed out waiting for " + what + "; rows=" + JSON.stringify(rows()) + " msg=" + sandbox.document.getElementById("msg").textContent);
}

(async () => {
  if (sandbox.location.hash !== "" || store["triage.alerts.token"] !== token) {
    throw new Error("the #token= fragment was not taken into sessionStorage and wiped: hash=" + sandbox.location.hash);
  }
  await until("the live stream", () => sandbox.document.getElementById("connText").textContent === "live");
  await until("the initial rows", () => rows().length >= 2);
  console.log("ROWS " + JSON.stringify(rows()));
  console.log("READY");
  const live = await until("the pushed alert", () => rows().find((r) => r.id === "page-live"));
  console.log("LIVE " + JSON.stringify(live));
  const tr = sandbox.document.getElementById("rows").children.find((r) => r.dataset.alertId === "page-live");
  tr.children[8].children.find((b) => b.textContent === "Ack").fire("click");
  const acked = await until("the ACK to come back", () => rows().find((r) => r.id === "page-live" && r.cells[7].startsWith("ACKNOWLEDGED")));
  console.log("ACKED " + JSON.stringify(acked));
  const trAcked = sandbox.document.getElementById("rows").children.find((r) => r.dataset.alertId === "page-live");
  trAcked.children[8].children.find((b) => b.textContent === "Confirm").fire("click");
  const msg = await until("the confirmation", () => {
    const t = sandbox.document.getElementById("msg").textContent;
    return t.startsWith("Confirm ") ? t : null;
  });
  console.log("CONFIRMED " + msg);
  process.exit(0);
})().catch((e) => { console.log("FAIL " + e.message); process.exit(1); });

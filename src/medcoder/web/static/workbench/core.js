// The workbench's core: the page's encounter, the /v1 API (the session cookie plus
// X-Requested-With, which cross-site forms cannot send), the parts of the page put in
// place after an action (GET /encounters/{id}/fragment?part=..., the page's own Jinja
// blocks: no client-side templates), one action at a time, the selected card, and what
// the flash and the live region (#announce, for screen readers) say.
"use strict";

// Every part an action can change; the note and the dropped list change only when the
// active codes (and so the marked words) do.
export const ALL = ["head", "note", "history", "codes", "claim", "queries", "decided", "dropped"];
export const DECISION = ["head", "history", "codes", "claim", "queries", "decided"];

export function workbench(bench) {
  const encounter = bench.dataset.encounter;
  const wb = {
    bench,
    encounter,
    serviceDate: bench.dataset.date,
    base: "/v1/encounters/" + encodeURIComponent(encounter),
    fragments: "/encounters/" + encodeURIComponent(encounter) + "/fragment",
    flash: document.getElementById("flash"),
    region: document.getElementById("announce"),
    add: document.getElementById("add-form"),
    selected: null,  // the selected card's (or dropped candidate's) key
    chain: Promise.resolve(),  // the actions, one at a time, in the order asked
    updates: 0,
  };
  wb.cards = () => Array.from(bench.querySelectorAll(".code-card"));
  wb.byKey = (key) => bench.querySelector('.code-card[data-key="' + CSS.escape(key) + '"]');
  wb.marksFor = (key) =>
    Array.from(bench.querySelectorAll("#note mark")).filter((m) => m.dataset.keys.split(" ").includes(key));
  return wb;
}

export function show(wb, message, good) {
  wb.flash.textContent = message;
  wb.flash.classList.toggle("good", !!good);
  wb.flash.hidden = false;
  clearTimeout(show.timer);
  show.timer = setTimeout(() => { wb.flash.hidden = true; }, good ? 2500 : 8000);
}

// Said by a screen reader (a polite live region): the same words twice are said twice.
export function announce(wb, message) {
  if (!wb.region || !message) return;
  wb.region.textContent = wb.region.textContent === message ? message + "\u00a0" : message;
}

function toLogin() {  // the session ended: log in again, then come back here
  location.assign("/login?expired=1&next=" + encodeURIComponent(location.pathname + location.search));
  return new Error("Your session has ended: log in again.");
}

export async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Requested-With": "medcoder" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response.json();
  if (response.status === 401) throw toLogin();
  let text = "request failed (" + response.status + ")";
  try {
    const error = (await response.json()).error;
    text = "error[" + error.code + "]: " + error.message + (error.hint ? " (" + error.hint + ")" : "");
  } catch (_) { /* not JSON */ }
  throw new Error(text);
}

// -- parts put in place ---------------------------------------------------------------
// Which <details> are open, so that a part put in place keeps them as the coder left them.
function detailsKey(details) {
  const owner = details.closest("[data-key], [data-query]");
  const where = owner ? owner.dataset.key || owner.dataset.query : "";
  return details.id || where + "|" + details.className;
}
async function refresh(wb, parts) {
  const bench = wb.bench;
  const query = new URLSearchParams();
  parts.forEach((part) => query.append("part", part));
  const response = await fetch(wb.fragments + "?" + query, {
    credentials: "same-origin", headers: { "X-Requested-With": "medcoder" },
  });
  if (response.status === 401) throw toLogin();
  if (!response.ok) { location.reload(); return; }  // the whole page, as without script
  const holder = document.createElement("template");
  holder.innerHTML = await response.text();
  const open = new Map(Array.from(bench.querySelectorAll("details")).map((d) => [detailsKey(d), d.open]));
  for (const fresh of Array.from(holder.content.children)) {
    const old = fresh.dataset.part && bench.querySelector('[data-part="' + fresh.dataset.part + '"]');
    if (!old) continue;
    const note = old.querySelector("#note");
    // The note keeps its element (and so where it is scrolled to): only its words change.
    if (note && fresh.querySelector("#note")) note.replaceChildren(...fresh.querySelector("#note").childNodes);
    else old.replaceChildren(...fresh.childNodes);
  }
  bench.querySelectorAll("details").forEach((d) => {
    const was = open.get(detailsKey(d));
    if (was !== undefined) d.open = was;
  });
}

// One action at a time, in the order asked: a key pressed while the last change is on
// its way acts on the page as that change left it (a, a, a accepts three codes).
export function serial(wb, work) {
  wb.chain = wb.chain.catch(() => {}).then(async () => {
    wb.bench.setAttribute("aria-busy", "true");
    try {
      await work();
    } catch (error) {
      show(wb, error.message);
    } finally {
      wb.bench.setAttribute("aria-busy", "false");
      wb.bench.dataset.updates = String(++wb.updates);  // the browser tests wait on this
    }
  });
  return wb.chain;
}

// An API call, then the parts it changed put in place, then the card to select: ``then``
// (a card's key) if it is on the page, else the selected card, else the one now where
// the selected one was; then ``said`` (words, or a function of the page as it now
// stands) is announced.
export function act(wb, method, url, body, options) {
  const { parts = DECISION, then = null, reload = false, said = null } = options || {};
  return serial(wb, async () => {
    const focusWasOnCard = !document.activeElement || document.activeElement === document.body ||
      !!document.activeElement.closest(".code-card");
    const at = wb.cards().findIndex((c) => c.dataset.key === wb.selected);
    await api(method, url, body);
    if (reload) { location.reload(); return; }
    await refresh(wb, parts);
    const list = wb.cards();
    const card = (then && wb.byKey(then)) || wb.byKey(wb.selected) || list[Math.min(Math.max(at, 0), list.length - 1)];
    if (card) select(wb, card.dataset.key, { scroll: true, focus: focusWasOnCard });
    announce(wb, typeof said === "function" ? said() : said);
  });
}

// -- selection: a code and its words, or a dropped candidate and its words ----------
export function select(wb, key, options) {
  const { scroll = true, focus = true } = options || {};
  const bench = wb.bench;
  wb.selected = key;
  bench.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
  const marks = wb.marksFor(key);
  marks.forEach((m) => m.classList.add("active"));
  const item = bench.querySelector('[data-key="' + CSS.escape(key) + '"]');
  if (item) item.classList.add("active");
  if (scroll) {
    if (marks.length) marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
    if (item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  if (focus && item && item.classList.contains("code-card") && document.activeElement !== item &&
      !item.contains(document.activeElement)) item.focus({ preventScroll: true });
}

// Review actions: the card buttons, the one-click fixes of the claim panel, the forms
// (reject, change, line, add, queries, re-open) and the POA select, each through the /v1
// API (core.act). Handlers are delegated from #workbench, so the parts put in place need
// no wiring. Each action, once done, is announced (#announce) for screen readers.
"use strict";

import { ALL, act, select, show } from "./core.js";

const named = (card) => card.dataset.system + ":" + card.dataset.code;
const codeUrl = (wb, card) => wb.base + "/codes/" + encodeURIComponent(card.dataset.code);
const systemOf = (card) => ({ system: card.dataset.system });

function openForm(card, name) {
  card.querySelectorAll("form[data-form]").forEach((f) => { f.hidden = f.dataset.form !== name; });
  const form = card.querySelector('form[data-form="' + name + '"]');
  if (form) form.querySelector("input").focus();
}

// Where a card now stands in its group, in words ("moved to position 2 of 3").
function placeOf(wb, key, code) {
  const card = wb.byKey(key);
  if (!card) return code + " moved";
  const group = wb.cards().filter((c) => c.dataset.group === card.dataset.group);
  return code + " moved to position " + (group.indexOf(card) + 1) + " of " + group.length;
}

// The group's new order in one call: PUT /sequence lists every active code of the group
// (diagnoses and procedures are numbered apart; a code moves within its own group).
export function sequence(wb, card, order) {
  const key = card.dataset.key;
  const code = card.dataset.code;
  act(wb, "PUT", wb.base + "/sequence", { codes: order.map(named) },
      { then: key, said: () => placeOf(wb, key, code) });
}

export function move(wb, card, step) {
  const group = wb.cards().filter((c) => c.dataset.group === card.dataset.group);
  const at = group.indexOf(card);
  const to = step === "first" ? 0 : at + step;
  if (to < 0 || to >= group.length || to === at) return;
  group.splice(at, 1);
  group.splice(to, 0, card);
  sequence(wb, card, group);
}

// The next undecided card after ``card`` (wrapping round), read when asked.
function nextUndecided(wb, card) {
  const list = wb.cards();
  const at = list.findIndex((c) => c.dataset.key === card.dataset.key);
  const after = list.slice(at + 1).concat(list.slice(0, at));
  const following = after.find((c) => c.classList.contains("st-suggested"));
  return following ? following.dataset.key : null;
}

export function run(wb, card, action) {
  if (!card) return;
  if (action === "accept") {
    // Accepting moves on to the next undecided code: a clean visit is a, a, a, ..., f, Enter.
    const following = nextUndecided(wb, card);
    act(wb, "POST", codeUrl(wb, card) + "/accept", systemOf(card),
        { then: following || card.dataset.key, said: card.dataset.code + " accepted" });
  }
  else if (action === "reject" || action === "change" || action === "line") openForm(card, action);
  else if (action === "up") move(wb, card, -1);
  else if (action === "down") move(wb, card, 1);
  else if (action === "first") move(wb, card, "first");
  else if (action === "query") {
    const words = card.querySelector(".evidence q");
    composeQuery(card.dataset.code, words ? words.textContent : "");
  }
}

// -- physician queries: from a code or a dropped candidate ---------------------------
function composeQuery(code, words) {
  const form = document.getElementById("query-form");
  if (!form) return;
  document.getElementById("query-compose").open = true;
  const known = Array.from(form.code.options).some((o) => o.value === code);
  form.code.value = known ? code : "";
  form.text.value = words || "";
  form.template.focus();
}

// "Code this" on a dropped candidate: its code in the Add box (its words go with it).
function codeThis(wb, button) {
  const add = wb.add;
  if (!add) return;
  add.system.value = "icd10cm";
  add.system.dispatchEvent(new Event("change", { bubbles: true }));
  add.code.value = button.dataset.code;
  add.reason.value = "coded from the dropped candidate \u201c" + button.dataset.text + "\u201d";
  add.code.focus();
}

// Enter before a code is picked: words are a search, never a code to store.
const looksLikeCode = (value) => /^[A-Za-z0-9]{3,7}$/.test(value.replace(/\./g, "")) && /\d/.test(value);
function picked(wb, input) {
  const value = input.value.trim();
  if (looksLikeCode(value)) return value;
  show(wb, "\u201c" + value + "\u201d is words, not a code: pick a code from the list under the box (\u2193, then Enter).");
  input.focus();
  return null;
}
const modifiersOf = (input) => input.value.split(/[\s,]+/).filter(Boolean).map((m) => m.toUpperCase());
// The card a new code will have (encounter.py's card_key): a diagnosis by its code.
const keyOf = (system, code) => system === "icd10cm" ? "c:" + code.toUpperCase() : "c:" + system + ":" + code.toUpperCase();

function onClick(wb, event) {
  const target = event.target;
  const mark = target.closest("#note mark");
  if (mark) {
    const keys = mark.dataset.keys.split(" ");
    // Words under several codes: each click moves on to the next of them.
    const codes = keys.filter((k) => k.startsWith("c:"));
    const ring = codes.length ? codes : keys;
    select(wb, ring[(ring.indexOf(wb.selected) + 1) % ring.length]);
    return;
  }
  const button = target.closest("button");
  const card = target.closest(".code-card");
  // Buttons that post a form without script act through the API here.
  if (button && card && button.dataset.act) {
    event.preventDefault();
    select(wb, card.dataset.key, { scroll: false });
    run(wb, card, button.dataset.act);
  } else if (button && button.classList.contains("fix")) {
    // One-click fixes from the claim panel: they act on the card of the code named.
    const fixed = wb.byKey(button.dataset.key);
    if (!fixed) return;
    select(wb, fixed.dataset.key);
    if (button.dataset.fix === "first") { move(wb, fixed, "first"); return; }
    run(wb, fixed, button.dataset.fix);
    const form = fixed.querySelector('form[data-form="' + button.dataset.fix + '"]');
    if (form && form.reason && button.dataset.reason) form.reason.value = button.dataset.reason;
  } else if (button && button.classList.contains("query-this")) {
    composeQuery(button.dataset.code, button.dataset.text);
  } else if (button && button.classList.contains("code-this")) {
    codeThis(wb, button);
  } else if (button && button.classList.contains("query-close")) {
    event.preventDefault();
    const item = button.closest("div.query");
    act(wb, "POST", "/v1/queries/" + encodeURIComponent(item.dataset.query) + "/close", {},
        { said: "Query closed" });
  } else if (!target.closest("button, input, select, form, a, summary")) {
    const item = target.closest(".code-card, .dropped li.linkable");
    if (item) select(wb, item.dataset.key);
  }
}

function onSubmit(wb, event) {
  const form = event.target;
  const card = form.closest(".code-card");
  const kind = form.dataset.form;
  const add = wb.add;
  event.preventDefault();
  if (card && kind === "reject") {
    act(wb, "POST", codeUrl(wb, card) + "/reject", { reason: form.reason.value, ...systemOf(card) },
        { parts: ALL, then: nextUndecided(wb, card), said: card.dataset.code + " rejected" });
  } else if (card && kind === "change") {
    const code = picked(wb, form.new_code);
    if (code) act(wb, "POST", codeUrl(wb, card) + "/change",
                  { new_code: code, reason: form.reason.value || null, ...systemOf(card) },
                  { parts: ALL, then: keyOf(card.dataset.system, code),
                    said: card.dataset.code + " changed to " + code.toUpperCase() });
  } else if (card && kind === "line") {
    act(wb, "PUT", codeUrl(wb, card) + "/line", {
      units: Number(form.units.value) || 1, modifiers: modifiersOf(form.modifiers), ...systemOf(card),
    }, { then: card.dataset.key, said: card.dataset.code + " line saved" });
  } else if (form === add) {
    const code = picked(wb, add.code);
    if (!code) return;
    const body = { code, system: add.system.value, reason: add.reason.value || null };
    if (!add.units.hidden && add.units.value) body.units = Number(add.units.value);
    if (!add.modifiers.hidden && add.modifiers.value.trim()) body.modifiers = modifiersOf(add.modifiers);
    const key = keyOf(add.system.value, code);
    act(wb, "POST", wb.base + "/codes", body,
        { parts: ALL, then: key, said: code.toUpperCase() + " added" }).then(() => {
      if (wb.byKey(key)) { add.code.value = ""; add.reason.value = ""; }
    });
  } else if (form.id === "query-form") {
    act(wb, "POST", wb.base + "/queries", {
      template: form.template.value, text: form.text.value.trim(),
      code: form.code.value || null, hold_finalize: form.hold_finalize.checked,
    }, { said: "Query sent" });
  } else if (form.classList.contains("query-answer")) {
    const url = "/v1/queries/" + encodeURIComponent(form.closest("div.query").dataset.query);
    const detail = form.detail.value.trim();
    act(wb, "POST", url + "/answer", { answer: form.answer.value + (detail ? ": " + detail : "") },
        { said: "Query answered" });
  } else if (form.id === "reopen-form") {
    act(wb, "POST", wb.base + "/reopen", { reason: form.reason.value }, { reload: true });
  }
}

function onChange(wb, event) {
  const add = wb.add;
  const poa = event.target.closest("select.poa-select");
  if (poa) {
    const card = poa.closest(".code-card");
    act(wb, "PUT", codeUrl(wb, card) + "/poa", { poa: poa.value },
        { then: card.dataset.key, said: card.dataset.code + " present on admission: " + poa.value });
  } else if (add && event.target === add.system) {
    const line = add.system.value === "cpt" || add.system.value === "hcpcs";
    add.units.hidden = !line;
    add.modifiers.hidden = !line;
    add.code.value = "";
    add.code.focus();
  }
}

export function installActions(wb) {
  wb.bench.addEventListener("click", (event) => onClick(wb, event));
  wb.bench.addEventListener("submit", (event) => onSubmit(wb, event));
  wb.bench.addEventListener("change", (event) => onChange(wb, event));
}

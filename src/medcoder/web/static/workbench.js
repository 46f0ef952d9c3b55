// medcoder workbench: links evidence and codes both ways, and sends review actions to the
// /v1 API (the session cookie plus X-Requested-With, which cross-site forms cannot send).
// After an action the parts of the page it changed are fetched as server-rendered HTML
// (GET /encounters/{id}/fragment?part=..., the page's own Jinja blocks) and put in place:
// no reload, no client-side templates. Handlers are delegated from #workbench, so the
// parts put in place need no wiring.
"use strict";

(function () {
  const bench = document.getElementById("workbench");
  if (!bench) return;
  const encounter = bench.dataset.encounter;
  const serviceDate = bench.dataset.date;
  const base = "/v1/encounters/" + encodeURIComponent(encounter);
  const fragments = "/encounters/" + encodeURIComponent(encounter) + "/fragment";
  const flash = document.getElementById("flash");
  // Every part an action can change; the note and the dropped list change only when the
  // active codes (and so the marked words) do.
  const ALL = ["head", "note", "history", "codes", "claim", "queries", "decided", "dropped"];
  const DECISION = ["head", "history", "codes", "claim", "queries", "decided"];
  const cards = () => Array.from(bench.querySelectorAll(".code-card"));
  const byKey = (key) => bench.querySelector('.code-card[data-key="' + CSS.escape(key) + '"]');
  const marksFor = (key) =>
    Array.from(bench.querySelectorAll("#note mark")).filter((m) => m.dataset.keys.split(" ").includes(key));

  function show(message, good) {
    flash.textContent = message;
    flash.classList.toggle("good", !!good);
    flash.hidden = false;
    clearTimeout(show.timer);
    show.timer = setTimeout(() => { flash.hidden = true; }, good ? 2500 : 8000);
  }

  function toLogin() {  // the session ended: log in again, then come back here
    location.assign("/login?expired=1&next=" + encodeURIComponent(location.pathname + location.search));
    return new Error("Your session has ended: log in again.");
  }

  async function api(method, url, body) {
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
  async function refresh(parts) {
    const query = new URLSearchParams();
    parts.forEach((part) => query.append("part", part));
    const response = await fetch(fragments + "?" + query, {
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
  let chain = Promise.resolve();
  let updates = 0;
  function serial(work) {
    chain = chain.catch(() => {}).then(async () => {
      bench.setAttribute("aria-busy", "true");
      try {
        await work();
      } catch (error) {
        show(error.message);
      } finally {
        bench.setAttribute("aria-busy", "false");
        bench.dataset.updates = String(++updates);  // the browser tests wait on this
      }
    });
    return chain;
  }

  // An API call, then the parts it changed put in place, then the card to select: ``then``
  // (a card's key) if it is on the page, else the selected card, else the one now where
  // the selected one was.
  function act(method, url, body, options) {
    const { parts = DECISION, then = null, reload = false } = options || {};
    return serial(async () => {
      const focusWasOnCard = !document.activeElement || document.activeElement === document.body ||
        !!document.activeElement.closest(".code-card");
      const at = cards().findIndex((c) => c.dataset.key === selected);
      await api(method, url, body);
      if (reload) { location.reload(); return; }
      await refresh(parts);
      const list = cards();
      const card = (then && byKey(then)) || byKey(selected) || list[Math.min(Math.max(at, 0), list.length - 1)];
      if (card) select(card.dataset.key, { scroll: true, focus: focusWasOnCard });
    });
  }

  // -- selection: a code and its words, or a dropped candidate and its words ----------
  let selected = null;
  function select(key, options) {
    const { scroll = true, focus = true } = options || {};
    selected = key;
    bench.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
    const marks = marksFor(key);
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

  // -- review actions -------------------------------------------------------------------
  const codeUrl = (card) => base + "/codes/" + encodeURIComponent(card.dataset.code);
  const systemOf = (card) => ({ system: card.dataset.system });
  const named = (card) => card.dataset.system + ":" + card.dataset.code;
  function openForm(card, name) {
    card.querySelectorAll("form[data-form]").forEach((f) => { f.hidden = f.dataset.form !== name; });
    const form = card.querySelector('form[data-form="' + name + '"]');
    if (form) form.querySelector("input").focus();
  }
  // The group's new order in one call: PUT /sequence lists every active code of the group
  // (diagnoses and procedures are numbered apart; a code moves within its own group).
  function sequence(card, order) {
    act("PUT", base + "/sequence", { codes: order.map(named) }, { then: card.dataset.key });
  }
  function move(card, step) {
    const group = cards().filter((c) => c.dataset.group === card.dataset.group);
    const at = group.indexOf(card);
    const to = step === "first" ? 0 : at + step;
    if (to < 0 || to >= group.length || to === at) return;
    group.splice(at, 1);
    group.splice(to, 0, card);
    sequence(card, group);
  }
  // The next undecided card after ``card`` (wrapping round), read when asked.
  function nextUndecided(card) {
    const list = cards();
    const at = list.findIndex((c) => c.dataset.key === card.dataset.key);
    const after = list.slice(at + 1).concat(list.slice(0, at));
    const following = after.find((c) => c.classList.contains("st-suggested"));
    return following ? following.dataset.key : null;
  }
  function run(card, action) {
    if (!card) return;
    if (action === "accept") {
      // Accepting moves on to the next undecided code: a clean visit is a, a, a, ..., f, Enter.
      const following = nextUndecided(card);
      act("POST", codeUrl(card) + "/accept", systemOf(card), { then: following || card.dataset.key });
    }
    else if (action === "reject" || action === "change" || action === "line") openForm(card, action);
    else if (action === "up") move(card, -1);
    else if (action === "down") move(card, 1);
    else if (action === "first") move(card, "first");
    else if (action === "query") {
      const words = card.querySelector(".evidence q");
      composeQuery(card.dataset.code, words ? words.textContent : "");
    }
  }

  bench.addEventListener("click", (event) => {
    const target = event.target;
    const mark = target.closest("#note mark");
    if (mark) {
      const keys = mark.dataset.keys.split(" ");
      // Words under several codes: each click moves on to the next of them.
      const codes = keys.filter((k) => k.startsWith("c:"));
      const ring = codes.length ? codes : keys;
      select(ring[(ring.indexOf(selected) + 1) % ring.length]);
      return;
    }
    const button = target.closest("button");
    const card = target.closest(".code-card");
    // Buttons that post a form without script act through the API here.
    if (button && card && button.dataset.act) {
      event.preventDefault();
      select(card.dataset.key, { scroll: false });
      run(card, button.dataset.act);
    } else if (button && button.classList.contains("fix")) {
      // One-click fixes from the claim panel: they act on the card of the code named.
      const fixed = byKey(button.dataset.key);
      if (!fixed) return;
      select(fixed.dataset.key);
      if (button.dataset.fix === "first") { move(fixed, "first"); return; }
      run(fixed, button.dataset.fix);
      const form = fixed.querySelector('form[data-form="' + button.dataset.fix + '"]');
      if (form && form.reason && button.dataset.reason) form.reason.value = button.dataset.reason;
    } else if (button && button.classList.contains("query-this")) {
      composeQuery(button.dataset.code, button.dataset.text);
    } else if (button && button.classList.contains("code-this")) {
      codeThis(button);
    } else if (button && button.classList.contains("query-close")) {
      event.preventDefault();
      const item = button.closest("div.query");
      act("POST", "/v1/queries/" + encodeURIComponent(item.dataset.query) + "/close", {});
    } else if (!target.closest("button, input, select, form, a, summary")) {
      const item = target.closest(".code-card, .dropped li.linkable");
      if (item) select(item.dataset.key);
    }
  });

  // Enter before a code is picked: words are a search, never a code to store.
  const looksLikeCode = (value) => /^[A-Za-z0-9]{3,7}$/.test(value.replace(/\./g, "")) && /\d/.test(value);
  function picked(input) {
    const value = input.value.trim();
    if (looksLikeCode(value)) return value;
    show("\u201c" + value + "\u201d is words, not a code: pick a code from the list under the box (\u2193, then Enter).");
    input.focus();
    return null;
  }
  const modifiersOf = (input) => input.value.split(/[\s,]+/).filter(Boolean).map((m) => m.toUpperCase());
  // The card a new code will have (encounter.py's card_key): a diagnosis by its code.
  const keyOf = (system, code) => system === "icd10cm" ? "c:" + code.toUpperCase() : "c:" + system + ":" + code.toUpperCase();

  const add = document.getElementById("add-form");
  bench.addEventListener("submit", (event) => {
    const form = event.target;
    const card = form.closest(".code-card");
    const kind = form.dataset.form;
    event.preventDefault();
    if (card && kind === "reject") {
      act("POST", codeUrl(card) + "/reject", { reason: form.reason.value, ...systemOf(card) },
          { parts: ALL, then: nextUndecided(card) });
    } else if (card && kind === "change") {
      const code = picked(form.new_code);
      if (code) act("POST", codeUrl(card) + "/change",
                    { new_code: code, reason: form.reason.value || null, ...systemOf(card) },
                    { parts: ALL, then: keyOf(card.dataset.system, code) });
    } else if (card && kind === "line") {
      act("PUT", codeUrl(card) + "/line", {
        units: Number(form.units.value) || 1, modifiers: modifiersOf(form.modifiers), ...systemOf(card),
      }, { then: card.dataset.key });
    } else if (form === add) {
      const code = picked(add.code);
      if (!code) return;
      const body = { code, system: add.system.value, reason: add.reason.value || null };
      if (!add.units.hidden && add.units.value) body.units = Number(add.units.value);
      if (!add.modifiers.hidden && add.modifiers.value.trim()) body.modifiers = modifiersOf(add.modifiers);
      const key = keyOf(add.system.value, code);
      act("POST", base + "/codes", body, { parts: ALL, then: key }).then(() => {
        if (byKey(key)) { add.code.value = ""; add.reason.value = ""; }
      });
    } else if (form.id === "query-form") {
      act("POST", base + "/queries", {
        template: form.template.value, text: form.text.value.trim(),
        code: form.code.value || null, hold_finalize: form.hold_finalize.checked,
      });
    } else if (form.classList.contains("query-answer")) {
      const url = "/v1/queries/" + encodeURIComponent(form.closest("div.query").dataset.query);
      const detail = form.detail.value.trim();
      act("POST", url + "/answer", { answer: form.answer.value + (detail ? ": " + detail : "") });
    } else if (form.id === "reopen-form") {
      act("POST", base + "/reopen", { reason: form.reason.value }, { reload: true });
    }
  });

  bench.addEventListener("change", (event) => {
    const poa = event.target.closest("select.poa-select");
    if (poa) {
      const card = poa.closest(".code-card");
      act("PUT", codeUrl(card) + "/poa", { poa: poa.value }, { then: card.dataset.key });
    } else if (add && event.target === add.system) {
      const line = add.system.value === "cpt" || add.system.value === "hcpcs";
      add.units.hidden = !line;
      add.modifiers.hidden = !line;
      add.code.value = "";
      add.code.focus();
    }
  });

  // -- drag to resequence: a card dropped before or after another of its group ----------
  let dragged = null;
  const clearDrop = () => bench.querySelectorAll(".drop-before, .drop-after, .dragging")
    .forEach((el) => el.classList.remove("drop-before", "drop-after", "dragging"));
  function dropPlace(event) {
    const over = event.target.closest(".code-card");
    if (!dragged || !over || over === dragged || over.dataset.group !== dragged.dataset.group) return null;
    const box = over.getBoundingClientRect();
    return { over, after: event.clientY > box.top + box.height / 2 };
  }
  bench.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest('.code-card[draggable="true"]');
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.code);
  });
  bench.addEventListener("dragover", (event) => {
    const place = dropPlace(event);
    if (!place) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    bench.querySelectorAll(".drop-before, .drop-after").forEach((el) => el.classList.remove("drop-before", "drop-after"));
    place.over.classList.add(place.after ? "drop-after" : "drop-before");
  });
  bench.addEventListener("drop", (event) => {
    const place = dropPlace(event);
    const card = dragged;
    clearDrop();
    dragged = null;
    if (!place) return;
    event.preventDefault();
    const group = cards().filter((c) => c.dataset.group === card.dataset.group && c !== card);
    group.splice(group.indexOf(place.over) + (place.after ? 1 : 0), 0, card);
    const before = cards().filter((c) => c.dataset.group === card.dataset.group);
    if (group.every((c, i) => c === before[i])) return;  // dropped where it was
    select(card.dataset.key, { scroll: false });
    sequence(card, group);
  });
  bench.addEventListener("dragend", () => { clearDrop(); dragged = null; });

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
  function codeThis(button) {
    if (!add) return;
    add.system.value = "icd10cm";
    add.system.dispatchEvent(new Event("change", { bubbles: true }));
    add.code.value = button.dataset.code;
    add.reason.value = "coded from the dropped candidate \u201c" + button.dataset.text + "\u201d";
    add.code.focus();
  }

  // -- finalize: a summary to confirm, then the next encounter in the queue -------------
  const finalize = document.getElementById("finalize");
  const acknowledge = document.getElementById("acknowledge");
  const confirm = document.getElementById("confirm");
  const confirmNext = document.getElementById("confirm-next");
  const problem = document.getElementById("confirm-problem");
  function openConfirm() {
    const list = cards();
    document.getElementById("confirm-codes").replaceChildren(...list.map((card) => {
      const item = document.createElement("li");
      const code = document.createElement("b");
      code.className = "code";
      code.textContent = card.dataset.code;
      item.append(code, " " + card.querySelector(".title").textContent);
      return item;
    }));
    const undecided = list.filter((c) => c.classList.contains("st-suggested")).map((c) => c.dataset.code);
    const note = document.getElementById("confirm-undecided");
    note.hidden = !undecided.length;
    note.textContent = undecided.length ? "Still to accept or reject: " + undecided.join(", ") + "." : "";
    problem.hidden = true;
    confirm.hidden = false;
    confirmNext.focus();
  }
  async function confirmFinalize() {
    const reason = acknowledge && !acknowledge.hidden ? acknowledge.value.trim() : "";
    try {
      await api("POST", base + "/finalize", { acknowledge: reason || null });
    } catch (error) {
      problem.textContent = error.message;
      problem.hidden = false;
      if (/warning\(s\) to acknowledge/.test(error.message) && acknowledge) {
        acknowledge.hidden = false;
        acknowledge.focus();
      }
      return;
    }
    const following = bench.dataset.next;
    const done = "done=" + encodeURIComponent(encounter);
    location.assign(following ? "/encounters/" + encodeURIComponent(following) + "?" + done : "/queue?" + done);
  }
  if (finalize) finalize.addEventListener("click", () => {
    chain = chain.then(openConfirm).catch((error) => show(error.message));
  });
  if (confirmNext) confirmNext.addEventListener("click", confirmFinalize);
  if (acknowledge) acknowledge.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); confirmFinalize(); }
  });
  const cancel = document.getElementById("confirm-cancel");
  if (cancel) cancel.addEventListener("click", () => { confirm.hidden = true; });

  // -- type-ahead over the release in force on the date of service ----------------------
  const options = document.getElementById("code-options");
  let pending = null;
  bench.addEventListener("input", (event) => {
    const input = event.target.closest("input[list=code-options]");
    if (!input) return;
    clearTimeout(pending);
    const q = input.value.trim();
    if (q.length < 2) return;
    pending = setTimeout(async () => {
      const params = new URLSearchParams({ q, limit: "12" });
      // The system the box adds or changes to: the add form's choice, else the card's.
      const system = input.dataset.system || (input.form && input.form.system && input.form.system.value);
      if (system) params.set("system", system);
      if (serviceDate) params.set("date", serviceDate);
      try {
        const hits = await api("GET", "/v1/codes/search?" + params);
        options.replaceChildren(...hits.map((h) => {
          const option = document.createElement("option");
          option.value = h.code;
          option.label = h.code + "  " + (h.title || "") + (h.billable ? "" : " (header)");
          return option;
        }));
      } catch (_) { /* type-ahead is a help, not a requirement */ }
    }, 150);
  });

  // -- keyboard shortcuts ---------------------------------------------------------------
  const help = document.getElementById("help");
  document.getElementById("help-toggle").addEventListener("click", () => { help.hidden = !help.hidden; });
  const current = () => cards().find((c) => c.dataset.key === selected);
  const step = (by) => {
    const list = cards();
    if (!list.length) return;
    const at = list.indexOf(current());
    select(list[Math.min(Math.max(at + by, 0), list.length - 1)].dataset.key);
  };
  const keys = {
    j: () => step(1),
    k: () => step(-1),
    a: () => run(current(), "accept"),
    r: () => run(current(), "reject"),
    c: () => run(current(), "change"),
    u: () => run(current(), "up"),
    d: () => run(current(), "down"),
    p: () => run(current(), "first"),  // principal (inpatient) / first-listed
    n: () => add && add.code.focus(),
    f: () => finalize && finalize.click(),
    "?": () => { help.hidden = !help.hidden; },
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      bench.querySelectorAll("form[data-form]").forEach((f) => { f.hidden = true; });
      if (confirm) confirm.hidden = true;
      if (typing) typing.blur();
      return;
    }
    if (typing || !keys[event.key]) return;
    event.preventDefault();
    // After the change in flight, if any: the key acts on the page as it then stands. An
    // action's own call goes on the same line (act), so it is started here, not awaited.
    const handler = keys[event.key];
    chain = chain.then(() => { handler(); }).catch((error) => show(error.message));
  });

  const first = cards()[0];
  if (first) select(first.dataset.key, { scroll: false });
})();

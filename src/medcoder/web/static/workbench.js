// medcoder workbench: links evidence and codes both ways, and sends review actions to the
// /v1 API (the session cookie plus X-Requested-With, which cross-site forms cannot send).
"use strict";

(function () {
  const bench = document.getElementById("workbench");
  if (!bench) return;
  const encounter = bench.dataset.encounter;
  const serviceDate = bench.dataset.date;
  const base = "/v1/encounters/" + encodeURIComponent(encounter);
  const flash = document.getElementById("flash");
  const cards = () => Array.from(document.querySelectorAll(".code-card"));
  const marksFor = (key) =>
    Array.from(document.querySelectorAll("#note mark")).filter((m) => m.dataset.keys.split(" ").includes(key));

  function show(message, good) {
    flash.textContent = message;
    flash.classList.toggle("good", !!good);
    flash.hidden = false;
    clearTimeout(show.timer);
    show.timer = setTimeout(() => { flash.hidden = true; }, good ? 2500 : 8000);
  }

  async function api(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "medcoder" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return response.json();
    if (response.status === 401) {  // the session ended: log in again, then come back here
      location.assign("/login?expired=1&next=" + encodeURIComponent(location.pathname + location.search));
      throw new Error("Your session has ended: log in again.");
    }
    let text = "request failed (" + response.status + ")";
    try {
      const error = (await response.json()).error;
      text = "error[" + error.code + "]: " + error.message + (error.hint ? " (" + error.hint + ")" : "");
    } catch (_) { /* not JSON */ }
    throw new Error(text);
  }

  async function act(method, url, body, keep) {
    try {
      await api(method, url, body);
      if (keep) sessionStorage.setItem("medcoder-selected", keep);
      location.reload();
    } catch (error) {
      show(error.message);
    }
  }

  // -- selection: a code and its words, or a dropped candidate and its words ----------
  let selected = null;
  function select(key, scroll) {
    selected = key;
    document.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
    const marks = marksFor(key);
    marks.forEach((m) => m.classList.add("active"));
    const item = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (item) item.classList.add("active");
    if (scroll !== false) {
      if (marks.length) marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
      if (item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
    if (item && item.classList.contains("code-card") && document.activeElement !== item &&
        !item.contains(document.activeElement)) item.focus({ preventScroll: true });
  }

  document.getElementById("note").addEventListener("click", (event) => {
    const mark = event.target.closest("mark");
    if (!mark) return;
    const keys = mark.dataset.keys.split(" ");
    // Words under several codes: each click moves on to the next of them.
    const codes = keys.filter((k) => k.startsWith("c:"));
    const ring = codes.length ? codes : keys;
    select(ring[(ring.indexOf(selected) + 1) % ring.length]);
  });

  document.querySelectorAll(".code-card, .dropped li.linkable").forEach((item) => {
    item.addEventListener("click", (event) => {
      if (event.target.closest("button, input, form, a, summary")) return;
      select(item.dataset.key);
    });
  });

  // -- review actions -------------------------------------------------------------------
  const codeUrl = (card) => base + "/codes/" + encodeURIComponent(card.dataset.code);
  const systemOf = (card) => ({ system: card.dataset.system });
  function openForm(card, name) {
    card.querySelectorAll("form[data-form]").forEach((f) => { f.hidden = f.dataset.form !== name; });
    const form = card.querySelector('form[data-form="' + name + '"]');
    if (form) form.querySelector("input").focus();
  }
  function move(card, step) {
    // Diagnoses and procedures are numbered apart: a code moves within its own group.
    const group = cards().filter((c) => c.dataset.group === card.dataset.group);
    const order = group.map((c) => c.dataset.system + ":" + c.dataset.code);
    const at = group.indexOf(card);
    const to = step === "first" ? 0 : at + step;
    if (to < 0 || to >= order.length || to === at) return;
    const [moved] = order.splice(at, 1);
    order.splice(to, 0, moved);
    act("PUT", base + "/sequence", { codes: order }, card.dataset.key);
  }
  function run(card, action) {
    if (!card) return;
    if (action === "accept") {
      // Accepting moves on to the next undecided code: a clean visit is a, a, a, ..., f, Enter.
      const list = cards();
      const after = list.slice(list.indexOf(card) + 1).concat(list.slice(0, list.indexOf(card)));
      const following = after.find((c) => c.classList.contains("st-suggested"));
      act("POST", codeUrl(card) + "/accept", systemOf(card), (following || card).dataset.key);
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

  cards().forEach((card) => {
    card.querySelectorAll("button[data-act]").forEach((button) => {
      button.addEventListener("click", () => { select(card.dataset.key, false); run(card, button.dataset.act); });
    });
    const reject = card.querySelector('form[data-form="reject"]');
    if (reject) reject.addEventListener("submit", (event) => {
      event.preventDefault();
      act("POST", codeUrl(card) + "/reject", { reason: reject.reason.value, ...systemOf(card) }, card.dataset.key);
    });
    const change = card.querySelector('form[data-form="change"]');
    if (change) change.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = picked(change.new_code);
      if (code) act("POST", codeUrl(card) + "/change",
                    { new_code: code, reason: change.reason.value || null, ...systemOf(card) });
    });
    const line = card.querySelector('form[data-form="line"]');
    if (line) line.addEventListener("submit", (event) => {
      event.preventDefault();
      act("PUT", codeUrl(card) + "/line", {
        units: Number(line.units.value) || 1,
        modifiers: line.modifiers.value.split(/[\s,]+/).filter(Boolean).map((m) => m.toUpperCase()),
        ...systemOf(card),
      }, card.dataset.key);
    });
    const poa = card.querySelector("select.poa-select");
    if (poa) poa.addEventListener("change", () => {
      act("PUT", codeUrl(card) + "/poa", { poa: poa.value }, card.dataset.key);
    });
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

  const add = document.getElementById("add-form");
  if (add) add.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = picked(add.code);
    if (!code) return;
    const body = { code, system: add.system.value, reason: add.reason.value || null };
    if (!add.units.hidden && add.units.value) body.units = Number(add.units.value);
    if (!add.modifiers.hidden && add.modifiers.value.trim())
      body.modifiers = add.modifiers.value.split(/[\s,]+/).filter(Boolean).map((m) => m.toUpperCase());
    act("POST", base + "/codes", body);
  });
  // One-click fixes from the claim panel: they act on the card of the code named.
  document.querySelectorAll("button.fix").forEach((button) => {
    button.addEventListener("click", () => {
      const card = document.querySelector('.code-card[data-key="' + CSS.escape(button.dataset.key) + '"]');
      if (!card) return;
      select(card.dataset.key);
      if (button.dataset.fix === "first") { move(card, "first"); return; }
      run(card, button.dataset.fix);
      const form = card.querySelector('form[data-form="' + button.dataset.fix + '"]');
      if (form && form.reason && button.dataset.reason) form.reason.value = button.dataset.reason;
    });
  });

  // -- physician queries: from a code or a dropped candidate ---------------------------
  const queryForm = document.getElementById("query-form");
  function composeQuery(code, words) {
    if (!queryForm) return;
    document.getElementById("query-compose").open = true;
    const known = Array.from(queryForm.code.options).some((o) => o.value === code);
    queryForm.code.value = known ? code : "";
    queryForm.text.value = words || "";
    queryForm.template.focus();
  }
  if (queryForm) queryForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act("POST", base + "/queries", {
      template: queryForm.template.value, text: queryForm.text.value.trim(),
      code: queryForm.code.value || null, hold_finalize: queryForm.hold_finalize.checked,
    });
  });
  document.querySelectorAll("button.query-this").forEach((button) => {
    button.addEventListener("click", () => composeQuery(button.dataset.code, button.dataset.text));
  });
  document.querySelectorAll("div.query").forEach((item) => {
    const url = "/v1/queries/" + encodeURIComponent(item.dataset.query);
    const answer = item.querySelector("form.query-answer");
    if (answer) answer.addEventListener("submit", (event) => {
      event.preventDefault();
      const detail = answer.detail.value.trim();
      act("POST", url + "/answer", { answer: answer.answer.value + (detail ? ": " + detail : "") });
    });
    const close = item.querySelector("button.query-close");
    if (close) close.addEventListener("click", () => act("POST", url + "/close", {}));
  });

  // "Code this" on a dropped candidate: its code in the Add box (its words go with it).
  document.querySelectorAll("button.code-this").forEach((button) => {
    button.addEventListener("click", () => {
      if (!add) return;
      add.system.value = "icd10cm";
      add.system.dispatchEvent(new Event("change"));
      add.code.value = button.dataset.code;
      add.reason.value = "coded from the dropped candidate \u201c" + button.dataset.text + "\u201d";
      add.code.focus();
    });
  });
  if (add) add.system.addEventListener("change", () => {
    const line = add.system.value === "cpt" || add.system.value === "hcpcs";
    add.units.hidden = !line;
    add.modifiers.hidden = !line;
    add.code.value = "";
    add.code.focus();
  });
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
  if (finalize) finalize.addEventListener("click", openConfirm);
  if (confirmNext) confirmNext.addEventListener("click", confirmFinalize);
  if (acknowledge) acknowledge.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); confirmFinalize(); }
  });
  const cancel = document.getElementById("confirm-cancel");
  if (cancel) cancel.addEventListener("click", () => { confirm.hidden = true; });
  const reopen = document.getElementById("reopen-form");
  if (reopen) reopen.addEventListener("submit", (event) => {
    event.preventDefault();
    act("POST", base + "/reopen", { reason: reopen.reason.value });
  });

  // -- type-ahead over the release in force on the date of service ----------------------
  const options = document.getElementById("code-options");
  let pending = null;
  document.querySelectorAll("input[list=code-options]").forEach((input) => {
    input.addEventListener("input", () => {
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
  });

  // -- keyboard shortcuts ---------------------------------------------------------------
  const help = document.getElementById("help");
  document.getElementById("help-toggle").addEventListener("click", () => { help.hidden = !help.hidden; });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      document.querySelectorAll("form[data-form]").forEach((f) => { f.hidden = true; });
      if (confirm) confirm.hidden = true;
      if (typing) typing.blur();
      return;
    }
    if (typing) return;
    const list = cards();
    const current = list.find((c) => c.dataset.key === selected);
    const at = current ? list.indexOf(current) : -1;
    const keys = {
      j: () => list.length && select(list[Math.min(at + 1, list.length - 1)].dataset.key),
      k: () => list.length && select(list[Math.max(at - 1, 0)].dataset.key),
      a: () => run(current, "accept"),
      r: () => run(current, "reject"),
      c: () => run(current, "change"),
      u: () => run(current, "up"),
      d: () => run(current, "down"),
      n: () => add && add.code.focus(),
      f: () => finalize && finalize.click(),
      "?": () => { help.hidden = !help.hidden; },
    };
    const handler = keys[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  const remembered = sessionStorage.getItem("medcoder-selected");
  sessionStorage.removeItem("medcoder-selected");
  const first = cards()[0];
  if (remembered && document.querySelector('[data-key="' + CSS.escape(remembered) + '"]')) select(remembered);
  else if (first) select(first.dataset.key, false);
})();

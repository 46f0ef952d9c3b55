// Keyboard shortcuts (the page's "?" help lists them): j/k move, a/r/c accept, reject,
// change, u/d/p resequence, n adds, f finalizes, Escape closes the open forms.
"use strict";

import { select, show } from "./core.js";
import { run } from "./actions.js";

export function installKeys(wb, { finalize, confirm }) {
  const bench = wb.bench;
  const add = wb.add;
  const help = document.getElementById("help");
  document.getElementById("help-toggle").addEventListener("click", () => { help.hidden = !help.hidden; });
  const current = () => wb.cards().find((c) => c.dataset.key === wb.selected);
  const step = (by) => {
    const list = wb.cards();
    if (!list.length) return;
    const at = list.indexOf(current());
    select(wb, list[Math.min(Math.max(at + by, 0), list.length - 1)].dataset.key);
  };
  const keys = {
    j: () => step(1),
    k: () => step(-1),
    a: () => run(wb, current(), "accept"),
    r: () => run(wb, current(), "reject"),
    c: () => run(wb, current(), "change"),
    u: () => run(wb, current(), "up"),
    d: () => run(wb, current(), "down"),
    p: () => run(wb, current(), "first"),  // principal (inpatient) / first-listed
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
    wb.chain = wb.chain.then(() => { handler(); }).catch((error) => show(wb, error.message));
  });
}

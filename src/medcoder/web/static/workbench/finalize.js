// Finalize: a summary to confirm (every code, the ones still undecided), then the next
// encounter in the queue; a warning to acknowledge opens the reason box.
"use strict";

import { api, show } from "./core.js";

export function installFinalize(wb) {
  const finalize = document.getElementById("finalize");
  const acknowledge = document.getElementById("acknowledge");
  const confirm = document.getElementById("confirm");
  const confirmNext = document.getElementById("confirm-next");
  const problem = document.getElementById("confirm-problem");
  function openConfirm() {
    const list = wb.cards();
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
      await api("POST", wb.base + "/finalize", { acknowledge: reason || null });
    } catch (error) {
      problem.textContent = error.message;
      problem.hidden = false;
      if (/warning\(s\) to acknowledge/.test(error.message) && acknowledge) {
        acknowledge.hidden = false;
        acknowledge.focus();
      }
      return;
    }
    const following = wb.bench.dataset.next;
    const done = "done=" + encodeURIComponent(wb.encounter);
    location.assign(following ? "/encounters/" + encodeURIComponent(following) + "?" + done : "/queue?" + done);
  }
  if (finalize) finalize.addEventListener("click", () => {
    wb.chain = wb.chain.then(openConfirm).catch((error) => show(wb, error.message));
  });
  if (confirmNext) confirmNext.addEventListener("click", confirmFinalize);
  if (acknowledge) acknowledge.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); confirmFinalize(); }
  });
  const cancel = document.getElementById("confirm-cancel");
  if (cancel) cancel.addEventListener("click", () => { confirm.hidden = true; });
  return { finalize, confirm };
}

// Drag to resequence: a card dropped before or after another of its group (the same
// PUT /sequence as the move buttons and u/d/p keys: actions.sequence).
"use strict";

import { select } from "./core.js";
import { sequence } from "./actions.js";

export function installDrag(wb) {
  const bench = wb.bench;
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
    const group = wb.cards().filter((c) => c.dataset.group === card.dataset.group && c !== card);
    group.splice(group.indexOf(place.over) + (place.after ? 1 : 0), 0, card);
    const before = wb.cards().filter((c) => c.dataset.group === card.dataset.group);
    if (group.every((c, i) => c === before[i])) return;  // dropped where it was
    select(wb, card.dataset.key, { scroll: false });
    sequence(wb, card, group);
  });
  bench.addEventListener("dragend", () => { clearDrop(); dragged = null; });
}

// Type-ahead over the release in force on the date of service: the code boxes
// (input[list=code-options]) fill the datalist from GET /v1/codes/search.
"use strict";

import { api } from "./core.js";

export function installTypeahead(wb) {
  const options = document.getElementById("code-options");
  let pending = null;
  wb.bench.addEventListener("input", (event) => {
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
      if (wb.serviceDate) params.set("date", wb.serviceDate);
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
}

/* The encoder's side panel: a code link opens its Tabular entry beside the index
   (the server renders the fragment; without this script the link opens it as a page). */
"use strict";
(function () {
  const panel = document.getElementById("panel");
  if (!panel) return;
  async function show(href) {
    const url = new URL(href, location.href);
    url.searchParams.set("panel", "1");
    const answer = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
    if (!answer.ok) { location.href = href; return; }  // the full page says what went wrong
    panel.innerHTML = await answer.text();
    panel.scrollTop = 0;
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-panel]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    document.querySelectorAll("a.picked").forEach((a) => a.classList.remove("picked"));
    link.classList.add("picked");
    show(link.href);
  });
})();

// Enhances the server-rendered board: a change of the form (combination, weight, search, sort,
// columns) or a click on a column heading fetches the same page for the new query and swaps the
// table in, without a reload; the address bar gets the server's canonical URL of the view, so a
// shared link shows the same rows. Without JavaScript the form's Apply button does the same.
"use strict";
(function () {
  const form = document.getElementById("board-form");
  if (!form) return;
  const weight = document.getElementById("weight");
  const combine = document.getElementById("combine");
  let pending = null;

  function syncWeight() {
    weight.disabled = combine.value !== "weighted";
    weight.nextElementSibling.textContent = Number(weight.value).toFixed(2);
  }

  function formQuery() {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) {
      if (v !== "") params.append(k, v);
    }
    return params.toString();
  }

  async function show(url, push) {
    if (pending) pending.abort();
    pending = new AbortController();
    const board = document.getElementById("board");
    board.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("board") || page.querySelector("main");
      board.replaceWith(fresh);
      const canonical = fresh.dataset.query || url;
      // a heading's link changes the sort: the form follows, so its next change keeps it
      const shown = new URLSearchParams(canonical.split("?")[1] || "");
      form.elements.sort.value = shown.get("sort") || "order";
      form.elements.order.value = shown.get("order") || "asc";
      if (push) history.pushState(null, "", canonical); else history.replaceState(null, "", canonical);
    } catch (e) {
      if (e.name !== "AbortError") board.removeAttribute("aria-busy");
    }
  }

  let timer = null;
  form.addEventListener("input", (event) => {
    syncWeight();
    clearTimeout(timer);
    // typing in a text field waits for a pause; a select or checkbox applies at once
    const delay = event.target.type === "search" || event.target.type === "text" || event.target.type === "range" ? 250 : 0;
    timer = setTimeout(() => show("?" + formQuery(), false), delay);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show("?" + formQuery(), true);
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.sort");
    if (!link) return;
    event.preventDefault();
    show(link.getAttribute("href"), true);
  });
  window.addEventListener("popstate", () => location.reload());
  syncWeight();
})();

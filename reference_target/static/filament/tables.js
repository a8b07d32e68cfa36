// Livewire-style behaviour of the Filament dialect's tables: search, filters and pagination
// update the table in place (no navigation), and the URL follows with history.replaceState,
// like Filament's query-string persistence. While a request runs the table carries
// aria-busy="true" and wire:loading. The chart widget draws its bars on the canvas.
(function () {
  "use strict";

  function swap(table, url) {
    var ctn = table.querySelector(".fi-ta-ctn") || table;
    ctn.setAttribute("aria-busy", "true");
    ctn.setAttribute("wire:loading", "");
    return fetch(url, { headers: { "X-Livewire": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var id = table.getAttribute("wire:id");
        var fresh = doc.querySelector('.fi-ta[wire\\:id="' + id + '"]');
        if (!fresh) { window.location.assign(url); return; }
        [".fi-ta-content", ".fi-ta-pagination", ".fi-ta-header-heading"].forEach(function (sel) {
          var mine = table.querySelector(sel);
          var theirs = fresh.querySelector(sel);
          if (mine && theirs) { mine.replaceWith(theirs); }
        });
        history.replaceState(null, "", url);
      })
      .finally(function () {
        ctn.removeAttribute("aria-busy");
        ctn.removeAttribute("wire:loading");
      });
  }

  function urlWith(changes) {
    var url = new URL(window.location.href);
    Object.keys(changes).forEach(function (key) {
      if (changes[key]) { url.searchParams.set(key, changes[key]); }
      else { url.searchParams.delete(key); }
    });
    url.searchParams.delete("page");
    return url.pathname + url.search;
  }

  function bindTable(table) {
    var timer = null;
    var search = table.querySelector(".fi-ta-search-field input");
    if (search) {
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var changes = {};
          changes[search.name] = search.value.trim();
          swap(table, urlWith(changes));
        }, 500);
      });
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    }
    table.querySelectorAll(".fi-ta-filters select, .fi-ta-filters input").forEach(function (field) {
      field.addEventListener("change", function () {
        var changes = {};
        changes[field.name] = field.value;
        swap(table, urlWith(changes));
      });
    });
    table.addEventListener("click", function (event) {
      var link = event.target.closest(".fi-pagination a[href], .fi-ta-filters-reset");
      if (!link || !table.contains(link)) { return; }
      event.preventDefault();
      if (link.classList.contains("fi-ta-filters-reset")) {
        table.querySelectorAll(".fi-ta-filters select, .fi-ta-filters input").forEach(function (f) { f.value = ""; });
      }
      swap(table, link.getAttribute("href"));
    });
  }

  function drawChart(holder) {
    var match = /cachedData:\s*(\{.*\})\s*,\s*type:/.exec(holder.getAttribute("x-data") || "");
    var canvas = holder.querySelector("canvas");
    if (!match || !canvas || !canvas.getContext) { return; }
    var data = JSON.parse(match[1]);
    var values = data.datasets[0].data;
    var peak = Math.max.apply(null, values.concat([1]));
    var ctx = canvas.getContext("2d");
    canvas.width = canvas.clientWidth || 700;
    var step = canvas.width / values.length;
    ctx.fillStyle = "#f59e0b";
    values.forEach(function (value, index) {
      var height = (value / peak) * (canvas.height - 20);
      ctx.fillRect(index * step + 4, canvas.height - height, step - 8, height);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".fi-ta[wire\\:id]").forEach(bindTable);
    document.querySelectorAll(".fi-wi-chart [x-data]").forEach(drawChart);
  });
})();

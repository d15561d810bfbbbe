/* The competition pages' behaviour (no inline scripts, so a strict Content-Security-Policy holds):
   sortable leaderboard columns, collapsible column groups, countdowns and local times. */
(function () {
  "use strict";

  function cellValue(row, key) {
    var cell = row.querySelector('td[data-col="' + key + '"]');
    return cell ? cell.getAttribute("data-v") : "";
  }

  function compare(a, b, numeric) {
    if (a === "" || b === "") { return a === b ? 0 : (a === "" ? 1 : -1); }  // empty cells last
    if (numeric) { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b);
  }

  function sortBy(table, th) {
    var key = th.getAttribute("data-col");
    var ascendingFirst = key === "rank" || key === "team" || key === "submitted";
    var now = th.getAttribute("aria-sort");
    var dir = now ? (now === "ascending" ? "descending" : "ascending") : (ascendingFirst ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = key !== "team" && key !== "submitted";
    rows.forEach(function (r, i) { r.setAttribute("data-order", i); });
    rows.sort(function (a, b) {
      var va = cellValue(a, key), vb = cellValue(b, key);
      var c = compare(va, vb, numeric);
      if (va !== "" && vb !== "" && dir === "descending") { c = -c; }
      return c || (a.getAttribute("data-order") - b.getAttribute("data-order"));
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
  }

  function setGroup(table, head, open) {
    var key = head.getAttribute("data-group"), n = head.getAttribute("data-count");
    var button = head.querySelector("button.toggle");
    table.classList.toggle("collapsed-" + key, !open);
    head.colSpan = open ? parseInt(n, 10) : 1;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = (open ? "hide " : "show ") + n + " " + button.textContent.replace(/^(hide|show) \d+ /, "");
  }

  function board(table) {
    table.querySelectorAll("button.sort").forEach(function (b) {
      b.addEventListener("click", function () { sortBy(table, b.closest("th")); });
    });
    table.querySelectorAll("th.group[data-collapse]").forEach(function (head) {
      setGroup(table, head, false);
      head.querySelector("button.toggle").addEventListener("click", function () {
        setGroup(table, head, table.classList.contains("collapsed-" + head.getAttribute("data-group")));
      });
    });
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    document.querySelectorAll("time.countdown").forEach(function (t) {
      var left = Math.floor((Date.parse(t.getAttribute("datetime")) - Date.now()) / 1000);
      if (left <= 0) { t.textContent = "a moment (reload the page)"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
      t.textContent = (d ? d + " d " : "") + two(h) + ":" + two(m) + ":" + two(left % 60);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.board").forEach(board);
    document.querySelectorAll(".local[data-utc]").forEach(function (s) {
      var when = new Date(s.getAttribute("data-utc"));
      if (!isNaN(when)) { s.textContent = "; your time " + when.toLocaleString([], {dateStyle: "medium", timeStyle: "short"}); }
    });
    if (document.querySelector("time.countdown")) { tick(); setInterval(tick, 1000); }
  });
})();

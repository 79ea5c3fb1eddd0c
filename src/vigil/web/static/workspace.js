// vigil workspace: the CSRF header on every HTMX request, and the queue's keyboard shortcuts.
// Served from /ui/static (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.body.dataset.csrf;
    if (token) { event.detail.headers["X-CSRF-Token"] = token; }
  });

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue tr.case-row")); }

  function current() { return document.querySelector("#queue tr.case-row.current"); }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, index < 0 ? 0 : index + step))];
    all.forEach(function (row) { row.classList.remove("current"); row.removeAttribute("aria-current"); });
    next.classList.add("current");
    next.setAttribute("aria-current", "true");
    var link = next.querySelector("a.open");
    if (link) { link.focus({ preventScroll: true }); }
    next.scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var help = document.getElementById("help");
    var row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
        if (row) { window.location.assign(row.dataset.open); }
        break;
      case "c":
        var button = row && row.querySelector("button.claim-btn");
        if (button) { button.click(); }
        break;
      case "x":
        var box = row && row.querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
        break;
      case "?":
        if (help && typeof help.showModal === "function") { help.showModal(); }
        break;
      default: return;
    }
    event.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("queue")) { document.addEventListener("keydown", onKey); }
  });
})();

// Small behaviours for every page.
(function () {
  "use strict";
  // A table wider than the screen scrolls inside its box: make that box reachable
  // and scrollable by keyboard, and name it after the table's caption (WCAG 2.1.1).
  // The table's caption, else its own label, else the heading just before it, else "Table".
  function regionName(box) {
    var table = box.querySelector("table");
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    if (table && table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    for (var el = box; el && el !== document.body; el = el.parentElement) {
      for (var sib = el.previousElementSibling; sib; sib = sib.previousElementSibling) {
        var heading = /^H[1-6]$/.test(sib.tagName) ? sib : sib.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && heading.textContent.trim()) return heading.textContent.trim();
      }
    }
    return document.documentElement.lang === "ko" ? "표" : "Table";
  }
  function labelScrollers() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", regionName(box));
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  }
  labelScrollers();
  window.addEventListener("resize", labelScrollers);
})();

// Small behaviours for every page.
(function () {
  "use strict";
  // A table wider than the screen scrolls inside its box: make that box reachable
  // and scrollable by keyboard, and name it after the table's caption (WCAG 2.1.1).
  function labelScrollers() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = box.querySelector("caption");
        if (caption && !box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  }
  labelScrollers();
  window.addEventListener("resize", labelScrollers);
})();

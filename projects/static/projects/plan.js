// Live totals of a follow-up plan's money grid (the server recomputes and checks everything on save).
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var lang = document.documentElement.lang || "ko";
  function num(input) {
    // Amounts typed as people write them (money-input.js reads "1억 2천만" too).
    var v = window.portalParseWon ? window.portalParseWon(input.value) : parseInt(input.value, 10);
    return v === null || isNaN(v) || v < 0 ? 0 : v;
  }
  function won(v) { return v.toLocaleString("ko-KR") + (lang === "en" ? " won" : "원"); }
  function update() {
    document.querySelectorAll("[data-total-year]").forEach(function (cell) {
      var year = cell.dataset.totalYear, kind = cell.dataset.kind, sum = 0;
      document.querySelectorAll("[data-year='" + year + "'][data-kind='" + kind + "']").forEach(function (el) {
        sum += el.tagName === "INPUT" ? num(el) : parseInt(el.dataset.value || "0", 10);
      });
      cell.textContent = won(sum);
    });
  }
  form.addEventListener("input", update);
  update();
})();

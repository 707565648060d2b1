// Live totals of the budget grid (the server recomputes and checks everything on save).
(function () {
  "use strict";
  var form = document.getElementById("budget-form");
  if (!form) { return; }
  var lang = document.documentElement.lang || "ko";
  var pct = parseFloat(form.dataset.pct || "0");
  var basis = form.dataset.basis;
  function num(input) { var v = parseInt(input.value, 10); return isNaN(v) || v < 0 ? 0 : v; }
  function won(v) { return v.toLocaleString("ko-KR") + (lang === "en" ? " won" : "원"); }
  function eok(v) {
    if (v < 1e7) { return ""; }
    if (lang === "en") { return (v / 1e9).toLocaleString("en", {maximumFractionDigits: 2}) + " billion won"; }
    return (v / 1e8).toLocaleString("ko-KR", {maximumFractionDigits: 2}) + "억원";
  }
  function kindOf(input) { return input.name.split("_")[0]; }
  function update() {
    var sums = {national: 0, local: 0, other: 0};
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("input.budget-input").forEach(function (input) {
        var v = num(input); total += v; sums[kindOf(input)] += v;
        var hint = input.parentElement.querySelector(".live-eok");
        if (hint) { hint.textContent = v ? eok(v) : ""; }
      });
      var cell = row.querySelector(".row-total");
      if (cell && cell.firstChild) { cell.firstChild.textContent = won(total); }
    });
    var grand = sums.national + sums.local + sums.other;
    document.getElementById("sum-national").textContent = won(sums.national);
    document.getElementById("sum-local").textContent = won(sums.local);
    document.getElementById("sum-other").textContent = won(sums.other);
    document.getElementById("sum-total").textContent = won(grand);
    var base = basis === "total" ? grand : sums.national;
    var share = base ? (sums.local * 100 / base) : 0;
    var note = document.getElementById("live-matching");
    if (note) {
      note.textContent = (lang === "en" ? "Local share now: " : "현재 지방비 비율: ") + share.toFixed(2) + "% (" +
        (lang === "en" ? "minimum " : "최소 ") + pct + "%)";
    }
  }
  form.addEventListener("input", update);
  update();
})();

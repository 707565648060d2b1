// A cut-line scenario's page (funding/scenario.html): while choices and amounts are changed, the
// totals, the remaining envelope and each row's per-project cap are recomputed here. Progressive
// enhancement only: saving sends everything to the server, which checks again with the funding
// decision's own rules (cap, local matching, envelope).
(function () {
  "use strict";
  var form = document.getElementById("scenario-form");
  if (!form) { return; }
  var lang = (document.documentElement.lang || "ko").slice(0, 2);
  var TEXT = lang === "en" ? {
    over: "Over the envelope: this scenario cannot be turned into decisions.", within: "Within the envelope.",
    unsaved: " (not saved yet)"
  } : {
    over: "예산 한도 초과: 이 시나리오는 결정으로 전환할 수 없습니다.", within: "예산 범위 안입니다.",
    unsaved: " (아직 저장되지 않음)"
  };
  var envelope = parseInt(form.dataset.envelope, 10);
  var committedAll = parseInt(form.dataset.committedAll, 10);
  var cap = parseInt(form.dataset.cap, 10);
  var status = document.getElementById("scenario-status");
  var parse = window.portalParseWon || function (t) { var v = parseInt((t || "").replace(/[^\d-]/g, ""), 10); return isNaN(v) ? null : v; };

  // As the server's `eok` filter writes it: 억원 in Korean, KRW … billion / million in English.
  function trim(value) {
    return value.toLocaleString("en", {minimumFractionDigits: 0, maximumFractionDigits: 2});
  }
  function eok(won) {
    if (lang === "en") {
      if (Math.abs(won) >= 1e9) { return "KRW " + trim(won / 1e9) + " billion"; }
      if (Math.abs(won) >= 1e6) { return "KRW " + trim(won / 1e6) + " million"; }
      return "KRW " + won.toLocaleString("en");
    }
    return trim(won / 1e8) + "억원";
  }

  // The rows of the ranking the page does not show (a window around the cut line): their selected
  // total, count and approved amounts, as the server added them up.
  var hiddenTotal = parseInt(form.dataset.hiddenTotal, 10) || 0;
  var hiddenCount = parseInt(form.dataset.hiddenCount, 10) || 0;
  var hiddenApproved = parseInt(form.dataset.hiddenApproved, 10) || 0;

  function recompute() {
    var total = hiddenTotal, count = hiddenCount, approvedSelected = hiddenApproved;
    form.querySelectorAll("tr.scenario-row").forEach(function (row) {
      var choice = row.querySelector(".js-choice").value;
      var amount = parse(row.querySelector(".js-amount").value);
      if (amount === null) { amount = parseInt(row.dataset.requested, 10); }
      var capNote = row.querySelector(".js-cap");
      var selected = choice === "select";
      capNote.hidden = !(selected && !isNaN(amount) && amount > cap);
      if (selected && !isNaN(amount)) {
        total += amount;
        count += 1;
        approvedSelected += parseInt(row.dataset.approved, 10) || 0;
      }
    });
    var committed = committedAll - approvedSelected;
    var remaining = envelope - committed - total;
    status.querySelector(".js-selected-total").textContent = eok(total);
    status.querySelector(".js-selected-count").textContent = count;
    status.querySelector(".js-committed").textContent = eok(committed);
    status.querySelector(".js-remaining").textContent = eok(remaining);
    var verdict = status.querySelector(".js-verdict");
    verdict.textContent = (remaining < 0 ? TEXT.over : TEXT.within) + TEXT.unsaved;
    verdict.classList.toggle("text-danger", remaining < 0);
    status.classList.toggle("is-over", remaining < 0);
    status.classList.toggle("is-within", remaining >= 0);
  }

  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
})();

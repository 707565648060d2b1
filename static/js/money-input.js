// Money cells (core.forms.WonField, core/_money_cell.html): echo what is typed in 억원, flag a
// negative, too large or unreadable amount while typing, keep a grid's totals. Progressive
// enhancement only: the server reads every amount again (core/money_input.py) and decides.
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "ko").slice(0, 2);
  var SMALL = {"십": 10, "백": 100, "천": 1000};
  var BIG = {"만": 1e4, "억": 1e8, "조": 1e12};
  var TEXT = lang === "en" ? {
    invalid: "Not an amount: type e.g. 1,000,000 or 1억 2천만.", negative: "Amounts cannot be negative.",
    tooLarge: "Above the cap of ", share: "Local share now: ", minimum: "minimum ", won: " won",
    totals: "Totals: national ", local: "local ", other: "other ", all: "all "
  } : {
    invalid: "금액으로 읽을 수 없습니다. 예: 1,000,000 또는 1억 2천만", negative: "금액은 음수일 수 없습니다.",
    tooLarge: "한도를 넘습니다: 최대 ", share: "현재 지방비 비율: ", minimum: "최소 ", won: "원",
    totals: "합계: 국비 ", local: "지방비 ", other: "기타 ", all: "총 "
  };

  // The same reading as core/money_input.py: null when blank, NaN when not an amount.
  function parseWon(text) {
    var s = (text || "").replace(/[\uFF01-\uFF5E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/\u3000/g, " ").trim().replace(/[\s,_'’]/g, "").replace(/^[₩\\]/, "");
    var negative = /^[-−‐–]/.test(s);
    if (negative) { s = s.slice(1).replace(/^₩/, ""); }
    s = s.replace(/(원|won|krw)$/i, "");
    if (!s) { return negative ? NaN : null; }
    var value = read(s);
    if (isNaN(value) || Math.abs(value - Math.round(value)) > 1e-6) { return NaN; }
    value = Math.round(value);
    return negative ? -value : value;
  }
  function read(s) {
    if (/^\d+$/.test(s)) { return parseInt(s, 10); }
    var re = /(\d+(?:\.\d+)?)?([십백천만억조])?/y, total = 0, group = 0, lastBig = null, pos = 0, seen = false;
    while (pos < s.length) {
      re.lastIndex = pos;
      var m = re.exec(s);
      if (!m || re.lastIndex === pos) { return NaN; }
      pos = re.lastIndex;
      var n = m[1] === undefined ? null : parseFloat(m[1]), unit = m[2];
      seen = true;
      if (!unit) { if (pos !== s.length) { return NaN; } group += n; }
      else if (SMALL[unit]) { group += (n === null ? 1 : n) * SMALL[unit]; }
      else {
        if (lastBig !== null && BIG[unit] >= lastBig) { return NaN; }
        lastBig = BIG[unit];
        if (n !== null) { group += n; }
        total += (group || 1) * BIG[unit];
        group = 0;
      }
    }
    return seen ? total + group : NaN;
  }
  function won(v) { return v.toLocaleString("ko-KR") + TEXT.won; }
  function eok(v) {
    if (!v || v < (lang === "en" ? 1e7 : 1e6)) { return ""; }  // it would read "0억원"
    if (lang === "en") {  // as core's eok filter writes it: KRW 5.5 billion, KRW 300 million
      var two = {maximumFractionDigits: 2};
      return v >= 1e9 ? "KRW " + (v / 1e9).toLocaleString("en", two) + " billion"
                      : "KRW " + (v / 1e6).toLocaleString("en", two) + " million";
    }
    return (v / 1e8).toLocaleString("ko-KR", {maximumFractionDigits: 2}) + "억원";
  }
  window.portalParseWon = parseWon;

  // One cell, one message: the server's (about what was posted) until the cell is edited, then
  // the echo's: the amount in 억원, or what is wrong with what is typed now.
  function check(input) {
    var value = parseWon(input.value), max = parseFloat(input.dataset.max || "Infinity");
    var echo = document.getElementById(input.id + "-eok"), problem = "";
    var server = document.getElementById(input.id + "-error");
    if (value !== null && isNaN(value)) { problem = TEXT.invalid; }
    else if (value !== null && value < 0) { problem = TEXT.negative; }
    else if (value !== null && value > max) { problem = TEXT.tooLarge + won(max); }
    var showsServer = !!server;
    if (echo) {
      echo.textContent = showsServer ? (problem ? "" : eok(value)) : (problem || eok(value));
      echo.classList.toggle("text-danger", !showsServer && !!problem);
    }
    if (input.dataset.edited && !showsServer) {  // the server's marking stays until the cell is edited
      input.classList.toggle("is-invalid", !!problem);
      if (problem) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    return problem || value === null ? 0 : value;
  }
  function edited(input) {
    input.dataset.edited = "1";
    var server = document.getElementById(input.id + "-error");
    if (server) {
      server.remove();  // it spoke of what was posted (d-block: the hidden attribute would not hide it)
      input.setAttribute("aria-describedby", input.id + "-eok");
    }
  }

  function grid(form) {
    var pct = parseFloat(form.dataset.pct || "0"), basis = form.dataset.basis;
    var sums = {national: 0, local: 0, other: 0};
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("input.money-input").forEach(function (input) {
        var v = check(input);
        total += v;
        if (input.dataset.kind in sums) { sums[input.dataset.kind] += v; }
      });
      var cell = row.querySelector(".row-sum");
      if (cell) { cell.textContent = won(total); }
    });
    var grand = sums.national + sums.local + sums.other;
    ["national", "local", "other"].forEach(function (k) {
      var el = document.getElementById("sum-" + k);
      if (el) { el.textContent = won(sums[k]); }
    });
    var all = document.getElementById("sum-total");
    if (all) { all.textContent = won(grand); }
    var compact = document.getElementById("live-totals");  // on a phone, where the total column scrolls away
    if (compact) {
      // One unbreakable piece per total ("지방비 0원" never splits over two lines); "other" only where the
      // grid has other sources (the spending grid has none).
      var pieces = [TEXT.totals + won(sums.national), TEXT.local + won(sums.local)];
      if (document.getElementById("sum-other")) { pieces.push(TEXT.other + won(sums.other)); }
      pieces.push(TEXT.all + won(grand));
      compact.textContent = "";
      pieces.forEach(function (text, i) {
        if (i) { compact.appendChild(document.createTextNode(" · ")); }
        var span = document.createElement("span");
        span.className = "live-total";
        span.textContent = text;
        compact.appendChild(span);
      });
    }
    var note = document.getElementById("live-matching");
    if (note) {
      var base = basis === "total" ? grand : sums.national;
      var share = base ? (sums.local * 100 / base) : 0;
      note.textContent = TEXT.share + share.toFixed(2) + "% (" + TEXT.minimum + pct + "%)";
    }
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("input.money-input")) { return; }
    var isGrid = form.classList.contains("money-grid");
    function update(event) {
      if (event && event.target.classList && event.target.classList.contains("money-input")) { edited(event.target); }
      if (isGrid) { grid(form); } else { form.querySelectorAll("input.money-input").forEach(check); }
    }
    form.addEventListener("input", update);
    if (isGrid) { grid(form); } else { form.querySelectorAll("input.money-input").forEach(check); }
  });
})();

// Live progress of background work (letters, exports, reports), without reloading the page.
(function () {
  "use strict";
  function poll(url, every, onData) {
    var timer = setInterval(function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && onData(data)) { clearInterval(timer); } })
        .catch(function () { /* try again next tick */ });
    }, every);
  }
  var batch = document.getElementById("batch");
  if (batch) {
    var bar = document.getElementById("batch-progress");
    var label = document.getElementById("batch-label");
    var done = document.getElementById("batch-done");
    var lang = document.documentElement.lang || "ko";
    poll(batch.dataset.progressUrl, 1000, function (d) {
      bar.max = d.total; bar.value = d.done + d.failed;
      label.textContent = lang === "en"
        ? d.done + " ready, " + d.failed + " failed, of " + d.total
        : "완료 " + d.done + "건, 실패 " + d.failed + "건 / 전체 " + d.total + "건";
      if (d.finished) {
        done.textContent = lang === "en" ? "Finished. Reloading the list…" : "완료되었습니다. 목록을 새로 고칩니다…";
        setTimeout(function () { window.location.href = window.location.pathname; }, 800);
        return true;
      }
      return false;
    });
  }
  // Any other background job (exports, result reports): the container names its JSON
  // endpoint ({label, done, total, finished}); the page reloads when the job is over.
  document.querySelectorAll("[data-job-progress-url]").forEach(function (box) {
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-job-label]");
    poll(box.dataset.jobProgressUrl, 1000, function (d) {
      if (bar && d.total) { bar.max = d.total; bar.value = d.done; }
      if (label && d.label) { label.textContent = d.label; }
      if (d.finished) { setTimeout(function () { window.location.reload(); }, 500); return true; }
      return false;
    });
  });
  document.querySelectorAll("[data-letter-status-url]").forEach(function (item) {
    var status = item.querySelector(".letter-status");
    poll(item.dataset.letterStatusUrl, 1000, function (d) {
      status.textContent = d.label;
      if (d.status === "done" || d.status === "failed") {
        window.location.reload();  // the reloaded item no longer polls
        return true;
      }
      return false;
    });
  });
})();

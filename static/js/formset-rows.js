// Add rows to a formset table without saving (proposals/_formset_table.html): the row is the
// formset's empty form (its <template>), numbered by the management form's TOTAL_FORMS. A row
// added here and left blank is ignored on save as any blank extra row is; a row added by mistake
// is removed with its own button (ticked "delete" and hidden; saved rows keep their box). Without this script the
// page works as before: saving adds an empty row.
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "ko").slice(0, 2);
  var REMOVE = lang === "en" ? "Remove this row" : "이 행 삭제";
  var ADDED = lang === "en" ? "Row added: " : "행을 추가했습니다: ";
  document.querySelectorAll("button.formset-add").forEach(function (button) {
    var prefix = button.dataset.prefix;
    var box = document.querySelector(".formset-rows[data-prefix='" + prefix + "']");
    var total = document.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = document.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = box && box.querySelector("template.formset-empty");
    if (!box || !total || !template) { return; }
    var hint = button.parentElement.querySelector(".formset-save-hint");
    if (hint) { hint.hidden = true; }
    button.hidden = false;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", status);
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
      var body = document.createElement("tbody");
      body.innerHTML = html;
      var row = body.querySelector("tr");
      var del = row.querySelector("input[name$='-DELETE']");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-link btn-sm p-0 formset-remove";
      remove.textContent = REMOVE;
      remove.addEventListener("click", function () {
        // Kept in the post, ticked "delete" and hidden: the formset's numbering stays whole.
        if (del) { del.checked = true; }
        row.hidden = true;
        status.textContent = "";
        button.focus();
      });
      if (del) {
        var cell = del.closest("td");
        cell.querySelector(".form-check").hidden = true;
        cell.appendChild(remove);
      } else { row.appendChild(remove); }
      box.querySelector("tbody").appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      status.textContent = ADDED + (index + 1);
    });
  });
})();

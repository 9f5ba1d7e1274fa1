// Review page: the common-comment chips fill the decision field (the bar's one text field).
(function () {
  "use strict";
  document.querySelectorAll(".decide-bar, .preview-decide").forEach(function (form) {
    var field = form.querySelector("textarea");
    if (!field) return;
    form.querySelectorAll(".chip[data-fill]").forEach(function (chip) {
      chip.addEventListener("click", function () {
        field.value = chip.getAttribute("data-fill");
        form.querySelectorAll(".chip").forEach(function (c) { c.setAttribute("aria-pressed", String(c === chip)); });
        field.focus();
      });
      chip.setAttribute("aria-pressed", "false");
    });
  });
})();

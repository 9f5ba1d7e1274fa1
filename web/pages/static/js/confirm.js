/* Ask before a destructive submit: a form or button with data-confirm="question" (no inline handlers, so
   the Content-Security-Policy can forbid inline script). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();

// Top menu: collapsed behind a disclosure button on small screens (without JavaScript it stays open).
(function () {
  "use strict";
  var bar = document.querySelector(".topbar");
  var button = bar && bar.querySelector(".nav-toggle");
  if (!button) return;
  bar.classList.add("nav-collapsible");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = bar.classList.toggle("nav-open");
    button.setAttribute("aria-expanded", String(open));
  });
})();

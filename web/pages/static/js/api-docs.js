/* Starts the vendored Swagger UI on /api/docs (no inline script, so the page passes script-src 'self').

   After each render: Swagger UI puts its deep-link <a href="#/tag/op"> inside the operation's
   <button class="opblock-summary-control">, a link nested in a button (axe: nested-interactive; a
   keyboard user meets two tab stops for one control). The link's href is dropped, so only the button
   is focusable; deep linking still works (the library keeps the address bar in step itself).
   The request body's textarea, shown by "Try it out", gets a name. */
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") { return; }

  function afterRender() {
    var links = node.querySelectorAll(".opblock-summary-control a[href]");
    for (var i = 0; i < links.length; i++) { links[i].removeAttribute("href"); }
    // "Try it out" shows the request body in a textarea without a label
    var bodies = node.querySelectorAll("textarea.body-param__text:not([aria-label])");
    for (var j = 0; j < bodies.length; j++) { bodies[j].setAttribute("aria-label", "请求体（JSON）"); }
  }

  SwaggerUIBundle({
    url: node.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset].filter(Boolean)
  });
  afterRender();
  new MutationObserver(afterRender).observe(node, {childList: true, subtree: true});
})();

/* 微信绑定: ask the web app (session cookie + CSRF header, no bearer token) for a one-time code and show it. */
(function () {
  "use strict";
  var button = document.getElementById("get-code");
  var out = document.getElementById("binding-result");
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch("/me/binding/code", { method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": button.getAttribute("data-csrf"), "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.message || "获取失败"); } return b; }); })
      .then(function (b) {
        var when = new Date(b.expires_at);
        out.textContent = "";
        out.className = "";
        var code = document.createElement("strong");
        code.id = "binding-code";
        code.className = "binding-code";
        code.textContent = b.code;
        out.appendChild(code);
        out.appendChild(document.createTextNode("　有效期至 " + when.toLocaleTimeString("zh-CN")));
      })
      .catch(function (e) { out.textContent = e.message; out.className = "error"; })
      .finally(function () { button.disabled = false; });
  });
})();

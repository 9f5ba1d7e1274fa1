/* 微信绑定: ask the bot's API for a one-time code and show it. */
(function () {
  "use strict";
  var button = document.getElementById("get-code");
  var out = document.getElementById("binding-result");
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch("/api/v1/me/binding-code", { method: "POST", credentials: "same-origin",
      headers: { "Authorization": "Bearer " + button.getAttribute("data-token"), "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.message || "获取失败"); } return b; }); })
      .then(function (b) {
        var when = new Date(b.expires_at);
        out.innerHTML = "";
        var code = document.createElement("strong");
        code.id = "binding-code";
        code.style.fontSize = "28px";
        code.style.letterSpacing = "4px";
        code.textContent = b.code;
        out.appendChild(code);
        out.appendChild(document.createTextNode("　有效期至 " + when.toLocaleTimeString("zh-CN")));
      })
      .catch(function (e) { out.textContent = e.message; out.className = "error"; })
      .finally(function () { button.disabled = false; });
  });
})();

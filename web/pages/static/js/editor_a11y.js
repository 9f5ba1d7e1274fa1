/* Accessible names for wangEditor's controls (WCAG 4.1.2, issue #21).
 *
 * wangEditor 5 draws its toolbar as icon-only <button>s whose only name is a CSS tooltip
 * (data-tooltip, e.g. "粗体\nctrl+b"), which screen readers never hear, and gives its writing area
 * role="textarea", which is not an ARIA role. This names each button from its tooltip (first line; the
 * shortcut becomes aria-keyshortcuts) and makes the writing area a labelled multi-line textbox. It
 * runs after the editor exists and again whenever wangEditor adds controls (menus it builds lazily).
 */
(function () {
  "use strict";
  var GROUPS = {
    "group-more-style": "更多文字样式", "group-justify": "对齐方式", "group-indent": "缩进",
    "group-image": "图片", "group-video": "视频"
  };
  var KEYS = { ctrl: "Control", cmd: "Meta", shift: "Shift", alt: "Alt", opt: "Alt" };

  function keyshortcuts(text) {
    return text.trim().split("+").map(function (k) {
      var key = k.trim().toLowerCase();
      return KEYS[key] || (key.length === 1 ? key.toUpperCase() : k.trim());
    }).join("+");
  }

  function nameButton(button) {
    if (button.hasAttribute("aria-label") || button.textContent.trim()) { return; }
    var tip = button.getAttribute("data-tooltip") || button.getAttribute("title") || "";
    var lines = tip.split("\n");
    var name = lines[0].trim() || GROUPS[button.getAttribute("data-menu-key")] || "更多选项";
    button.setAttribute("aria-label", name);
    if (lines.length > 1 && lines[1].trim()) { button.setAttribute("aria-keyshortcuts", keyshortcuts(lines[1])); }
  }

  function nameTextArea(area) {
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (!area.hasAttribute("aria-label")) { area.setAttribute("aria-label", "正文"); }
  }

  // wangEditor greys a control out with a "disabled" class only (e.g. the heading and font selects
  // while the writing area has no selection): say so to assistive technology too.
  // Writes only what changed: wangEditor's own observers react to any mutation of the toolbar.
  function syncDisabled(button) {
    var off = button.classList.contains("disabled");
    if (off && button.getAttribute("aria-disabled") !== "true") { button.setAttribute("aria-disabled", "true"); }
    else if (!off && button.hasAttribute("aria-disabled")) { button.removeAttribute("aria-disabled"); }
  }

  function apply(root) {
    root.querySelectorAll("button").forEach(function (b) { nameButton(b); syncDisabled(b); });
    root.querySelectorAll('[role="textarea"]').forEach(nameTextArea);
  }

  ["editor-toolbar", "editor-text"].forEach(function (id) {
    var root = document.getElementById(id);
    if (!root) { return; }
    apply(root);
    new MutationObserver(function () { apply(root); }).observe(
      root, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  });
})();

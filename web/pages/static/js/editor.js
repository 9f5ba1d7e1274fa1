/* The item editor: wangEditor with Word paste that keeps bold where it was, .docx import, 公文排版,
   and nothing lost: autosave to this browser with a restore prompt, a leave warning, saving with
   fetch so an error or an expired session keeps the text on the page. */
(function () {
  "use strict";
  var DRAFT_VERSION = 1;
  var storage = (function () {
    try { var k = "gongkai:probe"; localStorage.setItem(k, "1"); localStorage.removeItem(k); return localStorage; }
    catch (e) { return null; }
  })();
  function readDraft(key) {
    if (!storage || !key) { return null; }
    try {
      var d = JSON.parse(storage.getItem(key) || "null");
      return d && d.v === DRAFT_VERSION ? d : null;
    } catch (e) { return null; }
  }
  function dropDraft(key) { if (storage && key) { storage.removeItem(key); } }

  // A read-only item: only tell the drafter that this browser still holds unsaved edits of it.
  var readonlyView = document.getElementById("readonly-view");
  if (readonlyView) {
    if (readDraft(readonlyView.getAttribute("data-draft-key"))) {
      document.getElementById("readonly-draft").hidden = false;
    }
    return;
  }

  var form = document.getElementById("item-form");
  if (!form || !window.wangEditor) { return; }
  var W = window.wangEditor;
  var KEY = form.getAttribute("data-draft-key");
  var IS_NEW = /\/items\/new$/.test(new URL(form.action, window.location.href).pathname);
  var hidden = document.getElementById("body_html");
  var status = document.getElementById("upload-status");
  var saveStatus = document.getElementById("save-status");
  var alertBox = document.getElementById("editor-alert");
  var DOCX_MAX = Number(document.getElementById("docx-file").getAttribute("data-max-bytes"));
  var INLINE = /^(SPAN|B|STRONG|I|EM|U|S|STRIKE|SUB|SUP|FONT|CODE|MARK|SMALL|BIG|INS|DEL)$/;
  var FONT_ALIASES = { "仿宋_gb2312": "仿宋", "fangsong": "仿宋", "fangsong_gb2312": "仿宋",
                       "楷体_gb2312": "楷体", "kaiti": "楷体", "kaiti_gb2312": "楷体", "simsun": "宋体",
                       "simhei": "黑体" };
  var saving = false;

  function csrfToken() { return document.querySelector('meta[name="csrf-token"]').getAttribute("content"); }
  function say(text, isError) { status.textContent = text; status.className = isError ? "error" : "muted"; }
  function showAlert(nodes) {
    alertBox.textContent = "";
    if (!nodes) { alertBox.hidden = true; return; }
    (Array.isArray(nodes) ? nodes : [nodes]).forEach(function (n) {
      alertBox.appendChild(typeof n === "string" ? document.createTextNode(n) : n);
    });
    alertBox.hidden = false;
    alertBox.scrollIntoView({ block: "nearest" });
  }

  /* wangEditor marks a whole <span> bold when any element inside it is <b>/<strong> (its style
     parser searches descendants). Split every inline element so each piece wraps one run of text:
     <span f>为切实做好<b>冬季</b>工作</span> → <span f>为切实做好</span><span f><b>冬季</b></span><span f>工作</span>. */
  function splitRuns(node) {
    if (node.nodeType !== 1) { return [node]; }
    if (!INLINE.test(node.nodeName)) { flattenChildren(node); return [node]; }
    var runs = [];
    Array.prototype.slice.call(node.childNodes).forEach(function (child) {
      splitRuns(child).forEach(function (run) {
        if (run.nodeType === 1 && !INLINE.test(run.nodeName)) { runs.push(run); return; } // <br>, <img>
        if (run.nodeType === 3 && !run.nodeValue) { return; }
        var piece = node.cloneNode(false);
        piece.appendChild(run);
        runs.push(piece);
      });
    });
    return runs;
  }
  function flattenChildren(parent) {
    Array.prototype.slice.call(parent.childNodes).forEach(function (child) {
      if (child.nodeType !== 1) { return; }
      var runs = splitRuns(child);
      if (runs.length === 1 && runs[0] === child) { return; }
      runs.forEach(function (run) { parent.insertBefore(run, child); });
      parent.removeChild(child);
    });
  }
  function fontName(value) {
    var first = (value || "").split(",")[0].replace(/["']/g, "").trim();
    return FONT_ALIASES[first.toLowerCase()] || first;
  }
  /* Word's clipboard: conditional comments, <o:p>, <style>; fonts named 仿宋_GB2312 and the like. */
  function cleanHtml(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT);
    var comments = [];
    while (walker.nextNode()) { comments.push(walker.currentNode); }
    comments.forEach(function (c) { c.parentNode.removeChild(c); });
    doc.body.querySelectorAll("style,script,meta,link,xml").forEach(function (e) { e.remove(); });
    doc.body.querySelectorAll("*").forEach(function (e) {
      if (e.nodeName.indexOf(":") > 0) { e.replaceWith.apply(e, Array.prototype.slice.call(e.childNodes)); return; }
      if (e.style && e.style.fontFamily) { e.style.fontFamily = fontName(e.style.fontFamily); }
    });
    flattenChildren(doc.body);
    return doc.body.innerHTML;
  }
  window.gongkaiCleanHtml = cleanHtml; // for the browser test and the console

  function upload(url, file) {
    var data = new FormData();
    data.append("csrf_token", csrfToken());
    data.append("file", file);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" } })
      .then(function (r) {
        if (r.redirected && new URL(r.url).pathname === "/login") { throw new Error("登录已过期，请在新窗口登录后重试"); }
        return r.json().catch(function () { return { message: "上传失败（" + r.status + "）" }; })
          .then(function (body) { if (!r.ok) { throw new Error(body.message || "上传失败"); } return body; });
      });
  }

  var editor = W.createEditor({
    selector: "#editor-text",
    html: hidden.value ? cleanHtml(hidden.value) : "<p><br></p>",
    mode: "default",
    config: {
      placeholder: "请输入正文，或从 Word 粘贴、导入 .docx……",
      onChange: function (ed) { hidden.value = ed.isEmpty() ? "" : ed.getHtml(); changed(); },
      customPaste: function (ed, event) {
        var html = event.clipboardData && event.clipboardData.getData("text/html");
        if (!html) { return true; }
        event.preventDefault();
        ed.dangerouslyInsertHtml(cleanHtml(html));
        return false;
      },
      MENU_CONF: {
        fontFamily: { fontFamilyList: ["仿宋", "楷体", "黑体", "宋体", "方正小标宋简体", "微软雅黑", "华文仿宋",
                                       "华文楷体", "Arial", "Times New Roman"] },
        uploadImage: {
          customUpload: function (file, insertFn) {
            if (!/\.(jpe?g|png)$/i.test(file.name)) { say("只能上传 jpg 或 png 格式的图片", true); return; }
            say("正在上传图片……");
            upload("/items/upload-image", file)
              .then(function (body) { insertFn(body.url, body.alt, ""); say("图片已插入"); })
              .catch(function (e) { say(e.message, true); });
          }
        }
      }
    }
  });
  W.createToolbar({ editor: editor, selector: "#editor-toolbar", mode: "default",
                    config: { excludeKeys: ["group-video", "insertVideo", "uploadVideo", "fullScreen"] } });
  window.gongkaiEditor = editor;
  // A click in the blank part of the writing area (below the last paragraph) focuses it without a cursor, and
  // typing or pasting there would go nowhere: put the cursor at the end, as a word processor does.
  document.getElementById("editor-text").addEventListener("mouseup", function () {
    if (!editor.selection) { editor.focus(true); }
  });

  /* ---- the state of the form, autosave and restore ---- */
  var SKIP = { csrf_token: 1, nonce: 1, intent: 1, base_revision: 1 };
  function snapshot() {
    hidden.value = editor.isEmpty() ? "" : editor.getHtml();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  var initial = snapshot();
  var timer = null;
  var pendingRestore = false; // an older draft is offered: keep it stored until the drafter decides
  function isDirty() { return !same(snapshot(), initial); }
  function storeNow() {
    timer = null;
    if (!storage || !KEY) { return; }
    var fields = snapshot();
    if (same(fields, initial)) { if (!pendingRestore) { storage.removeItem(KEY); } return; }
    try { storage.setItem(KEY, JSON.stringify({ v: DRAFT_VERSION, at: Date.now(), fields: fields })); }
    catch (e) { /* storage full: the leave warning still protects the page */ }
  }
  function changed() {
    if (saving) { return; }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(storeNow, 600);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  function apply(fields) {
    var values = {};
    fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      var v = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = v.indexOf(el.value) >= 0; }
      else if (el.name !== "body_html") { el.value = v.length ? v[0] : ""; }
    });
    var body = (values.body_html || [""])[0];
    editor.setHtml(body ? cleanHtml(body) : "<p><br></p>");
    hidden.value = body;
  }

  var saved = readDraft(KEY);
  var restoreBox = document.getElementById("draft-restore");
  if (saved && !same(saved.fields, initial)) {
    var when = new Date(saved.at);
    document.getElementById("draft-restore-text").textContent =
      "本浏览器中有此稿件尚未保存的内容（" + when.toLocaleString("zh-CN") + "）。";
    restoreBox.hidden = false;
    pendingRestore = true;
    document.getElementById("draft-restore-btn").addEventListener("click", function () {
      pendingRestore = false;
      apply(saved.fields);
      restoreBox.hidden = true;
      saveStatus.textContent = "已恢复未保存的内容，请检查后保存。";
    });
    document.getElementById("draft-discard-btn").addEventListener("click", function () {
      pendingRestore = false;
      dropDraft(KEY);
      restoreBox.hidden = true;
    });
  } else if (saved) {
    dropDraft(KEY);
  }

  window.addEventListener("beforeunload", function (event) {
    if (saving || !isDirty()) { return; }
    storeNow();
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("pageshow", function (event) {
    // Back after submitting may show this page from the browser's cache: reload to see the item's state.
    if (event.persisted && (saving || !isDirty())) { window.location.reload(); }
  });

  /* ---- saving with fetch: errors and an expired session keep everything on the page ---- */
  function fieldErrors(errors) {
    form.querySelectorAll(".field-error.js-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[data-field].has-error").forEach(function (e) { e.classList.remove("has-error"); });
    Object.keys(errors || {}).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) { return; }
      box.classList.add("has-error");
      var span = document.createElement("span");
      span.className = "field-error js-error";
      span.id = "error-" + name;
      span.textContent = errors[name];
      box.appendChild(span);
    });
  }
  function loginLink() {
    var a = document.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(window.location.pathname);
    a.target = "_blank";
    a.rel = "noopener";
    a.id = "login-again";
    a.textContent = "在新窗口中登录";
    return a;
  }
  function refreshCsrf() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var m = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
        if (!m) { throw new Error("no token"); }
        document.querySelector('meta[name="csrf-token"]').setAttribute("content", m[1]);
        form.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = m[1]; });
      });
  }
  function post(intent, retried) {
    var data = new FormData(form);
    data.set("intent", intent);
    data.set("body_html", editor.isEmpty() ? "" : editor.getHtml());
    data.set("csrf_token", csrfToken());
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                headers: { "X-Editor-Fetch": "1", "Accept": "application/json",
                                           "X-CSRF-Token": csrfToken() } })
      .then(function (r) {
        if (r.redirected && new URL(r.url).pathname === "/login") { return { expired: true }; }
        return r.json().then(function (body) { body.status = r.status; return body; },
                             function () { return { ok: false, status: r.status, message: "保存失败（" + r.status + "）" }; });
      })
      .then(function (body) {
        if (body.code === "csrf_failed" && !retried) {
          return refreshCsrf().then(function () { return post(intent, true); },
                                    function () { return { expired: true }; });
        }
        return body;
      });
  }
  var buttons = form.querySelectorAll('button[type="submit"]');
  function busy(on) { buttons.forEach(function (b) { b.disabled = on; }); }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (saving) { return; }
    var intent = (event.submitter && event.submitter.value) || "save";
    storeNow();
    busy(true);
    saveStatus.textContent = "正在保存……";
    post(intent, false).then(function (body) {
      if (body.expired) {
        showAlert(["登录已过期，内容没有保存，但仍保留在本页和本浏览器中。请", loginLink(),
                   "，登录后回到本页再次点击“保存”。"]);
        saveStatus.textContent = "";
        return;
      }
      if (body.ok || body.location) {
        saving = true;
        dropDraft(KEY);
        // The first save of a new item replaces the /items/new entry: Back must never return to a blank
        // form of an item that now exists (its 保存草稿 would make a second item).
        if (IS_NEW) { window.location.replace(body.location); } else { window.location.href = body.location; }
        return;
      }
      fieldErrors(body.errors);
      showAlert((body.message || "保存失败") + "（内容仍保留在本页，修改后可再次保存）");
      saveStatus.textContent = "";
    }).catch(function () {
      showAlert("网络连接失败，内容没有保存，已暂存在本浏览器中；请检查网络后再次保存。");
      saveStatus.textContent = "";
    }).then(function () { if (!saving) { busy(false); } });
  });

  /* ---- .docx import ---- */
  document.getElementById("docx-file").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    ev.target.value = "";
    if (!file) { return; }
    if (!/\.docx$/i.test(file.name)) { say("只能导入 .docx 格式的 Word 文档", true); return; }
    if (file.size > DOCX_MAX) { say("文件过大：Word 文档不能超过 " + Math.round(DOCX_MAX / 1048576) + " MB", true); return; }
    say("正在导入 " + file.name + "……");
    upload("/items/import-docx", file)
      .then(function (body) {
        var html = cleanHtml(body.html);
        if (editor.isEmpty()) { editor.setHtml(html); } else { editor.dangerouslyInsertHtml(html); }
        hidden.value = editor.getHtml();
        changed();
        say("已导入 " + file.name + (body.skipped_images ? "（" + body.skipped_images + " 张非 jpg/png 图片未导入）" : ""));
      })
      .catch(function (e) { say(e.message, true); });
  });

  /* ---- 公文排版: headings centred, body in 仿宋 with a first-line indent of two characters ---- */
  document.getElementById("gongwen-btn").addEventListener("click", function () {
    var doc = new DOMParser().parseFromString(editor.getHtml(), "text/html");
    doc.body.querySelectorAll("h1,h2,h3").forEach(function (h) { h.style.textAlign = "center"; });
    doc.body.querySelectorAll("p").forEach(function (p) {
      if (p.closest("table") || !p.textContent.trim()) { return; }
      if (!p.style.textAlign || p.style.textAlign === "left" || p.style.textAlign === "justify") {
        p.style.textIndent = "2em";
      }
      var span = doc.createElement("span");
      span.style.fontFamily = "仿宋";
      while (p.firstChild) { span.appendChild(p.firstChild); }
      span.querySelectorAll("[style]").forEach(function (e) { e.style.fontFamily = ""; });
      p.appendChild(span);
    });
    editor.setHtml(cleanHtml(doc.body.innerHTML));
    hidden.value = editor.getHtml();
    changed();
    say("已按公文格式排版：标题居中，正文仿宋、首行缩进 2 字");
  });
})();

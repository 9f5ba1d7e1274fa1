/* The item editor: wangEditor (keeps Word formatting on paste), .docx import, image upload. */
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  var hidden = document.getElementById("body_html");
  var status = document.getElementById("upload-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var DOCX_MAX = 1024 * 1024;
  var IMAGE_MAX = 1024 * 1024;
  var W = window.wangEditor;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "muted";
  }

  function upload(url, file) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    data.append("file", file);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return { message: "上传失败（" + r.status + "）" }; })
          .then(function (body) { if (!r.ok) { throw new Error(body.message || "上传失败"); } return body; });
      });
  }

  var editor = W.createEditor({
    selector: "#editor-text",
    html: hidden.value || "<p><br></p>",
    mode: "default",
    config: {
      placeholder: "请输入正文，或从 Word 粘贴、导入 .docx……",
      onChange: function (ed) { hidden.value = ed.getHtml(); },
      MENU_CONF: {
        uploadImage: {
          customUpload: function (file, insertFn) {
            if (!/\.(jpe?g|png)$/i.test(file.name)) { say("只能上传 jpg 或 png 格式的图片", true); return; }
            if (file.size >= IMAGE_MAX) { say("图片过大：公众号图片须小于 1 MB，请压缩后再上传", true); return; }
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

  document.getElementById("docx-file").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    ev.target.value = "";
    if (!file) { return; }
    if (!/\.docx$/i.test(file.name)) { say("只能导入 .docx 格式的 Word 文档", true); return; }
    if (file.size > DOCX_MAX) { say("文件过大：Word 文档不能超过 1 MB", true); return; }
    say("正在导入 " + file.name + "……");
    upload("/items/import-docx", file)
      .then(function (body) {
        if (editor.isEmpty()) { editor.setHtml(body.html); } else { editor.dangerouslyInsertHtml(body.html); }
        hidden.value = editor.getHtml();
        say("已导入 " + file.name);
      })
      .catch(function (e) { say(e.message, true); });
  });

  form.addEventListener("submit", function () {
    hidden.value = editor.isEmpty() ? "" : editor.getHtml();
  });
})();

/* The editor's 封面图与附件 section and image uploads into the file store.
 *
 * Uploads are fetch() calls that answer JSON ({url, name, size, mime} or {code, message}); they never
 * submit or reload the page, so unsaved body edits stay. The section keeps two hidden inputs of
 * #item-form current — cover_image (a URL) and attachments (a JSON list of {name, url, size, mime}) —
 * and the normal 保存草稿 posts them. Refusals are shown beside the field they belong to.
 *
 * Phone photos are shrunk in the browser before upload (canvas: long side ≤ 1920 px, JPEG < 1 MB), so
 * they meet the official account's limit; the server accepts larger images and the mp channel shrinks
 * those itself. Body images (wangEditor's image menu and pasted image files) use the same upload, and
 * are inserted at the end of the body when there is no cursor in it.
 */
(function () {
  "use strict";
  var section = document.getElementById("media");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var LONG_SIDE = 1920;
  var TARGET_BYTES = 1000 * 1024;  // below WeChat's 1 MB for article images
  /* The limits are the server's settings (GONGKAI_IMAGE_MAX_BYTES, GONGKAI_ATTACHMENT_MAX_BYTES), written
     by the editor page into data- attributes; without them the server alone decides. */
  function limit(name) {
    var n = section ? Number(section.dataset[name]) : NaN;
    return n > 0 ? n : Infinity;
  }
  var imageMax = limit("imageMax");
  var attachmentMax = limit("attachmentMax");
  var attachmentTypes = section && section.dataset.attachmentTypes ? section.dataset.attachmentTypes.split(",") : [];

  /* 10 MB, 1.5 MB, 500 KB: as the server writes them (web/pages/editor.py size_text). */
  function mb(n) {
    var big = n >= 1024 * 1024;
    var value = n / (big ? 1024 * 1024 : 1024);
    return String(Math.round(value * 10) / 10) + (big ? " MB" : " KB");
  }

  function post(url, file, name) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    data.append("file", file, name || file.name);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
      .then(function (r) {
        var loggedOut = r.redirected && /\/login/.test(r.url);
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (loggedOut) { throw new Error("登录已过期，请在新标签页重新登录后再上传（本页内容不会丢失）"); }
          if (!r.ok) {
            if (r.status === 413 && !body.message) { throw new Error("文件过大，无法上传"); }
            throw new Error(body.message || ("上传失败（" + r.status + "）"));
          }
          if (!body.url) { throw new Error("上传失败：服务器没有返回文件地址"); }
          return body;
        });
      }, function () { throw new Error("网络错误，上传失败，请稍后重试"); });
  }

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("无法读取该图片，请确认文件未损坏")); };
      img.src = url;
    });
  }

  /* A jpg/png that is small enough is sent as it is; anything larger is redrawn as a JPEG. */
  function shrinkImage(file) {
    if (!/^image\/(jpeg|png)$/.test(file.type) && !/\.(jpe?g|png)$/i.test(file.name)) {
      return Promise.reject(new Error("只能上传 jpg 或 png 格式的图片"));
    }
    return loadImage(file).then(function (img) {
      var w = img.naturalWidth, h = img.naturalHeight;
      if (file.size < TARGET_BYTES && Math.max(w, h) <= LONG_SIDE) { return file; }
      var scale = Math.min(1, LONG_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // transparent PNG areas become white, not black
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      var base = file.name.replace(/\.[^.]*$/, "") || "image";
      function attempt(quality) {
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); })
          .then(function (blob) {
            if (!blob) { throw new Error("无法压缩该图片"); }
            if (blob.size < TARGET_BYTES || quality <= 0.45) {
              return new File([blob], base + ".jpg", { type: "image/jpeg" });
            }
            return attempt(quality - 0.1);
          });
      }
      return attempt(0.85);
    });
  }

  function uploadImage(file) {
    return shrinkImage(file).then(function (small) {
      if (small.size > imageMax) { throw new Error("图片过大：不能超过 " + mb(imageMax)); }
      return post("/items/upload-image", small);
    });
  }

  function say(el, text, isError) {
    if (!el) { return; }
    el.textContent = text;
    el.className = "field-status" + (isError ? " error" : "");
  }

  function markDirty() {  // tells the editor's leave warning / autosave that the form changed
    var form = document.getElementById("item-form");
    if (form) { form.dispatchEvent(new Event("input", { bubbles: true })); }
  }

  /* ---- body images (wangEditor) ---------------------------------------------------------------- */
  function hookEditor(editor) {
    var W = window.wangEditor;
    var status = document.getElementById("upload-status");
    if (W && W.SlateEditor && W.SlateTransforms && !editor.selection) {
      try { W.SlateTransforms.select(editor, W.SlateEditor.end(editor, [])); } catch (e) { /* empty editor */ }
    }
    var config = editor.getMenuConfig("uploadImage");
    config.customUpload = function (file, insertFn) {
      say(status, "正在上传图片……");
      return uploadImage(file).then(function (body) {
        if (!editor.selection) { editor.focus(true); }  // no cursor in the body: insert at the end
        insertFn(body.url, body.alt || "", "");
        say(status, "图片已插入");
      }).catch(function (e) { say(status, e.message, true); });
    };
  }

  function whenEditor(tries) {
    if (window.gongkaiEditor) { hookEditor(window.gongkaiEditor); return; }
    if (tries > 0) { setTimeout(function () { whenEditor(tries - 1); }, 100); }
  }
  whenEditor(50);

  window.gongkaiMedia = { shrinkImage: shrinkImage, uploadImage: uploadImage };
  if (!section) { return; }

  /* ---- cover -------------------------------------------------------------------------------- */
  var coverInput = document.getElementById("cover_image");
  var coverBox = document.getElementById("cover-box");
  var coverStatus = document.getElementById("cover-status");
  var removeCover = document.getElementById("remove-cover");

  function showCover(url) {
    coverInput.value = url || "";
    coverBox.textContent = "";
    if (url) {
      var img = document.createElement("img");
      img.src = url; img.alt = "封面图"; img.id = "cover-preview"; img.className = "cover-preview";
      coverBox.appendChild(img);
    } else {
      var none = document.createElement("span");
      none.className = "muted"; none.id = "no-cover"; none.textContent = "尚未设置封面图。";
      coverBox.appendChild(none);
    }
    removeCover.hidden = !url;
  }

  document.getElementById("cover-file").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    ev.target.value = "";
    if (!file) { return; }
    say(coverStatus, "正在上传封面图……");
    uploadImage(file).then(function (body) {
      showCover(body.url);
      markDirty();
      say(coverStatus, "封面图已上传，保存稿件后生效");
    }).catch(function (e) { say(coverStatus, e.message, true); });
  });
  removeCover.addEventListener("click", function () {
    showCover("");
    markDirty();
    say(coverStatus, "已移除封面图，保存稿件后生效");
  });

  /* ---- attachments --------------------------------------------------------------------------- */
  var listInput = document.getElementById("attachments_json");
  var list = document.getElementById("attachment-list");
  var noneNote = document.getElementById("no-attachments");
  var attachStatus = document.getElementById("attachment-status");
  var entries;
  try { entries = JSON.parse(listInput.value || "[]"); } catch (e) { entries = []; }
  if (!Array.isArray(entries)) { entries = []; }

  function fileHref(a) {
    return /^\/files\//.test(a.url) ? a.url + "?name=" + encodeURIComponent(a.name || "") : a.url;
  }

  function render() {
    listInput.value = JSON.stringify(entries);
    list.textContent = "";
    entries.forEach(function (a, i) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = fileHref(a); link.textContent = a.name || a.url; link.target = "_blank";
      li.appendChild(link);
      if (a.size) { li.appendChild(document.createTextNode("（" + mb(a.size) + "）")); }
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "link"; remove.textContent = "删除";
      remove.setAttribute("aria-label", "删除附件 " + (a.name || ""));
      remove.addEventListener("click", function () {
        entries.splice(i, 1);
        render();
        markDirty();
        say(attachStatus, "已删除附件，保存稿件后生效");
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
    noneNote.hidden = entries.length > 0;
  }
  render();

  document.getElementById("attachment-file").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    ev.target.value = "";
    if (!file) { return; }
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    if (attachmentTypes.indexOf(ext) < 0) {
      say(attachStatus, "附件只能是 " + attachmentTypes.join("、") + " 格式", true); return;
    }
    if (file.size > attachmentMax) {
      say(attachStatus, "附件过大：每个附件不能超过 " + mb(attachmentMax) + "（当前 " + mb(file.size) + "）", true); return;
    }
    say(attachStatus, "正在上传 " + file.name + "……");
    post("/items/upload-attachment", file).then(function (body) {
      entries.push({ name: body.name || file.name, url: body.url, size: body.size, mime: body.mime });
      render();
      markDirty();
      say(attachStatus, "已上传 " + file.name + "，保存稿件后生效");
    }).catch(function (e) { say(attachStatus, e.message, true); });
  });
})();

/* The lobby screen (/screen/ORG): rotate the slides, keep the clock, and reload itself for new items.
 *
 * Reloading is done here rather than with <meta http-equiv="refresh"> (a timed refresh fails WCAG
 * 2.2.1 and, when the server is briefly unreachable, leaves the browser's error page on the wall):
 * the page is reloaded only after a probe shows the server answers; otherwise it keeps showing what it
 * has and tries again a minute later. Timings come from data attributes on <body>.
 */
(function () {
  "use strict";
  var body = document.body;
  var slideMs = (parseInt(body.getAttribute("data-slide-seconds"), 10) || 12) * 1000;
  var refreshMs = (parseInt(body.getAttribute("data-refresh-seconds"), 10) || 300) * 1000;
  var RETRY_MS = 60 * 1000;
  var slides = document.querySelectorAll(".slide"), dots = document.getElementById("dots"), i = 0;

  for (var k = 0; k < slides.length && slides.length > 1; k++) { dots.appendChild(document.createElement("span")); }
  function show(n) {
    slides.forEach(function (s, j) { s.classList.toggle("active", j === n); });
    dots.querySelectorAll("span").forEach(function (d, j) { d.classList.toggle("on", j === n); });
  }
  show(0);
  if (slides.length > 1) { setInterval(function () { i = (i + 1) % slides.length; show(i); }, slideMs); }

  var fmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "numeric",
    day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  function tick() {
    var v = {};
    fmt.formatToParts(new Date()).forEach(function (x) { v[x.type] = x.value; });
    document.getElementById("clock").textContent = v.year + "年" + v.month + "月" + v.day + "日 " + v.hour + ":" + v.minute;
  }
  tick();
  setInterval(tick, 15000);

  function retry() {
    body.setAttribute("data-refresh", "retry");  // shown to nobody; tells a test the next try is scheduled
    setTimeout(refresh, RETRY_MS);
  }
  function refresh() {
    fetch(window.location.href, { cache: "no-store", credentials: "omit" })
      .then(function (r) { if (r.ok) { window.location.reload(); } else { retry(); } })
      .catch(retry);
  }
  setTimeout(refresh, refreshMs);
})();

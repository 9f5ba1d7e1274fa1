/* Dashboard charts (ECharts). Data comes from a JSON script tag rendered by the server. */
(function () {
  "use strict";
  var node = document.getElementById("figures-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var red = "#b71c1c";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-month", {
    title: { text: "按月发布", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.by_month, itemStyle: { color: red } }]
  });
  chart("chart-topic", {
    title: { text: "按门户栏目", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.by_topic.length ? data.by_topic : [{ name: "暂无", value: 0 }] }]
  });
  chart("chart-channel", {
    title: { text: "按发布渠道", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.channels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.by_channel, itemStyle: { color: "#0b57d0" } }]
  });
})();

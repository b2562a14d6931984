// The dashboards' charts: ECharts (vendored) drawn from the page's json_script block "dashboard-data".
// Every chart is also a table on the page; this file only draws.
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("dashboard-data");
    if (!block || typeof window.echarts === "undefined") return;
    var data = JSON.parse(block.textContent);
    data.charts.forEach(function (chart) {
      var node = document.getElementById("chart-" + chart.id);
      if (!node || !chart.labels.length) return;
      var horizontal = chart.kind === "bar" && chart.labels.length > 8;
      var category = { type: "category", data: chart.labels, axisLabel: { interval: 0, fontSize: 11 } };
      var value = { type: "value" };
      var instance = window.echarts.init(node, null, { renderer: "canvas" });
      instance.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: horizontal ? 140 : 48, right: 24, top: 16, bottom: horizontal ? 24 : 48 },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
        series: [{ type: chart.kind, data: chart.values, name: chart.title, barMaxWidth: 40 }],
      });
      window.addEventListener("resize", function () { instance.resize(); });
    });
    var groups = document.getElementById("chart-groups");
    if (groups && data.groups.length) {
      var trend = window.echarts.init(groups, null, { renderer: "canvas" });
      trend.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 48, right: 24, top: 32, bottom: 32 },
        xAxis: { type: "category", data: data.groups[0].months },
        yAxis: { type: "value" },
        series: data.groups.map(function (g) { return { type: "line", name: g.name, data: g.values }; }),
      });
      window.addEventListener("resize", function () { trend.resize(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

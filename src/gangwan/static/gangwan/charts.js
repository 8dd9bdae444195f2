// Dashboard charts: each figure comes from the page's JSON (#gw-charts) and links to its list.
(function () {
  var el = document.getElementById("gw-charts");
  if (!el || !window.echarts) return;
  var charts = JSON.parse(el.textContent);
  var palette = ["#b71c1c", "#e65100", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#5d4037"];
  Object.keys(charts).forEach(function (key) {
    var node = document.getElementById("chart-" + key);
    if (!node) return;
    var c = charts[key];
    var chart = echarts.init(node, null, { renderer: "svg" });
    var labels = c.items.map(function (i) { return i.label; });
    var values = c.items.map(function (i) { return i.value; });
    var option;
    if (c.type === "pie") {
      option = {
        color: palette, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: c.items.map(function (i) { return { name: i.label, value: i.value }; }),
                   label: { formatter: "{b}\n{c}" } }]
      };
    } else {
      option = {
        color: palette, tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 20, bottom: 70 },
        xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: 30, fontSize: 11 } },
        yAxis: { type: "value", max: c.max || null },
        series: [{ type: "bar", data: values, itemStyle: { color: "#b71c1c" }, label: { show: true, position: "top" } }]
      };
    }
    chart.setOption(option);
    chart.on("click", function (p) { var item = c.items[p.dataIndex]; if (item && item.url) window.location.href = item.url; });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// Charts from data the page carries in <script type="application/json"> blocks (no inline
// scripts: the Content-Security-Policy allows none). Every chart also has a table view.
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var PALETTE = ["#b71c1c", "#52606d", "#9aa5b1", "#d9822b", "#2f6f9f", "#7b8794", "#c7a252"];
  // Users who ask their system for less motion get the charts without their animation.
  var REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function option(spec) {
    var base = {
      color: PALETTE,
      animation: !REDUCED_MOTION,
      // The tooltip is drawn on the canvas: ECharts' HTML tooltip writes style attributes,
      // which the Content-Security-Policy (style-src 'self') refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 36, bottom: spec.rotate ? 72 : 40, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      xAxis: {
        type: "category",
        data: spec.categories,
        // Long names (a rule's title) are cut short with "…"; the tooltip and the table
        // view give them whole.
        axisLabel: spec.label_width
          ? { rotate: spec.rotate || 0, interval: 0, width: spec.label_width, overflow: "truncate", ellipsis: "…" }
          : { rotate: spec.rotate || 0, interval: 0 },
      },
      // Counts are whole numbers: no axis tick at 0.2 of an organization.
      yAxis: { type: "value", max: spec.percent ? 100 : undefined, minInterval: spec.percent ? undefined : 1, axisLabel: { formatter: spec.percent ? "{value}%" : "{value}" } },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: spec.type === "line" ? "line" : "bar",
          stack: spec.stacked ? "total" : undefined,
          data: s.data,
          smooth: spec.type === "line",
          label: spec.labels ? { show: true, position: "top", formatter: spec.percent ? "{c}%" : "{c}" } : undefined,
        };
      }),
    };
    if (spec.codes) {
      // The category's whole name and its code (a rule's title and id), then the values.
      base.tooltip.formatter = function (params) {
        var points = Array.isArray(params) ? params : [params];
        var i = points[0].dataIndex;
        return [spec.categories[i] + "（" + spec.codes[i] + "）"].concat(points.map(function (p) {
          return p.seriesName + "：" + p.value;
        })).join("\n");
      };
    }
    return base;
  }

  function draw(el) {
    if (!window.echarts) { return; }
    var spec = readJSON(el.dataset.source);
    if (!spec) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    if (spec.links || spec.cell_links) {
      // `links`: one page per category; `cell_links`: one per series and category (a bar).
      chart.on("click", function (params) {
        var href = spec.cell_links
          ? (spec.cell_links[params.seriesIndex] || [])[params.dataIndex]
          : spec.links[params.dataIndex];
        if (href) { window.location.href = href; }
      });
      el.style.cursor = "pointer";
    }
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.drawn = "true";
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();

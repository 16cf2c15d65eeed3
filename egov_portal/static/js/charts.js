// The dashboards' charts (Chart.js, vendored in static/vendor/chartjs-*): every
// <canvas data-chart="ID"> is drawn from the JSON in <script type="application/json" id="ID">
// (Django's json_script, which is data, not code: a Content-Security-Policy that forbids
// inline scripts lets it through). reports/charts.py describes the JSON:
//   kind "hbar"    horizontal bars (the children's values, the ranking's index);
//   kind "line"    a trend, points marked when combined from former units, target dashed;
//   kind "grouped" one group of bars per indicator, one bar per unit (the comparison).
// Colours are Okabe–Ito (safe for colour-blind readers); every value is also written on its
// bar or point, so nothing is told by colour alone, on screen or on paper.
// Also: a [data-print] button prints the page (no inline onclick).
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var TARGET_COLOUR = "#D55E00";
  var TEXT_COLOUR = "#212529";
  var NOTE_COLOUR = "#595c5f";
  var BAR_HEIGHT = 26; // px per bar of a horizontal chart
  var lang = document.documentElement.lang || undefined;
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var drawn = [];

  function format(value, suffix) {
    if (value === null || value === undefined) {
      return "—";
    }
    return numbers.format(value) + (suffix || "");
  }

  // Writes each value at the end of its bar, or above its point.
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart, args, options) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = (options.small ? "10px" : "12px") + " system-ui, sans-serif";
      ctx.fillStyle = TEXT_COLOUR;
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden || dataset.isTarget) {
          return;
        }
        meta.data.forEach(function (element, j) {
          var value = dataset.data[j];
          if (value === null || value === undefined) {
            // A unit without a value says why, where its bar would start.
            var note = options.notes && options.notes[j];
            if (note && options.horizontal && chart.scales.x && chart.scales.y) {
              ctx.textAlign = "left";
              ctx.textBaseline = "middle";
              ctx.fillStyle = NOTE_COLOUR;
              ctx.fillText(note, chart.scales.x.left + 4, chart.scales.y.getPixelForValue(j));
              ctx.fillStyle = TEXT_COLOUR;
            }
            return;
          }
          var text = format(value, options.suffix);
          if (options.horizontal) {
            ctx.textAlign = "left";
            ctx.textBaseline = "middle";
            ctx.fillText(text, element.x + 4, element.y);
          } else {
            ctx.textAlign = "center";
            ctx.textBaseline = "bottom";
            ctx.fillText(text, element.x, element.y - 5);
          }
        });
      });
      ctx.restore();
    },
  };

  function valueAxis(spec) {
    return {
      beginAtZero: true,
      min: 0,
      max: spec.max || undefined,
      ticks: {
        callback: function (value) {
          return format(value, spec.suffix);
        },
      },
    };
  }

  function tooltipLabel(spec, horizontal) {
    return function (context) {
      var value = horizontal ? context.parsed.x : context.parsed.y;
      var text = context.dataset.label + ": " + format(value, spec.suffix);
      var marked = context.dataset.marked;
      if (marked && marked[context.dataIndex] && spec.marked_label) {
        text += " (" + spec.marked_label + ")";
      }
      return text;
    };
  }

  function hbar(spec) {
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, i) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: PALETTE[i % PALETTE.length],
            maxBarThickness: 20,
          };
        }),
      },
      options: {
        indexAxis: "y",
        scales: { x: valueAxis(spec), y: { ticks: { autoSkip: false } } },
        layout: { padding: { right: 52 } },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: tooltipLabel(spec, true) } },
          valueLabels: { suffix: spec.suffix, horizontal: true, notes: spec.notes || [] },
        },
      },
    };
  }

  function line(spec) {
    var datasets = spec.datasets.map(function (dataset, i) {
      var colour = PALETTE[i % PALETTE.length];
      var marked = dataset.marked || [];
      return {
        label: dataset.label,
        data: dataset.data,
        marked: marked,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
        pointStyle: dataset.data.map(function (value, j) {
          return marked[j] ? "triangle" : "circle";
        }),
        pointRadius: dataset.data.map(function (value, j) {
          return marked[j] ? 7 : 4;
        }),
      };
    });
    if (spec.target) {
      datasets.push({
        label: spec.target.label,
        data: spec.labels.map(function () {
          return spec.target.value;
        }),
        isTarget: true,
        borderColor: TARGET_COLOUR,
        backgroundColor: TARGET_COLOUR,
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        pointHitRadius: 0,
      });
    }
    return {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        scales: { y: valueAxis(spec) },
        layout: { padding: { top: 18 } },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: { callbacks: { label: tooltipLabel(spec, false) } },
          valueLabels: { suffix: spec.suffix },
        },
      },
    };
  }

  function grouped(spec) {
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, i) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: PALETTE[i % PALETTE.length],
            borderColor: TEXT_COLOUR,
            borderWidth: 1,
          };
        }),
      },
      options: {
        scales: { y: valueAxis(spec) },
        layout: { padding: { top: 18 } },
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) {
                var titles = spec.titles || [];
                return items.length ? titles[items[0].dataIndex] || items[0].label : "";
              },
              label: tooltipLabel(spec, false),
            },
          },
          valueLabels: { suffix: spec.suffix, small: true },
        },
      },
    };
  }

  var BUILDERS = { hbar: hbar, line: line, grouped: grouped };

  function draw(canvas, given) {
    var spec = given;
    if (!spec) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      try {
        spec = JSON.parse(source.textContent);
      } catch (error) {
        return;
      }
    }
    var build = BUILDERS[spec.kind];
    if (!build) {
      return;
    }
    var config = build(spec);
    config.plugins = [valueLabels];
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = false;
    if (spec.kind === "hbar" && canvas.parentElement) {
      // Room for every bar: the box grows with the number of units.
      canvas.parentElement.style.height = Math.max(160, spec.labels.length * BAR_HEIGHT + 60) + "px";
    }
    drawn.push(new window.Chart(canvas, config));
    canvas.dataset.drawn = "1";
  }

  // A <select data-trend-select="ID"> redraws the chart of canvas[data-chart=ID] with the
  // chosen indicator's spec, from the JSON object (code → spec) named by data-trend-all, and
  // shows that indicator's table in the text alternative (data-trend-alt).
  function redrawTrend(select) {
    var canvas = document.querySelector('canvas[data-chart="' + select.dataset.trendSelect + '"]');
    var all = document.getElementById(select.dataset.trendAll);
    if (!canvas || !all || typeof window.Chart === "undefined") {
      return;
    }
    var specs;
    try {
      specs = JSON.parse(all.textContent);
    } catch (error) {
      return;
    }
    var spec = specs[select.value];
    if (!spec) {
      return;
    }
    var old = window.Chart.getChart(canvas);
    if (old) {
      drawn = drawn.filter(function (chart) {
        return chart !== old;
      });
      old.destroy();
    }
    canvas.dataset.drawn = "0";
    draw(canvas, spec);
    canvas.dataset.indicator = select.value;
    var alt = document.getElementById(select.dataset.trendAlt);
    if (alt) {
      alt.querySelectorAll("[data-trend-table]").forEach(function (table) {
        table.hidden = table.dataset.trendTable !== select.value;
      });
    }
  }

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("[data-trend-select]");
    if (select) {
      redrawTrend(select);
    }
  });

  function drawAll() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    window.Chart.defaults.color = TEXT_COLOUR;
    window.Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      draw(canvas);
    });
  }

  // Paper is narrower than the screen: fit the charts to it, and back again.
  function resizeAll() {
    drawn.forEach(function (chart) {
      chart.resize();
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

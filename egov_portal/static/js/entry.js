/* Data entry: the percentage beside each ratio's numerator and denominator, updated as they
   are typed. The form works without it: the server computes the percentage on saving. */
(function () {
  "use strict";

  // The way officials type numbers, as indicators/validation.py parse_number reads them:
  // "150.000.000", "45,5", "1.234,5", "45.5" (docs/decisions/0018).
  function parse(text) {
    var cleaned = (text || "").replace(/[\s\u00a0\u202f]/g, "").replace(/%$/, "");
    if (!cleaned) {
      return null;
    }
    var comma = cleaned.lastIndexOf(",");
    var dot = cleaned.lastIndexOf(".");
    if (comma !== -1 && dot !== -1) {
      cleaned = comma > dot ? cleaned.replace(/\./g, "").replace(",", ".") : cleaned.replace(/,/g, "");
    } else if (comma !== -1) {
      cleaned = cleaned.replace(",", ".");
    } else if (/^[-+]?[1-9]\d{0,2}(\.\d{3})+$/.test(cleaned)) {
      cleaned = cleaned.replace(/\./g, "");
    }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) {
      return NaN;
    }
    return Number(cleaned);
  }

  var language = document.documentElement.lang || "vi";
  var format = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });

  function update(row, output, numerator, denominator) {
    var num = parse(numerator.value);
    var den = parse(denominator.value);
    if (num === null && den === null) {
      output.textContent = "";
      return;
    }
    if (num === null || den === null || isNaN(num) || isNaN(den) || den <= 0 || num < 0 ||
        num > den) {
      output.textContent = "—";
      return;
    }
    output.textContent = format.format((num * 100) / den) + "%";
  }

  document.querySelectorAll("[data-ratio]").forEach(function (row) {
    var output = row.querySelector("[data-ratio-output]");
    var numerator = row.querySelector("input[name$='-numerator']");
    var denominator = row.querySelector("input[name$='-denominator']");
    if (!output || !numerator || !denominator) {
      return;
    }
    var refresh = function () {
      update(row, output, numerator, denominator);
    };
    numerator.addEventListener("input", refresh);
    denominator.addEventListener("input", refresh);
    if (numerator.value || denominator.value) {
      refresh();
    }
  });
})();

/* Data entry: the percentage beside each ratio's numerator and denominator, updated as they
   are typed. The form works without it: the server computes the percentage on saving. */
(function () {
  "use strict";

  // The way officials type numbers, as indicators/validation.py reads them: "12,5" or "12.5".
  function parse(text) {
    var cleaned = (text || "").replace(/\s/g, "");
    if (!cleaned) {
      return null;
    }
    if (cleaned.indexOf(",") !== -1 && cleaned.indexOf(".") === -1) {
      cleaned = cleaned.replace(",", ".");
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

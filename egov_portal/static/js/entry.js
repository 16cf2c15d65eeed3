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

/* The form of a quarter's work (templates/entry/entry_form.html), docs/decisions/0018:
   - the pillar menu shows one pillar at a time (without JavaScript, all of them, and the
     menu's links jump to each);
   - saving as you go: each changed row is posted to the form's autosave address (the same
     service, checks and permissions as the Save button), which answers with the new version
     and fingerprints so that the Save button that follows is not a conflict. */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  var pillars = Array.prototype.slice.call(document.querySelectorAll("[data-pillar]"));
  if (!pillars.length) {
    return;
  }
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-pillar-link]"));
  var jump = document.querySelector("[data-pillar-jump]");
  var nav = document.querySelector(".entry-pillar-nav");
  // On a phone the bottom bar's select replaces the list (a read-only page has no bar).
  if (nav && jump) {
    nav.classList.add("entry-js");
  }
  if (jump) {
    jump.hidden = false;
  }

  function show(name, focus) {
    var found = false;
    pillars.forEach(function (fieldset) {
      var here = fieldset.getAttribute("data-pillar") === name;
      found = found || here;
      fieldset.hidden = !here;
    });
    if (!found) {
      return;
    }
    links.forEach(function (link) {
      var here = link.getAttribute("data-pillar-link") === name;
      if (link.classList.contains("list-group-item")) {
        link.classList.toggle("active", here);
      }
      if (here) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    if (jump) {
      jump.value = name;
    }
    if (focus) {
      var legend = document.querySelector("#pillar-" + name + " legend");
      var top = document.querySelector(".entry-layout") || legend;
      if (top) {
        top.scrollIntoView({ block: "start" });
      }
    }
  }

  function pillarOf(element) {
    var fieldset = element && element.closest ? element.closest("[data-pillar]") : null;
    return fieldset ? fieldset.getAttribute("data-pillar") : null;
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var name = link.getAttribute("data-pillar-link");
      show(name, true);
      var target = link.getAttribute("href") || "";
      if (target.indexOf("#indicator-") === 0) {
        var row = document.getElementById(target.slice(1));
        if (row) {
          row.scrollIntoView({ block: "center" });
          var input = row.querySelector("input:not([type=hidden]), select");
          if (input) {
            input.focus({ preventScroll: true });
          }
        }
      }
    });
  });
  if (jump) {
    jump.addEventListener("change", function () {
      show(jump.value, true);
    });
  }
  pillars.forEach(function (fieldset, index) {
    var next = fieldset.querySelector("[data-next-pillar]");
    var wrapper = fieldset.querySelector("[data-next-wrapper]");
    if (!next || !pillars[index + 1]) {
      return;
    }
    wrapper.classList.remove("d-none");
    next.addEventListener("click", function () {
      show(pillars[index + 1].getAttribute("data-pillar"), true);
    });
  });

  // First: the pillar of the address's #indicator-… or #pillar-…, else of the first error,
  // else the first.
  var start = null;
  if (window.location.hash) {
    start = pillarOf(document.getElementById(window.location.hash.slice(1)));
  }
  start = start || pillarOf(document.querySelector(".is-invalid")) ||
    pillars[0].getAttribute("data-pillar");
  show(start, false);

  if (!form || !form.getAttribute("data-autosave-url")) {
    return;
  }

  // --- saving as you go -------------------------------------------------------------------
  var url = form.getAttribute("data-autosave-url");
  var status = form.querySelector("[data-autosave-status]");
  var versionInput = form.querySelector("input[name=version]");
  var dirty = {};
  var busy = false;
  var timer = null;
  var pendingSubmit = null;
  var leaving = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function leftText(n) {
    if (!status) {
      return String(n);
    }
    return n ? status.getAttribute("data-left-text").replace("%(n)s", n) :
      status.getAttribute("data-done-text");
  }

  function rowOf(element) {
    return element.closest ? element.closest(".entry-row[data-code]") : null;
  }

  function clearErrors(row) {
    row.querySelectorAll(".entry-autosave-error").forEach(function (node) {
      node.remove();
    });
    row.querySelectorAll(".is-invalid").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
  }

  function showErrors(row, code, errors) {
    Object.keys(errors).forEach(function (field) {
      var name = field === "numerator" || field === "denominator" || field === "value" ? field : "value";
      var input = row.querySelector("[name='" + code + "-" + name + "']") ||
        row.querySelector("[name='" + code + "-value']");
      if (!input) {
        return;
      }
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block entry-autosave-error";
      message.textContent = errors[field].join(" ");
      var group = input.closest(".input-group") || input;
      group.insertAdjacentElement("afterend", message);
    });
  }

  // Each row's data-quality flags as the server computed them after a save (a rule spans
  // several rows, so every row is redrawn); labels come from the form's data-flag-* texts.
  function updateFlags(flags) {
    Object.keys(flags || {}).forEach(function (code) {
      var row = document.getElementById("indicator-" + code);
      var box = row ? row.querySelector("[data-flags]") : null;
      if (!box) {
        return;
      }
      box.textContent = "";
      flags[code].forEach(function (flag) {
        var item = document.createElement("div");
        item.className = "alert py-1 px-2 small mb-1 mt-1 entry-flag " +
          (flag.severity === "error" ? "alert-danger" : "alert-warning");
        item.setAttribute("data-flag", flag.flag);
        var label = document.createElement("span");
        label.className = "fw-semibold";
        var kind = flag.flag === "outlier" ? "outlier" : flag.severity;
        label.textContent = (form.getAttribute("data-flag-" + kind) || "") + ":";
        item.appendChild(label);
        item.appendChild(document.createTextNode(" " + flag.message));
        box.appendChild(item);
      });
    });
  }

  function updateLeft(left) {
    Object.keys(left || {}).forEach(function (pillar) {
      document.querySelectorAll("[data-left='" + pillar + "']").forEach(function (badge) {
        badge.textContent = leftText(left[pillar]);
        badge.classList.toggle("text-bg-warning", left[pillar] > 0);
        badge.classList.toggle("text-bg-success", !left[pillar]);
      });
      if (jump) {
        var option = jump.querySelector("option[value='" + pillar + "']");
        var label = document.querySelector("[data-pillar-link='" + pillar + "'] span");
        if (option && label) {
          option.textContent = label.textContent + (left[pillar] ? " (" + leftText(left[pillar]) + ")" : "");
        }
      }
    });
  }

  function save() {
    timer = null;
    var codes = Object.keys(dirty);
    if (busy || leaving || !codes.length) {
      return;
    }
    busy = true;
    var sent = {};
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("version", versionInput.value);
    codes.forEach(function (code) {
      delete dirty[code];
      sent[code] = {};
      var row = document.getElementById("indicator-" + code);
      row.querySelectorAll("[name^='" + code + "-']").forEach(function (input) {
        data.append(input.name, input.value);
        sent[code][input.name] = input.value;
      });
    });
    say(status ? status.getAttribute("data-saving") : "");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        var body = answer.body;
        if (!answer.ok) {
          say(body.message || "");
          return;
        }
        versionInput.value = body.version;
        Object.keys(sent).forEach(function (code) {
          var row = document.getElementById("indicator-" + code);
          clearErrors(row);
          var opened = row.querySelector("[name='" + code + "-opened']");
          if (opened && body.opened[code] !== undefined) {
            opened.value = body.opened[code];
          }
          if (body.errors[code]) {
            showErrors(row, code, body.errors[code]);
            return;
          }
          var shown = body.shown[code] || {};
          Object.keys(shown).forEach(function (field) {
            var input = row.querySelector("input[name='" + code + "-" + field + "']");
            // Shown back as saved ("45,5"), unless typed in again meanwhile.
            if (input && input.value === sent[code][input.name] && document.activeElement !== input) {
              input.value = shown[field];
            }
          });
          row.toggleAttribute("data-filled", Boolean(body.opened[code]));
          row.classList.add("entry-saved");
          window.setTimeout(function () {
            row.classList.remove("entry-saved");
          }, 1200);
        });
        updateLeft(body.required_left);
        updateFlags(body.flags);
        say(body.message);
      })
      .catch(function () {
        Object.keys(sent).forEach(function (code) {
          dirty[code] = true;
        });
        say(status ? status.getAttribute("data-failed") : "");
      })
      .then(function () {
        busy = false;
        if (pendingSubmit) {
          var submitter = pendingSubmit;
          pendingSubmit = null;
          if (form.requestSubmit) {
            form.requestSubmit(submitter);
          } else {
            form.submit();
          }
          return;
        }
        if (Object.keys(dirty).length) {
          schedule();
        }
      });
  }

  function schedule() {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, 600);
  }

  form.addEventListener("change", function (event) {
    var row = rowOf(event.target);
    if (!row || !event.target.name) {
      return;
    }
    dirty[row.getAttribute("data-code")] = true;
    schedule();
  });

  // The Save and Submit buttons post the whole form, after any save under way (whose new
  // version they carry).
  form.addEventListener("submit", function (event) {
    if (busy) {
      event.preventDefault();
      pendingSubmit = event.submitter || null;
      return;
    }
    // The whole form goes now: nothing more is saved from this page.
    leaving = true;
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
  });
})();

// The comparison page's unit search (templates/reports/compare.html). Without JavaScript the
// form's "Tìm" lists the matches, each with a "Thêm" button. With it, suggestions appear as
// one types, from the API's /api/v1/units/?q=…&on=… (the same ranking as /units/), and a
// pick adds the unit as a chip (a hidden units=<id>) without leaving the page; a chip's ×
// removes it. The words shown come from the form's data- attributes (translated there).
(function () {
  "use strict";

  var form = document.querySelector("form[data-compare-form]");
  if (!form) {
    return;
  }
  var input = form.querySelector("[data-unit-search]");
  var day = form.querySelector("[data-unit-on]");
  var list = document.getElementById("compare-suggestions");
  var chips = form.querySelector("[data-chips]");
  var empty = form.querySelector("[data-chips-empty]");
  var status = form.querySelector("[data-compare-status]");
  var limit = parseInt(form.dataset.limit, 10) || 6;
  var SHOWN = 10;
  var timer = null;
  var asked = 0;
  var options = [];
  var active = -1;

  function say(text) {
    status.textContent = text;
  }

  function chosen() {
    return Array.prototype.map.call(chips.querySelectorAll('input[name="units"]'), function (i) {
      return i.value;
    });
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(n) {
    options.forEach(function (option, k) {
      option.el.classList.toggle("active", k === n);
      option.el.setAttribute("aria-selected", k === n ? "true" : "false");
    });
    active = n;
    if (n >= 0) {
      input.setAttribute("aria-activedescendant", options[n].el.id);
      options[n].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function text(tag, className, content) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    el.textContent = content;
    return el;
  }

  function render(units) {
    list.textContent = "";
    options = [];
    active = -1;
    if (!units.length) {
      list.appendChild(text("li", "list-group-item small text-body-secondary", form.dataset.noneMessage));
    }
    units.forEach(function (unit, n) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action";
      li.id = "compare-suggestion-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.unit = unit.id;
      li.appendChild(text("span", "", unit.name));
      var where = " " + unit.code + (unit.parent ? " · " + unit.parent.name : "");
      li.appendChild(text("span", "small text-body-secondary", where));
      // Keep the focus in the box: a click picks, it does not blur the search first.
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      li.addEventListener("click", function () {
        pick(unit);
      });
      list.appendChild(li);
      options.push({ el: li, unit: unit });
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    var params = new URLSearchParams({ q: q, page_size: String(SHOWN) });
    if (day && day.value) {
      params.set("on", day.value);
    }
    var mine = ++asked;
    fetch(form.dataset.api + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (mine === asked) {
          render(data.results || []);
        }
      })
      .catch(function () {
        if (mine === asked) {
          close();
          say(form.dataset.errorMessage);
        }
      });
  }

  function chip(unit) {
    var li = document.createElement("li");
    li.className = "compare-chip";
    li.dataset.chip = unit.id;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "units";
    hidden.value = unit.id;
    li.appendChild(hidden);
    var name = text("span", "", unit.name);
    if (unit.parent) {
      name.appendChild(text("span", "text-body-secondary small", " · " + unit.parent.name));
    }
    li.appendChild(name);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-sm";
    remove.setAttribute("data-chip-remove", "");
    remove.setAttribute("aria-label", form.dataset.removeLabel + " " + unit.name);
    li.appendChild(remove);
    return li;
  }

  function pick(unit) {
    var ids = chosen();
    if (ids.indexOf(String(unit.id)) !== -1) {
      close();
      input.value = "";
      return;
    }
    if (ids.length >= limit) {
      say(form.dataset.limitMessage);
      return;
    }
    chips.appendChild(chip(unit));
    empty.hidden = true;
    close();
    input.value = "";
    var matches = form.querySelector("[data-matches]");
    if (matches) {
      matches.remove(); // the server's list of an earlier search
    }
    say(form.dataset.addedMessage + ": " + unit.name + ".");
    input.focus();
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      highlight(Math.min(active + 1, options.length - 1));
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // picks the suggestion instead of submitting the search
      pick(options[active].unit);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });

  chips.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-chip-remove]");
    if (!remove) {
      return;
    }
    event.preventDefault(); // the link (without JavaScript) reloads the page without it
    var li = remove.closest("[data-chip]");
    var name = li.querySelector("span").firstChild.textContent;
    li.remove();
    empty.hidden = chosen().length > 0;
    say(form.dataset.removeLabel + ": " + name + ".");
    input.focus();
  });
})();

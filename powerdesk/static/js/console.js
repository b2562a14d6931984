/* PowerDesk console: small progressive enhancements. Every page also works without this file. */
(function () {
  "use strict";

  // Selects marked data-autosubmit submit their form on change (the language switch).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) {
      el.form.submit();
    }
  });

  // "Back" links (data-history-back) go back in the history; without this file they lead home. A script
  // file rather than a javascript: URL, which the Content-Security-Policy refuses.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // The triage suggestion's "accept" (data-triage-accept): business type, topic and sub-type of the intake
  // form take the suggested codes in one click (the type first: it filters the topics and sub-types).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-triage-accept]");
    if (!button) return;
    var form = button.closest("form");
    if (!form) return;
    [["business_type", "data-business-type"], ["topic", "data-topic"], ["sub_type", "data-sub-type"]].forEach(function (pair) {
      var field = form.elements[pair[0]];
      if (!field) return;
      field.value = button.getAttribute(pair[1]) || "";
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    button.setAttribute("aria-pressed", "true");
  });

  // Print buttons (data-print), e.g. the opinion box's QR code sheet.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // The intake form: show only the sub-types of the chosen business type (the server validates anyway).
  function filterSubTypes(typeSelect) {
    var target = document.getElementById(typeSelect.getAttribute("data-subtype-filter"));
    if (!target) return;
    var type = typeSelect.value;
    Array.prototype.forEach.call(target.options, function (option) {
      var optionType = option.getAttribute("data-type");
      var visible = !optionType || !type || optionType === type;
      option.hidden = !visible;
      option.disabled = !visible;
      if (!visible && option.selected) target.value = "";
    });
  }

  // … and only the topics that go with it (options list their types in data-types; none: every type).
  function filterTopics(typeSelect) {
    var target = document.getElementById(typeSelect.getAttribute("data-topic-filter"));
    if (!target) return;
    var type = typeSelect.value;
    Array.prototype.forEach.call(target.options, function (option) {
      var types = option.getAttribute("data-types");
      var visible = !types || !type || types.split(" ").indexOf(type) !== -1;
      option.hidden = !visible;
      option.disabled = !visible;
      if (!visible && option.selected) target.value = "";
    });
  }

  // Text areas with a length limit (maxlength) and data-countdown="…%(n)s…" show how many characters are
  // left beside them: the browser stops typing at the limit, and a long paste is cut without a word.
  function countDown(area) {
    var counter = document.createElement("div");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    var max = parseInt(area.getAttribute("maxlength"), 10);
    function update() {
      var left = max - area.value.length;
      counter.textContent = area.getAttribute("data-countdown").replace("%(n)s", String(Math.max(0, left)));
      counter.classList.toggle("over", left <= 0);
    }
    area.addEventListener("input", update);
    update();
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("textarea[data-countdown][maxlength]"), countDown);
    Array.prototype.forEach.call(root.querySelectorAll("select[data-subtype-filter]"), function (select) {
      filterSubTypes(select);
      select.addEventListener("change", function () { filterSubTypes(select); });
    });
    Array.prototype.forEach.call(root.querySelectorAll("select[data-topic-filter]"), function (select) {
      filterTopics(select);
      select.addEventListener("change", function () { filterTopics(select); });
    });
  }

  // Countdowns of time limits: every element with data-due="<ISO time>" shows the time left ("剩余 …") or
  // past ("已超时 …"), updated every second. The texts and the server's time come from #countdown-config, so
  // a PC whose clock is wrong still counts against the server's deadline. Colours: cd-ok → cd-warn once
  // data-warn has passed → cd-late at the deadline.
  var countdown = null;

  function readCountdownConfig() {
    var el = document.getElementById("countdown-config");
    if (!el) return null;
    try {
      var config = JSON.parse(el.textContent);
      config.offset = Date.parse(config.now) - Date.now();
      return isNaN(config.offset) ? null : config;
    } catch (e) {
      return null;
    }
  }

  function fill(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (whole, key) { return values[key]; });
  }

  // The same rule as duration_text in core/templatetags/console.py: the two largest units, rounded down.
  function duration(seconds, f) {
    var total = Math.max(0, Math.floor(seconds));
    var d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600);
    var m = Math.floor((total % 3600) / 60), s = total % 60;
    if (d) return h ? fill(f.dh, { d: d, h: h }) : fill(f.d, { d: d });
    if (h) return m ? fill(f.hm, { h: h, m: m }) : fill(f.h, { h: h });
    if (m) return fill(f.m, { m: m });
    return fill(f.s, { s: s });
  }

  function setTone(el, tone) {
    ["cd-due", "cd-ok", "cd-warn", "cd-late"].forEach(function (name) { el.classList.toggle(name, name === "cd-" + tone); });
  }

  function tick() {
    var now = Date.now() + countdown.offset;
    var f = countdown.formats;
    Array.prototype.forEach.call(document.querySelectorAll("[data-due]"), function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      var text;
      if (left > 0) {
        text = fill(f.left, { time: duration(Math.ceil(left), f) });
        var warn = Date.parse(el.getAttribute("data-warn") || "");
        if (!isNaN(warn) && now >= warn && el.classList.contains("cd-ok")) setTone(el, "warn");
      } else {
        text = fill(f.over, { time: duration(-left, f) });
        if (!el.classList.contains("cd-late")) setTone(el, "late");
      }
      if (el.textContent !== text) el.textContent = text;
    });
  }

  function startCountdowns() {
    countdown = readCountdownConfig();
    if (!countdown || !document.querySelector("[data-due]")) return;
    tick();
    window.setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    startCountdowns();
  });
})();

/* Type-ahead picker: turns <select data-picker="person|deputy|unit|auditor|owner" data-picker-url="…"> into an ARIA 1.2
 * combobox (a text box with a list box of matches fetched from the server). Without JavaScript the
 * select itself is the picker; its option labels already tell namesakes apart (title, workplace, e-mail).
 * The select stays in the form and carries the chosen value; data-picker-params (a query string) goes with every search,
 * and so does the chosen value of each form field named in data-picker-depends (e.g. the unit a delegate must work at). */
(function () {
  "use strict";

  var DELAY = 200;

  function text(select, name, fallback) {
    return select.getAttribute("data-text-" + name) || fallback;
  }

  function enhance(select) {
    var id = select.id;
    var field = select.closest(".field") || select.parentNode;
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    input.type = "text";
    input.className = "picker-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    ["aria-describedby", "aria-invalid", "required"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    list.id = id + "_listbox";
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    // The label and the error summary point at the text box from now on.
    select.id = id + "_select";
    input.id = id;
    select.hidden = true;
    select.tabIndex = -1;
    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.text : "";

    var wrap = document.createElement("div");
    wrap.className = "picker";
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    wrap.appendChild(select);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var result = results[index];
      if (!result) { return; }
      var value = String(result.value);
      var label = result.detail ? result.label + " – " + result.detail : result.label;
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!option) {
        option = new Option(label, value);
        select.add(option);
      }
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = label;
      close();
      status.textContent = text(select, "chosen", "Vald: %(label)s").replace("%(label)s", label);
    }

    function render() {
      list.textContent = "";
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        item.id = id + "_option_" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        name.className = "picker-name";
        name.textContent = result.label;
        item.appendChild(name);
        if (result.detail) {
          var detail = document.createElement("span");
          detail.className = "picker-detail";
          detail.textContent = " – " + result.detail;
          item.appendChild(detail);
        }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? text(select, "results", "%(n)s träffar.").replace("%(n)s", results.length)
        : text(select, "none", "Inga träffar.");
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (!q) { results = []; close(); select.value = ""; return; }
      var params = new URLSearchParams(select.getAttribute("data-picker-params") || "");
      params.set("kind", select.getAttribute("data-picker"));
      params.set("q", q);
      var roleField = document.getElementById(select.getAttribute("data-role-field") || "");
      if (roleField && roleField.value) { params.set("role", roleField.value); }
      (select.getAttribute("data-picker-depends") || "").split(" ").forEach(function (name) {
        var other = name && select.form ? select.form.elements.namedItem(name) : null;
        if (other && other.value) { params.set(name, other.value); }
      });
      var ticket = ++asked;
      fetch(select.getAttribute("data-picker-url") + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (ticket !== asked) { return; }
          results = data.results || [];
          render();
        })
        .catch(function () { results = []; render(); });
    }

    input.addEventListener("input", function () {
      select.value = "";  // a new search: nothing is chosen until a match is picked
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var count = results.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && count) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (count) { highlight((active + 1) % count); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) { highlight(active <= 0 ? count - 1 : active - 1); }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    if (select.form) {
      // "Avbryt" (static/js/inline-cancel.js) resets the form: show the select's choice again once it is reset.
      select.form.addEventListener("reset", function () {
        window.setTimeout(function () {
          var option = select.options[select.selectedIndex];
          input.value = option && option.value ? option.text : "";
          results = [];
          close();
        }, 0);
      });
    }
    field.classList.add("has-picker");
  }

  document.querySelectorAll("select[data-picker]").forEach(enhance);
})();

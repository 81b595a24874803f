/* Register forms, progressive enhancement (the forms work without it; the server validates everything):
 * - an assignment shows only the scope field of the chosen scope, and the staffing mandate only for
 *   an operations manager;
 * - a contract shows the läkarmedverkan section only for that contract type (hidden fields are disabled,
 *   so they are not sent);
 * - a long checkbox list ([data-filterable]) gets a search box and a count of what is shown and chosen. */
(function () {
  "use strict";

  function bind(control, update) {
    if (!control) { return; }
    control.addEventListener("change", update);
    update();
  }

  function showWhen(elements, visible) {
    elements.forEach(function (element) {
      var show = visible(element);
      element.hidden = !show;
      if (element.hasAttribute("data-for-kind")) {
        element.querySelectorAll("input, select, textarea").forEach(function (f) { f.disabled = !show; });
      }
    });
  }

  var scope = document.querySelector("select[name=scope]");
  var scopeFields = document.querySelectorAll("[data-scope-field]");
  bind(scope && scopeFields.length ? scope : null, function () {
    showWhen(scopeFields, function (el) { return !scope.value || el.getAttribute("data-scope-field") === scope.value; });
  });

  var role = document.getElementById("id_role");
  var roleOnly = document.querySelectorAll("[data-for-role]");
  bind(role && roleOnly.length ? role : null, function () {
    showWhen(roleOnly, function (el) { return el.getAttribute("data-for-role").split(" ").indexOf(role.value) >= 0; });
  });

  document.querySelectorAll("[data-for-kind]").forEach(function (section) {
    var kind = document.getElementById(section.getAttribute("data-kind-field"));
    bind(kind, function () {
      showWhen([section], function (el) { return el.getAttribute("data-for-kind") === kind.value; });
    });
  });

  document.querySelectorAll("[data-filterable]").forEach(function (box, n) {
    var items = Array.prototype.slice.call(box.querySelectorAll("label"));
    var id = "filter-" + n;
    var wrap = document.createElement("div");
    var label = document.createElement("label");
    var input = document.createElement("input");
    var status = document.createElement("p");
    wrap.className = "checkbox-filter";
    label.setAttribute("for", id);
    label.textContent = box.getAttribute("data-filter-label");
    input.type = "search";
    input.id = id;
    input.setAttribute("autocomplete", "off");
    status.className = "help";
    status.setAttribute("role", "status");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    box.parentNode.insertBefore(wrap, box);
    function update() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      var chosen = 0;
      items.forEach(function (item) {
        var check = item.querySelector("input");
        var match = !q || item.textContent.toLowerCase().indexOf(q) >= 0 || (check && check.checked);
        item.parentNode.hidden = !match;
        if (match) { shown += 1; }
        if (check && check.checked) { chosen += 1; }
      });
      status.textContent = box.getAttribute("data-filter-status")
        .replace("{shown}", shown).replace("{total}", items.length).replace("{chosen}", chosen);
    }
    input.addEventListener("input", update);
    box.addEventListener("change", update);
    update();
  });
})();

/* "Avbryt" on a form inline on a page (templates/includes/cancel.html): without JavaScript it is a link back to the
 * page at the form's section, which writes nothing. With it:
 * - on the page itself, only this form is put back as the page served it (what is typed in other forms stays), a
 *   disclosed form (<details>) is closed, focus goes to the form's heading and a status message says nothing was saved;
 * - after a refused post (errors shown, or another URL) it loads the page afresh and returns to the section. */
(function () {
  "use strict";

  var KEY = "masportal-cancel-target";

  function announce(text) {
    var status = document.getElementById("cancel-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "cancel-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      (document.getElementById("main") || document.body).appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function focusTarget(id) {
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus();
  }

  function refused(form) {
    if (form.querySelector(".error, .field-error, .error-summary")) { return true; }
    var before = form.previousElementSibling;
    return !!(before && before.classList.contains("error-summary"));
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-cancel]") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var form = link.closest("form");
    var target = new URL(link.href, window.location.href);
    var here = window.location;
    var anchor = target.hash ? target.hash.slice(1) : "";
    if (target.pathname + target.search !== here.pathname + here.search) {
      return;  // the page this form belongs to is elsewhere (a refused post's URL): the link loads it
    }
    event.preventDefault();
    if (!form || refused(form)) {
      // The form holds what a refused post sent back: load the page as it is stored, then return to the section.
      window.sessionStorage.setItem(KEY, anchor);
      window.location.replace(target.pathname + target.search);
      return;
    }
    form.reset();
    var details = form.closest("details");
    if (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary) { summary.focus(); }
    } else {
      focusTarget(anchor);
    }
    announce(link.getAttribute("data-cancel-done") || "");
  });

  var pending = window.sessionStorage.getItem(KEY);
  if (pending !== null) {
    window.sessionStorage.removeItem(KEY);
    focusTarget(pending);
    if (pending && document.getElementById(pending)) { document.getElementById(pending).scrollIntoView(); }
  }
})();

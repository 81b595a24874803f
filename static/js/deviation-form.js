// The deviation form: show the risk level chosen in the 4×4 matrix as the radio buttons change.
(function () {
  var form = document.querySelector(".deviation-form");
  if (!form) return;
  var out = document.getElementById("risk-level");
  var cells = form.querySelectorAll(".risk-matrix td");
  function value(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? parseInt(checked.value, 10) : null;
  }
  function update() {
    var c = value("consequence"), p = value("probability");
    cells.forEach(function (td) {
      var on = String(c) === td.dataset.c && String(p) === td.dataset.p;
      td.classList.toggle("current", on);
      if (on) { out.textContent = td.querySelector(".cell-label").textContent + " (" + td.dataset.score + ")"; }
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "consequence" || e.target.name === "probability") update();
  });
})();

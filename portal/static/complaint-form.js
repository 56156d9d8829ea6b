// Progressive enhancement of the complaint form (the form works without it): once a valid-looking
// USCC is typed, the department list shows only the departments whose region covers the
// enterprise's (the USCC's characters 3-8 are its GB/T 2260 region code). No inline script: CSP.
(function () {
  "use strict";
  var uscc = document.getElementById("f-uscc");
  var select = document.getElementById("f-department");
  if (!uscc || !select) { return; }
  function filter() {
    var code = (uscc.value || "").replace(/[\s-]/g, "").toUpperCase();
    var region = /^[0-9A-Z]{2}(\d{6})/.exec(code);
    var groups = select.querySelectorAll("optgroup");
    var shown = 0;
    for (var i = 0; i < groups.length; i++) {
      var prefix = groups[i].getAttribute("data-prefix") || "";
      var fits = !region || region[1].indexOf(prefix) === 0;
      groups[i].hidden = !fits;
      groups[i].disabled = !fits;
      if (fits) { shown += 1; }
    }
    if (region && shown === 0) {  // an unknown region: offer every department again
      for (var j = 0; j < groups.length; j++) { groups[j].hidden = false; groups[j].disabled = false; }
    }
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.parentNode && chosen.parentNode.disabled) { select.value = ""; }
  }
  uscc.addEventListener("input", filter);
  filter();
})();

// Place pickers (places/forms.py): htmx fetches the districts of a province, the communes of a
// district and the villages matching a name; this file does the rest, listening on the document
// because the Content-Security-Policy forbids inline handlers.
(function () {
  "use strict";

  var ORDER = ["province", "district", "commune", "village"];

  function group(element) {
    return element.closest("[data-place-picker]") || element.form || document;
  }

  // A province changed: htmx reloads the districts; the communes below no longer fit, so they
  // are emptied, and the village picked is forgotten (its name stays, to search again).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-place-level]")) return;
    var level = ORDER.indexOf(select.getAttribute("data-place-level"));
    var box = group(select);
    box.querySelectorAll("select[data-place-level]").forEach(function (other) {
      if (ORDER.indexOf(other.getAttribute("data-place-level")) > level + 1) {
        other.value = "";
        while (other.options.length > 1) other.remove(1);
      }
    });
    if (box.matches && box.matches("[data-place-picker]")) {
      box.querySelector("[data-village-code]").value = "";
    }
  });

  // Typing another name forgets the village picked before.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-village-name]")) return;
    group(input).querySelector("[data-village-code]").value = "";
  });

  function choose(select, code, name) {
    if (!select) return;
    var found = Array.prototype.some.call(select.options, function (option) {
      return option.value === code;
    });
    if (!found) select.add(new Option(name, code));
    select.value = code;
  }

  // A village picked from the list: its code goes in the hidden field, its name in the box, and
  // the selects above show where it is.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-village-pick]") : null;
    if (!button) return;
    var box = group(button);
    var data = button.dataset;
    choose(box.querySelector("select[data-place-level=province]"), data.province, data.provinceName);
    choose(box.querySelector("select[data-place-level=district]"), data.district, data.districtName);
    choose(box.querySelector("select[data-place-level=commune]"), data.commune, data.communeName);
    box.querySelector("[data-village-code]").value = data.code;
    var name = box.querySelector("[data-village-name]");
    name.value = data.name;
    button.closest(".place-choices-box").textContent = "";
    name.focus();
  });
})();

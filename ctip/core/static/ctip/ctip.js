// Page behaviour for every signed-in page, loaded from the page shell (base.html).
// The Content-Security-Policy forbids inline scripts and on*= handlers, so templates ask for
// behaviour with data- attributes and this file listens once, on the document.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form when the choice changes (a plain GET filter);
  // the form keeps a submit button, or a <noscript> one, for when scripts do not run.
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (!field || !field.form) return;
    if (typeof field.form.requestSubmit === "function") {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });
})();

// Playwright init script for ctip/core/tests/test_browser_csp.py: runs before any script of each
// page and reports to the test every Content-Security-Policy violation, and every time htmx
// refuses to evaluate code (allowEval is off), through the binding the test exposes.
(function () {
  "use strict";
  function report(text) {
    if (typeof window.ctipReportProblem === "function") {
      window.ctipReportProblem(window.location.pathname + ": " + text);
    }
  }
  document.addEventListener(
    "securitypolicyviolation",
    function (event) {
      report(
        "violates " + event.effectiveDirective + " (blocked " + (event.blockedURI || "inline") +
        ", " + event.sourceFile + ":" + event.lineNumber + ", sample " + event.sample + ")"
      );
    },
    true
  );
  document.addEventListener(
    "htmx:evalDisallowedError",
    function (event) {
      report("htmx refused to evaluate code on <" + event.target.tagName.toLowerCase() + ">");
    },
    true
  );
})();

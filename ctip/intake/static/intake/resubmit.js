// Back, then Save again, is the same submission, not a second record (issue 17).
//
// A create form carries a one-time token ({% submission_token %}); the server records a token
// once and answers a second post of it with the record the first one made. But CTIP's pages
// are never cached, so Back fetches the form again with a fresh token, and saving again would
// create a second report, operation or person found. So: when such a form is submitted, its
// token and values are kept for this tab (sessionStorage); when Back brings the same form
// again, its values and its old token come back. Saved unchanged, it is the same submission;
// any change gives the form its fresh token, and it saves as a new record.
// Load it on a page with <script src=".../resubmit.js" defer>: no inline script (CSP).
(function () {
  "use strict";
  var PREFIX = "ctip-submitted:";
  var SKIP = { _submission: true, csrfmiddlewaretoken: true };

  function key() {
    return PREFIX + window.location.pathname + window.location.search;
  }

  function values(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") params.append(name, value);
    });
    return params.toString();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var token = event.target.querySelector ? event.target.querySelector("input[name=_submission]") : null;
      if (!token) return;
      try {
        window.sessionStorage.setItem(
          key(),
          JSON.stringify({ token: token.value, values: values(event.target) })
        );
      } catch (e) {
        /* storage refused: the server still refuses a double click */
      }
    },
    true
  );

  function put(form, params) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || SKIP[field.name] || field.type === "hidden" || field.type === "file") return;
      var posted = params.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = posted.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = posted.indexOf(option.value) !== -1;
        });
      } else if (posted.length) {
        field.value = posted[0];
      }
    });
  }

  function restore() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    if (!entries.length || entries[0].type !== "back_forward") return;
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(key()) || "null");
    } catch (e) {
      return;
    }
    var token = document.querySelector("form input[name=_submission]");
    if (!saved || !token) return;
    var fresh = token.value;
    put(token.form, new URLSearchParams(saved.values));
    token.value = saved.token;
    var renew = function () {
      token.value = fresh;
    };
    token.form.addEventListener("input", renew, { once: true });
    token.form.addEventListener("change", renew, { once: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();

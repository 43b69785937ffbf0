// The tools show times in the reader's timezone. The server renders UTC, which is what a
// reader without JavaScript keeps; here the browser's own zone goes into the timezone field
// (unless the reader, or a link, already chose one) and the answer is asked for again.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  var selector = "form[data-fill-browser-timezone] input[data-browser-timezone]";
  document.querySelectorAll(selector).forEach(function (input) {
    if (input.value === zone) {
      return;
    }
    input.value = zone;
    // htmx sets the form up on DOMContentLoaded; "load" comes after it.
    var refresh = function () {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    };
    if (document.readyState === "complete") {
      refresh();
    } else {
      window.addEventListener("load", refresh);
    }
  });
})();

// On a phone the live answer lands below the form, out of sight. After a paste or a press of
// the button (not while typing, which would pull the page away from the field being typed
// in), the answer's top is brought into view when it is below the fold. Only the answer to
// that paste counts: one already on its way (the timezone filled in on load) is left alone.
(function () {
  "use strict";
  var FORM = "form.tool-form";
  var revealNext = null; // the form pasted into or submitted, until its request starts
  var awaited = null; // that request

  function remember(event) {
    var form = event.target && event.target.closest ? event.target.closest(FORM) : null;
    if (form) revealNext = form;
  }
  document.addEventListener("paste", remember, true);
  document.addEventListener("submit", remember, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (revealNext && event.detail.elt === revealNext) {
      awaited = event.detail.xhr;
      revealNext = null;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!awaited || event.detail.xhr !== awaited) return;
    awaited = null;
    var result = document.querySelector(".tool .tool-result");
    if (!result) return;
    // Out of sight, or only its first lines showing at the bottom edge.
    if (result.getBoundingClientRect().top > window.innerHeight - 96) {
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      result.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
    }
  });
})();

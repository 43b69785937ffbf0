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

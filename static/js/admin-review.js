/*
 * The entry form's proposed symptoms (kb/insights/templates/admin/kb/entry/symptom_proposals.html).
 *
 * The panel works as plain forms without this file. With htmx, a decision swaps the panel in
 * place; this file adds an accepted symptom to the form's Symptoms box, so the engineer's
 * unsaved edits stay and a later Save keeps the symptom the server has just added, and lets a
 * refused decision (400) show its message in the panel. The form's version follows the accepted
 * symptom's save, so that Save is not refused for a change the form already holds.
 */
(function () {
  "use strict";

  function inPanel(element) {
    return Boolean(element && element.closest && element.closest(".review-panel"));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && inPanel(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("symptom-proposals");
    var box = document.getElementById("id_symptoms");
    if (!panel || !box) return;
    var symptom = panel.getAttribute("data-accepted-symptom");
    if (!symptom) return;
    panel.removeAttribute("data-accepted-symptom");
    // The form now holds the accepted symptom: it is at the entry's new version, unless the
    // entry had changed since the form was opened (then a save is refused and shows why).
    var version = document.getElementById("id_version");
    if (version && version.value === panel.getAttribute("data-accepted-from")) {
      version.value = panel.getAttribute("data-accepted-version");
    }
    var lines = box.value.split(/\r?\n/).map(function (line) {
      return line.trim().toLowerCase();
    });
    if (lines.indexOf(symptom.toLowerCase()) !== -1) return;
    box.value = box.value.replace(/\s+$/, "") + (box.value.trim() ? "\n" : "") + symptom;
  });
})();

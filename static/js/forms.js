// A form sent back with errors: move the focus to its error summary, so a screen reader reads it
// and the keyboard starts from its links to the fields. Progressive enhancement: without it the
// summary is still announced (role="alert") and sits at the top of the form.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) { summary.focus(); }
})();

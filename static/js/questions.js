// Conditional questions: show a question only when the answer it depends on has one of its
// values (data-depends-on, data-depends-values), and a stage's own question only when that
// stage is ticked (data-stage). Without this file every question is shown, with a line saying
// when it applies; the server ignores the answers of those that do not.
(function () {
  "use strict";
  var form = document.querySelector("form .question") && document.querySelector(".question").closest("form");
  if (!form) return;
  var blocks = Array.prototype.slice.call(form.querySelectorAll(".question"));

  function chosen(name) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { if (o.value) values.push(o.value); });
      } else if (el.value) {
        values.push(el.type === "checkbox" && el.value === "y" ? "yes" : el.value);
      }
    });
    return values;
  }

  function blockOf(name) {
    var field = form.elements[name];
    if (!field) return null;
    var el = field.length && !field.tagName ? field[0] : field;
    return el.closest(".question");
  }

  function update() {
    var stages = chosen("stages");
    blocks.forEach(function (block) {
      var show = true;
      var stage = block.getAttribute("data-stage");
      if (stage && form.elements.stages && stages.indexOf(stage) < 0) show = false;
      var parent = block.getAttribute("data-depends-on");
      if (show && parent) {
        var parentBlock = blockOf(parent);
        var wanted = (block.getAttribute("data-depends-values") || "").split(" ");
        var have = chosen(parent);
        show = !(parentBlock && parentBlock.hidden) && have.some(function (v) { return wanted.indexOf(v) >= 0; });
      }
      block.hidden = !show;
      block.classList.add("is-live");
    });
  }
  form.addEventListener("change", function () {
    // Twice: a chain (C depends on B depends on A) settles in the order of the blocks.
    update();
    update();
  });
  update();
  update();
})();

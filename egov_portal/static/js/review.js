// The review inbox: a header checkbox <input data-select-all="FORM-ID"> ticks or clears every
// report's checkbox of that form (without JavaScript each is ticked by hand).
document.addEventListener("change", function (event) {
  var all = event.target;
  if (!all.matches || !all.matches("input[data-select-all]")) {
    return;
  }
  var boxes = document.querySelectorAll(
    'input[type="checkbox"][name="reports"][form="' + all.dataset.selectAll + '"]'
  );
  boxes.forEach(function (box) {
    box.checked = all.checked;
  });
});

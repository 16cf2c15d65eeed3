// Site-wide behaviour, kept out of the pages so a Content-Security-Policy can forbid inline
// scripts: a <select data-submit-on-change> submits its form when changed (the language
// switch); without JavaScript its form has a button instead.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-submit-on-change]") && target.form) {
    target.form.submit();
  }
});

/* The print-ready label: one button opens the browser's print dialog. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var b = document.getElementById("print-now");
  if (b) b.addEventListener("click", function () { window.print(); });
});

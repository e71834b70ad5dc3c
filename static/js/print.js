// A button marked data-print prints the page; an inline onclick would break the
// Content-Security-Policy, which allows scripts from our own files only.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

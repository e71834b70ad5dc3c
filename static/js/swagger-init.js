// Starts Swagger UI with the settings the page carries as JSON (templates/swagger_ui.html);
// flask-smorest's own page does this in an inline script, which our CSP refuses.
(function () {
  "use strict";
  var source = document.getElementById("swagger-ui-config");
  if (!source || typeof SwaggerUIBundle === "undefined") return;
  window.ui = SwaggerUIBundle(JSON.parse(source.textContent));
})();

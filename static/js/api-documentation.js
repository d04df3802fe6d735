// Renders the OpenAPI document with Swagger UI (from its npm package, served from this site).
// Without JavaScript, the page's own table of operations stays in place.
(function () {
  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: container.getAttribute("data-openapi-url"),
    domNode: container,
    // No call to validator.swagger.io: the page stays on our origin.
    validatorUrl: null,
    deepLinking: false,
    defaultModelsExpandDepth: 0,
    onComplete: function () {
      // Swagger UI's list of servers has no accessible name of its own.
      var servers = container.querySelector("select#servers");
      if (servers) {
        servers.setAttribute("aria-label", "Server");
      }
      var table = document.getElementById("api-operations");
      if (table) {
        table.hidden = true;
      }
    },
  });
})();

// Starts Swagger UI on the API docs page (/schema). A file rather than an inline script, so the
// page works under the Content-Security-Policy (script-src 'self'; see api/headers.py).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-container");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});

// The archive's upload form: the chosen files as a list, and the upload's progress from HTMX's
// xhr progress events. No inline script (the console's CSP allows scripts from this server only).
(function () {
  "use strict";
  function listFiles(input) {
    var list = document.getElementById("chosen-files");
    if (!list) { return; }
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      var name = document.createElement("bdi");
      name.textContent = file.name;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" (" + Math.max(1, Math.round(file.size / 1024)) + " KB)"));
      list.appendChild(item);
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches(".upload-form input[type=file]")) { listFiles(target); }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target && event.target.closest ? event.target.closest("form[data-progress]") : null;
    if (!form || !event.detail || !event.detail.lengthComputable) { return; }
    var bar = document.getElementById(form.getAttribute("data-progress"));
    if (bar) { bar.max = event.detail.total; bar.value = event.detail.loaded; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target && event.target.closest ? event.target.closest("form[data-progress]") : null;
    if (!form) { return; }
    var bar = document.getElementById(form.getAttribute("data-progress"));
    if (bar) { bar.value = bar.max; }
  });
})();

// Forms whose submission starts a long job (a document to generate, issue 13): once sent, the
// button says so (正在提交…) and cannot be pressed again. A second submission would find the same
// job anyway (each decision has one job key); this only tells the person that something happens.
// app.js asks for confirmation first (data-confirm): a cancelled submission changes nothing here.
(function () {
  "use strict";
  function buttons(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button[type=submit], button:not([type])"));
  }
  document.querySelectorAll("form[data-starts-job]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      var text = form.getAttribute("data-submitting") || "…";
      buttons(form).forEach(function (button) {
        if (!button.hasAttribute("data-label")) { button.setAttribute("data-label", button.textContent); }
        button.textContent = text;
        button.setAttribute("aria-busy", "true");
        // Disabled after the submission has taken the form's values (a disabled button sends none).
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  // Coming back to the page from the history (the back button): the buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-starts-job]").forEach(function (form) {
      buttons(form).forEach(function (button) {
        if (button.hasAttribute("data-label")) { button.textContent = button.getAttribute("data-label"); }
        button.removeAttribute("aria-busy");
        button.disabled = false;
      });
    });
  });
})();

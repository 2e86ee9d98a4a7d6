// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Ask before irreversible actions (forms marked data-confirm).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Prevent double submission: disable the button after the first click.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // Countdowns: <span class="countdown" data-deadline="ISO" data-now="ISO" data-lead="，剩余 " data-done="，已截止"
  // data-units="天|小时|分|秒">, placed after the server's deadline sentence, which stands complete without
  // JavaScript; the words come from the page, in its language.
  document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
    var deadline = Date.parse(el.getAttribute("data-deadline"));
    var offset = Date.parse(el.getAttribute("data-now")) - Date.now();
    var lead = el.getAttribute("data-lead") || "";
    var units = (el.getAttribute("data-units") || "d|h|min|s").split("|");
    function tick() {
      var left = Math.floor((deadline - (Date.now() + offset)) / 1000);
      if (left <= 0) { el.textContent = el.getAttribute("data-done") || ""; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = lead + (d ? d + " " + units[0] + " " : "") + h + " " + units[1] + " " + m + " " + units[2] + " " + s + " " + units[3];
      window.setTimeout(tick, 1000);
    }
    tick();
  });
  // Tables that stack into cards on a phone: label each cell with its column heading.
  document.querySelectorAll("table.table-stack").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[index] && cell.colSpan === 1) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
  // Panel review: prefill the cells the automatic checks decided, leaving the rest to the member.
  var prefill = document.querySelector("[data-prefill]");
  if (prefill) {
    prefill.closest("[data-prefill-box]").hidden = false;
    prefill.addEventListener("click", function () {
      document.querySelectorAll("tr[data-cell]").forEach(function (row) {
        var auto = row.querySelector("[data-auto]");
        if (!auto || row.querySelector("input[type=radio]:checked")) { return; }
        var status = auto.getAttribute("data-auto");
        var radio = row.querySelector("input[type=radio][value=" + (status === "fail" ? "fail" : "pass") + "]");
        if (status !== "pass" && status !== "fail") { return; }
        radio.checked = true;
        var reason = row.querySelector("input[type=text]");
        if (status === "fail" && reason && !reason.value) { reason.value = (prefill.getAttribute("data-fail-lead") || "") + auto.getAttribute("data-auto-reason"); }
      });
    });
  }
  // Repeating rows (bill of quantities): add and remove in the browser.
  document.querySelectorAll("[data-rows]").forEach(function (container) {
    var template = document.getElementById(container.getAttribute("data-rows"));
    function renumber() {
      container.querySelectorAll("[data-row]").forEach(function (row, index) {
        row.querySelectorAll("input, select, textarea, label").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v) { el.setAttribute(attr, v.replace(/-\d+-/, "-" + index + "-")); }
          });
        });
        var pos = row.querySelector("[data-position]");
        if (pos) { pos.textContent = index + 1; }
      });
    }
    container.addEventListener("click", function (event) {
      var btn = event.target.closest("[data-remove-row]");
      if (btn) { btn.closest("[data-row]").remove(); renumber(); }
    });
    var add = document.querySelector("[data-add-row='" + container.id + "']");
    if (add && template) {
      add.addEventListener("click", function () {
        var fragment = template.content.cloneNode(true);
        container.querySelector("tbody").appendChild(fragment);
        renumber();
      });
    }
  });
  // "Back" links (error pages): go back in history when there is one; the href is the fallback.
  document.querySelectorAll("a[data-history-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
  // Verify page: hash the file the reader holds, in the browser, and compare it with the archived SHA-256.
  var box = document.querySelector("[data-hash-check]");
  if (box && window.crypto && window.crypto.subtle) {
    box.hidden = false;
    var result = box.querySelector("[data-hash-result]");
    box.querySelector("input[type=file]").addEventListener("change", function (event) {
      var file = event.target.files[0];
      if (!file) { return; }
      file.arrayBuffer().then(function (data) { return window.crypto.subtle.digest("SHA-256", data); }).then(function (digest) {
        var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        var same = hex === box.getAttribute("data-expected");
        result.className = "small mt-2 fw-bold " + (same ? "text-success" : "text-danger");
        result.textContent = box.getAttribute(same ? "data-same-text" : "data-differ-text");
        result.setAttribute("data-same", same ? "yes" : "no");
      });
    });
  }
})();

// Documents being issued (issues 12, 13): poll the job status named by [data-job-poll] (a project's
// unfinished jobs for buyer staff, or one job: buyer staff's or a panel member's progress page) and
// show the progress as it goes; reload the page once a job is done or failed, so the published
// documents and their links (or the error and what happens next) appear. Without JavaScript the
// page says what is happening, and reloading it shows the current state.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-poll]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-poll");
  function cards() { return Array.prototype.slice.call(document.querySelectorAll("[data-job]")); }
  function running(card) {
    var status = card.getAttribute("data-job-status");
    return status === "queued" || status === "running";
  }
  function update(card, job) {
    var notices = card.querySelector("[data-job-notices]");
    if (notices) { notices.textContent = job.notices_done; }
    var done = card.querySelector("[data-job-done]");
    if (done) { done.textContent = job.done; }
    var bar = card.querySelector("[data-job-progress]");
    if (bar) { bar.max = job.total || 1; bar.value = job.done; bar.textContent = job.done + " / " + job.total; }
    var list = card.querySelector("[data-job-documents]");
    if (list && list.children.length !== job.documents.length) {
      list.textContent = "";
      job.documents.forEach(function (title) {
        var item = document.createElement("li");
        item.textContent = title;
        list.appendChild(item);
      });
    }
  }
  function poll() {
    var watched = cards().filter(running);
    if (!watched.length) { return; }
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { window.setTimeout(poll, 5000); return; }
      var jobs = {};
      JSON.parse(request.responseText).jobs.forEach(function (job) { jobs[job.id] = job; });
      var changed = watched.some(function (card) {
        var job = jobs[card.getAttribute("data-job")];
        return !job || job.status !== "queued" && job.status !== "running";
      });
      if (changed) { window.location.reload(); return; }
      watched.forEach(function (card) { update(card, jobs[card.getAttribute("data-job")]); });
      window.setTimeout(poll, 1500);
    };
    request.onerror = function () { window.setTimeout(poll, 5000); };
    request.send();
  }
  window.setTimeout(poll, 1000);
})();

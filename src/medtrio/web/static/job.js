// Polls an import job's status and updates the progress bar until the job ends. Progressive
// enhancement: without JavaScript the page still shows the status at load time.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var id = box.getAttribute("data-job-id");
  var labels = JSON.parse(box.getAttribute("data-labels") || "{}");
  function done(status) { return status === "done" || status === "failed"; }
  function tick() {
    fetch("/api/admin/jobs/" + id, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        var pct = Math.round((job.progress || 0) * 100);
        document.getElementById("job-bar").style.width = pct + "%";
        document.getElementById("job-percent").textContent = pct + "%";
        document.getElementById("job-status").textContent = labels[job.status] || job.status;
        document.getElementById("job-message").textContent = job.message || "";
        document.getElementById("job-log").textContent = job.log || "";
        box.setAttribute("data-status", job.status);
        if (!done(job.status)) setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  if (!done(box.getAttribute("data-status"))) setTimeout(tick, 500);
})();

// Small progressive enhancements for every page (the pages work without them).
// A <select data-autosubmit> submits its form when changed (language switch, lab chooser).
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();

// A file dropped onto a `.dropzone` label fills the file input inside it (the page's CSP forbids
// inline scripts, hence this file). Plain DOM, works offline.
(function () {
  document.querySelectorAll('.dropzone').forEach(function (zone) {
    var input = zone.querySelector('input[type=file]');
    if (!input) return;
    zone.addEventListener('dragover', function (e) { e.preventDefault(); });
    zone.addEventListener('drop', function (e) { e.preventDefault(); input.files = e.dataTransfer.files; });
  });
})();

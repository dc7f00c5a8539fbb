/* Lotsen studio: follow a running simulation (progress bar), show the results when it is done. */
(function () {
  'use strict';
  var box = document.getElementById('sim-running');
  if (!box) { return; }
  var bar = document.getElementById('sim-progress');
  var percent = document.getElementById('sim-percent');
  function poll() {
    fetch(box.dataset.status, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        percent.textContent = Math.round(s.progress * 100) + ' %';
        if (s.status === 'done' || s.status === 'failed') { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());

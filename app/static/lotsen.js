/* Lotsen: the small behaviours of the server-rendered pages, declared with data attributes
 * (the Content-Security-Policy allows no inline scripts or event handlers):
 *   <form data-confirm="Question?">          asks before submitting
 *   <select data-autosubmit> / <input ...>   submits its form when changed
 *   <select data-navigate>                   goes to the chosen option's value (a path on this site)
 *   <input type="checkbox" data-check-all="selector">  ticks or clears every box the selector finds
 */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener('change', function (event) {
    var el = event.target;
    if (!el.dataset) { return; }
    if ('autosubmit' in el.dataset && el.form) {
      el.form.submit();
    } else if ('navigate' in el.dataset && el.value.charAt(0) === '/' && el.value.charAt(1) !== '/') {
      window.location.href = el.value;
    } else if (el.dataset.checkAll) {
      document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
    }
  });
}());

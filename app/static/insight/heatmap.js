/* Lotsen insight: a heatmap over a BPMN diagram (vendored bpmn-js navigated viewer, global BpmnJS).
 * Each task with figures gets a colour by its median wait + work (against the slowest task) and a badge
 * "wait · work · count". Used by the dashboard's heatmap page and by the simulation results. */
(function () {
  'use strict';

  function duration(hours, words) {
    if (hours === null || hours === undefined) { return '–'; }
    var value = hours >= 24 ? hours / 24 : hours;
    var unit = hours >= 24 ? words.days : words.hours;
    var digits = value >= 10 ? 0 : 1;
    return value.toLocaleString(words.locale, { maximumFractionDigits: digits }) + '\u00a0' + unit;
  }

  function show(root) {
    var heat = JSON.parse(document.getElementById(root.dataset.heat).textContent || '{}');
    var words = JSON.parse(document.getElementById(root.dataset.words).textContent || '{}');
    var canvasNode = root.querySelector('.viewer-canvas') || root;
    var viewer = new window.BpmnJS({ container: canvasNode });
    var slowest = 0;
    Object.keys(heat).forEach(function (id) {
      var h = heat[id];
      slowest = Math.max(slowest, (h.median_wait_hours || 0) + (h.median_work_hours || 0));
    });
    fetch(root.dataset.src, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get('canvas');
        var overlays = viewer.get('overlays');
        var registry = viewer.get('elementRegistry');
        Object.keys(heat).forEach(function (id) {
          if (!registry.get(id)) { return; }
          var h = heat[id];
          var total = (h.median_wait_hours || 0) + (h.median_work_hours || 0);
          var level = slowest > 0 ? Math.min(4, Math.floor(5 * total / slowest)) : 0;
          canvas.addMarker(id, 'heat-' + level);
          var badge = document.createElement('div');
          badge.className = 'heat-badge';
          badge.dataset.element = id;
          badge.title = words.wait + ' ' + duration(h.median_wait_hours, words) + ', ' + words.work + ' ' +
            duration(h.median_work_hours, words) + ', ' + words.count + ' ' + h.count;
          badge.textContent = words.wait + ' ' + duration(h.median_wait_hours, words) + ' \u00b7 ' + words.work +
            ' ' + duration(h.median_work_hours, words) + ' \u00b7 n=' + h.count;
          overlays.add(id, { position: { bottom: -4, left: -6 }, html: badge });
        });
        canvas.zoom('fit-viewport');
        root.dataset.ready = 'true';
      })
      .catch(function (err) {
        canvasNode.textContent = words.failed + ' (' + (err.message || err) + ')';
        root.dataset.ready = 'error';
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-heatmap]'), show);
}());

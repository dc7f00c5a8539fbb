/* Lotsen studio: read-only diagram (version page and diff page).
 * Uses the vendored bpmn-js navigated viewer (global BpmnJS). */
(function () {
  'use strict';
  var root = document.getElementById('viewer');
  if (!root) { return; }
  var xml = JSON.parse(document.getElementById('diagram-xml').textContent);
  var markers = JSON.parse(document.getElementById('diagram-markers').textContent || '{}');
  var viewer = new window.BpmnJS({ container: root.querySelector('.viewer-canvas') });
  window.lotsenViewer = viewer;

  function focus(id) {
    var registry = viewer.get('elementRegistry');
    var element = registry.get(id);
    if (!element) { return; }
    var canvas = viewer.get('canvas');
    if (canvas.zoom() < 0.9) { canvas.zoom(1); }
    var box = canvas.viewbox();
    var cx = element.waypoints ? element.waypoints[0].x : element.x + element.width / 2;
    var cy = element.waypoints ? element.waypoints[0].y : element.y + element.height / 2;
    canvas.viewbox({ x: cx - box.width / 2, y: cy - box.height / 2, width: box.width, height: box.height });
    viewer.get('selection').select(element);
  }

  /* As tall as the diagram needs at the width we have (no empty band below it). */
  function fitHeight(canvas) {
    var node = root.querySelector('.viewer-canvas');
    canvas.zoom('fit-viewport');
    var inner = canvas.viewbox().inner;
    var width = node.clientWidth;
    if (inner.width > 0 && width > 0) {
      var wanted = Math.ceil(width * (inner.height / inner.width)) + 40;
      var max = Math.max(360, window.innerHeight - 230);
      node.style.height = Math.max(320, Math.min(max, wanted)) + 'px';
      canvas.resized();
      canvas.zoom('fit-viewport', 'auto');
    }
  }

  viewer.importXML(xml).then(function (result) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    fitHeight(canvas);
    Object.keys(markers).forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        var element = registry.get(id);
        if (!element) { return; }
        var container = element.type === 'bpmn:Lane' || element.type === 'bpmn:Participant';
        canvas.addMarker(id, 'lotsen-' + kind + (container ? '-container' : ''));
      });
    });
    if (result.warnings && result.warnings.length) { console.warn(result.warnings); } // eslint-disable-line no-console
    root.dataset.ready = 'true';
  }).catch(function (err) {
    root.querySelector('.viewer-canvas').textContent = String(err.message || err);
  });

  Array.prototype.forEach.call(document.querySelectorAll('[data-focus-element]'), function (node) {
    node.addEventListener('click', function (e) { e.preventDefault(); focus(node.dataset.focusElement); });
  });
  var fit = document.getElementById('viewer-fit');
  if (fit) { fit.addEventListener('click', function () { viewer.get('canvas').zoom('fit-viewport', 'auto'); }); }
}());

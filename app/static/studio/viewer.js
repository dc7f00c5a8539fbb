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
    try { canvas.scrollToElement(element, { top: 150, bottom: 150, left: 150, right: 150 }); } catch (e) { /* ignore */ }
    viewer.get('selection').select(element);
  }

  viewer.importXML(xml).then(function (result) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    Object.keys(markers).forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, 'lotsen-' + kind); }
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

/* Lotsen studio: the deploy gate's verdict and coverage, and zoom controls for a bpmn-js canvas.
 *
 * window.LotsenGate.render(box, chip, report, t) draws the gate's report (from
 * Validate or Deploy) into `box` and a one-line verdict into `chip`.
 * window.LotsenGate.zoomControls(container, canvas, t) adds +, − and "fit"
 * buttons over a canvas. `t` translates (see editor.js).
 * window.LotsenGate.fit(container, canvas) shows the whole diagram in the part of
 * the canvas that the palette and the zoom buttons leave free.
 */
(function () {
  'use strict';

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) { return; }
      if (k === 'text') { node.textContent = v; } else if (k.slice(0, 2) === 'on') {
        node.addEventListener(k.slice(2), v);
      } else if (v === true) { node.setAttribute(k, ''); } else { node.setAttribute(k, v); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  var VERDICTS = { passed: 'Passed', passed_with_warnings: 'Passed with warnings', refused: 'Refused' };

  function verdictText(report, t) {
    return t('Gate: {verdict}', { verdict: t(VERDICTS[report.verdict] || report.verdict) });
  }

  function coverageLine(c, t) {
    return t('{process}: {paths} paths walked, {reached} of {total} elements reached', {
      process: c.process, paths: c.paths, reached: c.elements_reached.length, total: c.elements_total
    });
  }

  function list(title, items) {
    if (!items.length) { return null; }
    return el('details', { 'class': 'gate-list' }, [el('summary', { text: title + ' (' + items.length + ')' }),
      el('ul', {}, items.map(function (x) { return el('li', {}, [el('code', { text: x })]); }))]);
  }

  function render(box, chip, report, t) {
    box.innerHTML = '';
    if (!report) { box.hidden = true; chip.hidden = true; return; }
    box.hidden = false;
    chip.hidden = false;
    chip.className = 'gate-chip gate-' + report.verdict;
    chip.dataset.verdict = report.verdict;
    chip.textContent = verdictText(report, t);
    box.dataset.verdict = report.verdict;
    box.appendChild(el('h2', { text: t('Deploy gate') }));
    box.appendChild(el('p', { 'class': 'gate-verdict gate-' + report.verdict, text: verdictText(report, t) }));
    box.appendChild(el('p', { 'class': 'hint', text: t('Every path of the diagram was run through the engine with generated form data and fake handlers.') }));
    (report.coverage || []).forEach(function (c) {
      var item = el('div', { 'class': 'gate-coverage', 'data-process': c.process }, [
        el('p', { 'class': 'gate-line', text: coverageLine(c, t) }),
        c.complete ? null : el('p', { 'class': 'gate-partial', text: t('Too large to walk every path: the walk stopped at its limit. What is listed below was not covered.') }),
        list(t('Elements not reached'), c.not_reached || []),
        list(t('Branches not taken'), (c.branches_not_taken || []).map(function (b) { return b.gateway + ' → ' + b.to; }))
      ]);
      box.appendChild(item);
    });
    var tests = report.unit_tests || { run: 0, failed: 0 };
    if (tests.run) {
      box.appendChild(el('p', { 'class': 'gate-line', text: t('Unit tests in the diagram: {run} run, {failed} failed', tests) }));
    }
    box.appendChild(el('p', { 'class': 'gate-line muted', text: t('Errors: {errors} · warnings: {warnings}', {
      errors: (report.errors || []).length, warnings: (report.warnings || []).length }) }));
  }

  // Like canvas.zoom('fit-viewport') (never larger than 1:1), but nothing hides under the palette
  // (left) or the zoom buttons (right).
  function fit(container, canvas) {
    canvas.zoom('fit-viewport', 'auto');
    var box = container.getBoundingClientRect();
    var palette = container.querySelector('.djs-palette');
    var controls = container.querySelector('.zoom-controls');
    var left = palette ? palette.getBoundingClientRect().right - box.left + 12 : 0;
    var right = controls ? box.right - controls.getBoundingClientRect().left + 12 : 0;
    var vb = canvas.viewbox();
    var inner = vb.inner, outer = vb.outer;
    var free = outer.width - left - right;
    if (free < outer.width / 3 || !inner.width || !inner.height) { return; }
    var scale = Math.min(1, free / inner.width, (outer.height - 24) / inner.height);
    canvas.viewbox({
      x: inner.x - (left + (free - inner.width * scale) / 2) / scale,
      y: inner.y - (outer.height - inner.height * scale) / 2 / scale,
      width: outer.width / scale,
      height: outer.height / scale
    });
  }

  function zoomControls(container, canvas, t) {
    if (container.querySelector('.zoom-controls')) { return; }
    function zoomBy(factor) { canvas.zoom(Math.max(0.2, Math.min(4, canvas.zoom() * factor))); }
    var bar = el('div', { 'class': 'zoom-controls', role: 'group', 'aria-label': t('Zoom') }, [
      el('button', { type: 'button', 'class': 'zoom-in', title: t('Zoom in'), 'aria-label': t('Zoom in'), text: '+', onclick: function () { zoomBy(1.25); } }),
      el('button', { type: 'button', 'class': 'zoom-out', title: t('Zoom out'), 'aria-label': t('Zoom out'), text: '−', onclick: function () { zoomBy(0.8); } }),
      el('button', { type: 'button', 'class': 'zoom-fit', title: t('Show the whole diagram'), 'aria-label': t('Show the whole diagram'), text: '⤢', onclick: function () { fit(container, canvas); } })
    ]);
    container.appendChild(bar);
  }

  window.LotsenGate = { render: render, zoomControls: zoomControls, fit: fit };
}());

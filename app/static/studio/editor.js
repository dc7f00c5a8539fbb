/* Lotsen studio: the process editor.
 *
 * Plain JavaScript, no build step. Uses the vendored UMD bundles of bpmn-js
 * (global BpmnJS, the modeller) and dmn-js (global DmnJS). One bundle = all
 * files of a process model ({name: text}); it is loaded from, saved to,
 * validated and deployed by the studio's JSON endpoints as a whole.
 */
(function () {
  'use strict';

  var root = document.getElementById('studio');
  if (!root) { return; }
  var cfg = root.dataset;
  var T = JSON.parse(document.getElementById('studio-i18n').textContent);

  function t(key, vars) {
    var s = Object.prototype.hasOwnProperty.call(T, key) ? T[key] : key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }

  var FORMS_TAB = '#forms';
  var ID_PATTERN = /^[a-z][a-z0-9_]*$/;
  var STATUS_TYPES = ['bpmn:UserTask', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent',
    'bpmn:EventBasedGateway', 'bpmn:EndEvent'];

  var state = {
    files: {},        // name -> text: the bundle being edited
    editors: {},      // name -> {kind, pane, modeler}
    active: null,     // the active tab: a file name or FORMS_TAB
    formName: null,   // the form open in the forms tab
    catalog: { operations: [], groups: [], statuses: [] },
    descriptor: null,
    problems: [],
    dirty: false,
    busy: false,
    source: null,
    baseVersion: null,
    latestVersion: null
  };

  // ------------------------------------------------------------------ small helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) { return; }
      if (k === 'text') { node.textContent = v; } else if (k === 'html') { node.innerHTML = v; } else if (k.slice(0, 2) === 'on') {
        node.addEventListener(k.slice(2), v);
      } else if (k === 'dataset') {
        Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
      } else if (v === true) { node.setAttribute(k, ''); } else { node.setAttribute(k, v); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return { message: resp.status + ' ' + resp.statusText }; })
        .then(function (data) { return { ok: resp.ok, status: resp.status, data: data }; });
    }, function (err) {
      return { ok: false, status: 0, data: { message: String(err) } };
    });
  }

  function setStatus(text, kind, link) {
    var box = document.getElementById('studio-status');
    box.className = 'studio-status' + (kind ? ' studio-status-' + kind : '');
    box.textContent = text || '';
    if (link) {
      box.appendChild(document.createTextNode(' '));
      box.appendChild(el('a', { href: link.href, text: link.text }));
    }
  }

  function markDirty() {
    if (!state.dirty) {
      state.dirty = true;
      renderState();
    }
  }

  function renderState() {
    var label = document.getElementById('studio-state');
    var base = state.baseVersion ? t('based on version {n}', { n: state.baseVersion }) : '';
    var src = state.source === 'draft' ? t('Draft') : (state.latestVersion ? t('Version {n}', { n: state.latestVersion }) : '');
    label.textContent = src + (base && state.source === 'draft' ? ' (' + base + ')' : '') +
      (state.dirty ? ' · ' + t('unsaved changes') : '');
    label.classList.toggle('is-dirty', state.dirty);
  }

  function setBusy(busy) {
    state.busy = busy;
    ['btn-save', 'btn-validate', 'btn-deploy'].forEach(function (id) {
      document.getElementById(id).disabled = busy;
    });
    root.classList.toggle('is-busy', busy);
  }

  function fileKind(name) {
    if (/\.bpmn$/.test(name)) { return 'bpmn'; }
    if (/\.dmn$/.test(name)) { return 'dmn'; }
    if (/^forms\/.+\.json$/.test(name)) { return 'form'; }
    return 'other';
  }

  function formNames() {
    return Object.keys(state.files).filter(function (n) { return fileKind(n) === 'form'; }).sort();
  }

  function decisions() {
    var out = [];
    Object.keys(state.files).filter(function (n) { return fileKind(n) === 'dmn'; }).sort().forEach(function (name) {
      var doc = new DOMParser().parseFromString(state.files[name], 'application/xml');
      Array.prototype.forEach.call(doc.getElementsByTagNameNS('*', 'decision'), function (d) {
        if (d.getAttribute('id')) { out.push({ id: d.getAttribute('id'), name: d.getAttribute('name') || '', file: name }); }
      });
    });
    return out;
  }

  function capitalise(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

  // ------------------------------------------------------------------ tabs and panes

  function tabOrder() {
    var names = Object.keys(state.files);
    var bpmn = names.filter(function (n) { return fileKind(n) === 'bpmn'; }).sort(function (a, b) {
      return (a === cfg.main ? -1 : b === cfg.main ? 1 : a.localeCompare(b));
    });
    var dmn = names.filter(function (n) { return fileKind(n) === 'dmn'; }).sort();
    return bpmn.concat(dmn).concat([FORMS_TAB]);
  }

  function renderTabs() {
    var tabs = document.getElementById('file-tabs');
    tabs.innerHTML = '';
    tabOrder().forEach(function (name) {
      var kind = name === FORMS_TAB ? 'forms' : fileKind(name);
      var label = name === FORMS_TAB ? t('Forms') + ' (' + formNames().length + ')' : name;
      tabs.appendChild(el('button', {
        type: 'button', role: 'tab', 'class': 'studio-tab studio-tab-' + kind,
        'aria-selected': state.active === name ? 'true' : 'false',
        dataset: { tab: name }, text: label,
        onclick: function () { activate(name); }
      }));
    });
  }

  function paneFor(name) {
    var panes = document.getElementById('panes');
    var pane = panes.querySelector('[data-pane="' + CSS.escape(name) + '"]');
    if (pane) { return pane; }
    pane = el('div', { 'class': 'studio-pane', dataset: { pane: name } });
    var kind = name === FORMS_TAB ? 'forms' : fileKind(name);
    if (kind === 'bpmn') {
      pane.appendChild(el('div', { 'class': 'studio-canvas' }));
    } else if (kind === 'dmn') {
      pane.appendChild(el('div', { 'class': 'dmn-views', role: 'toolbar', 'aria-label': t('Decisions') }));
      pane.appendChild(el('div', { 'class': 'dmn-canvas' }));
    } else {
      pane.appendChild(buildFormsPane());
    }
    panes.appendChild(pane);
    return pane;
  }

  function activate(name) {
    state.active = name;
    Array.prototype.forEach.call(document.querySelectorAll('#panes .studio-pane'), function (p) { p.hidden = true; });
    var pane = paneFor(name);
    pane.hidden = false;
    root.dataset.activeKind = name === FORMS_TAB ? 'forms' : fileKind(name);
    renderTabs();
    var ready;
    if (name === FORMS_TAB) {
      renderFormsList();
      if (!state.formName && formNames().length) { openForm(formNames()[0]); }
      ready = Promise.resolve();
    } else if (fileKind(name) === 'bpmn') {
      ready = state.editors[name] ? Promise.resolve() : openBpmn(name, pane);
    } else {
      ready = state.editors[name] ? Promise.resolve() : openDmn(name, pane);
    }
    return ready.then(function () { renderPanel(); });
  }

  // ------------------------------------------------------------------ BPMN

  function openBpmn(name, pane) {
    var modeler = new window.BpmnJS({
      container: pane.querySelector('.studio-canvas'),
      moddleExtensions: { spiffworkflow: state.descriptor }
    });
    var ed = { kind: 'bpmn', pane: pane, modeler: modeler, created: {} };
    state.editors[name] = ed;
    return modeler.importXML(state.files[name]).then(function (result) {
      if (result.warnings && result.warnings.length) {
        setStatus(t('{n} warnings while reading {file}; see the browser console.',
          { n: result.warnings.length, file: name }), 'warn');
        console.warn(result.warnings); // eslint-disable-line no-console
      }
      var canvas = modeler.get('canvas');
      window.LotsenGate.zoomControls(pane.querySelector('.studio-canvas'), canvas, t);
      window.LotsenGate.fit(pane.querySelector('.studio-canvas'), canvas);
      modeler.on('selection.changed', function () { renderPanel(); });
      var redraw = debounce(renderPanel, 30);
      modeler.on('element.changed', function (e) {
        if (e.element && e.element === selected(ed)) { redraw(); }
      });
      modeler.on('commandStack.changed', function () { markDirty(); flagLater(); });
      modeler.on('commandStack.connection.create.postExecuted', function (e) {
        var c = e.context.connection;
        if (c && c.businessObject && c.businessObject.$type === 'bpmn:SequenceFlow' && /^Flow_/.test(c.id)) {
          var id = flowId(ed, c);
          services(ed).modeling.updateProperties(c, { id: id });
          ed.created[id] = true;
        }
      });
      applyMarkers();
      flagMissing(ed);
    }).catch(function (err) {
      pane.querySelector('.studio-canvas').appendChild(el('p', { 'class': 'error', text: t('The diagram cannot be read: {msg}', { msg: err.message }) }));
    });
  }

  /* A readable, unique id for a sequence flow: <source>_to_<target>. */
  function flowId(ed, c) {
    var registry = services(ed).registry;
    var base = c.source.id + '_to_' + c.target.id;
    var id = base;
    var n = 2;
    while (registry.get(id) && registry.get(id) !== c) { id = base + '_' + n; n += 1; }
    return id;
  }

  /* Change an element's id; flows created in this session follow the new name. */
  function renameElement(ed, element, value) {
    var modeling = services(ed).modeling;
    modeling.updateProperties(element, { id: value });
    (element.incoming || []).concat(element.outgoing || []).forEach(function (c) {
      if (!ed.created[c.id]) { return; }
      var id = flowId(ed, c);
      if (id !== c.id) {
        delete ed.created[c.id];
        modeling.updateProperties(c, { id: id });
        ed.created[id] = true;
      }
    });
  }

  function activeBpmn() {
    var ed = state.editors[state.active];
    return ed && ed.kind === 'bpmn' ? ed : null;
  }

  function services(ed) {
    var m = ed.modeler;
    return {
      modeling: m.get('modeling'), moddle: m.get('moddle'), registry: m.get('elementRegistry'),
      canvas: m.get('canvas'), selection: m.get('selection')
    };
  }

  function selected(ed) {
    var sel = ed.modeler.get('selection').get();
    return sel.length === 1 ? sel[0] : null;
  }

  function extValues(bo) { return (bo.extensionElements && bo.extensionElements.get('values')) || []; }

  function getExt(bo, type) {
    return extValues(bo).filter(function (v) { return v.$instanceOf(type); })[0];
  }

  /* Replace (or add; or remove when obj is null) the extension element of `type`, keeping order. */
  function putExt(ed, element, type, obj) {
    var s = services(ed);
    var bo = element.businessObject;
    var ext = bo.extensionElements;
    if (!ext) {
      if (!obj) { return; }
      ext = s.moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      s.modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    var values = ext.get('values').slice();
    var at = values.findIndex(function (v) { return v.$instanceOf(type); });
    if (obj) {
      obj.$parent = ext;
      if (at >= 0) { values[at] = obj; } else { values.push(obj); }
    } else if (at >= 0) {
      values.splice(at, 1);
    } else {
      return;
    }
    s.modeling.updateModdleProperties(element, ext, { values: values });
  }

  function getBody(bo, type) {
    var x = getExt(bo, type);
    return x ? (x.get('value') || '').trim() : '';
  }

  function setBody(ed, element, type, value) {
    var obj = value ? services(ed).moddle.create(type, { value: value }) : null;
    putExt(ed, element, type, obj);
  }

  function getProp(bo, name) {
    var props = getExt(bo, 'spiffworkflow:Properties');
    var hit = props && (props.get('property') || []).filter(function (p) { return p.name === name; })[0];
    return hit ? hit.value || '' : '';
  }

  function setProp(ed, element, name, value) {
    var moddle = services(ed).moddle;
    var old = getExt(element.businessObject, 'spiffworkflow:Properties');
    var items = old ? old.get('property').map(function (p) { return { name: p.name, value: p.value }; }) : [];
    var at = items.findIndex(function (p) { return p.name === name; });
    if (value) {
      if (at >= 0) { items[at].value = value; } else { items.push({ name: name, value: value }); }
    } else if (at >= 0) {
      items.splice(at, 1);
    }
    var props = null;
    if (items.length) {
      props = moddle.create('spiffworkflow:Properties');
      props.set('property', items.map(function (it) {
        var p = moddle.create('spiffworkflow:Property', it);
        p.$parent = props;
        return p;
      }));
    }
    putExt(ed, element, 'spiffworkflow:Properties', props);
  }

  function operatorOf(bo) {
    var op = getExt(bo, 'spiffworkflow:ServiceTaskOperator');
    if (!op) { return null; }
    var params = {};
    var types = {};
    var list = op.get('parameters') ? op.get('parameters').get('parameter') || [] : [];
    list.forEach(function (p) { params[p.id] = p.value || ''; types[p.id] = p.type; });
    return { id: op.id || '', resultVariable: op.resultVariable || '', params: params, types: types };
  }

  function setOperator(ed, element, spec) {
    var moddle = services(ed).moddle;
    var attrs = { id: spec.id };
    if (spec.resultVariable) { attrs.resultVariable = spec.resultVariable; }
    var op = moddle.create('spiffworkflow:ServiceTaskOperator', attrs);
    var ps = moddle.create('spiffworkflow:Parameters');
    ps.$parent = op;
    ps.set('parameter', spec.order.filter(function (name) { return spec.params[name]; }).map(function (name) {
      var p = moddle.create('spiffworkflow:Parameter', { id: name, type: (spec.types || {})[name] || 'str', value: spec.params[name] });
      p.$parent = ps;
      return p;
    }));
    op.set('parameters', ps); // kept even when empty: the schema requires it
    putExt(ed, element, 'spiffworkflow:ServiceTaskOperator', op);
  }

  function operation(name) {
    return state.catalog.operations.filter(function (o) { return o.name === name; })[0];
  }

  // ------------------------------------------------------------------ the Element panel

  function field(label, control, hint, key) {
    var id = 'el-' + key.replace(/[^a-z0-9_-]/gi, '-');
    control.id = id;
    control.dataset.key = key;
    control.dataset.orig = control.value;
    return el('div', { 'class': 'field', dataset: { field: key } }, [
      el('label', { 'for': id, text: label }), control, hint ? el('p', { 'class': 'hint', text: hint }) : null
    ]);
  }

  function input(value, attrs) {
    return el('input', Object.assign({ type: 'text', value: value || '' }, attrs || {}));
  }

  function select(options, value, attrs) {
    var s = el('select', attrs || {});
    options.forEach(function (o) {
      var opt = el('option', { value: o.value, text: o.text });
      if (o.value === value) { opt.selected = true; }
      s.appendChild(opt);
    });
    return s;
  }

  /* Apply `fn` when the value was changed and the user leaves the control (or picks an option). */
  function onChange(control, fn) {
    var last = control.value;
    function fire() {
      if (control.value === last) { return; }
      last = control.value;
      fn(control.value, control);
    }
    control.addEventListener('change', fire);
    control.addEventListener('blur', fire);
  }

  function typeLabel(type) { return t('type:' + type) !== 'type:' + type ? t('type:' + type) : type.replace('bpmn:', ''); }

  function renderPanel() {
    var box = document.getElementById('element-form');
    var ed = activeBpmn();
    // keep what the user is typing when the panel is drawn again (e.g. after a change elsewhere)
    var active = document.activeElement;
    var keep = null;
    if (active && box.contains(active) && active.dataset.key) {
      keep = { element: box.dataset.element, key: active.dataset.key, value: active.value,
        typed: active.tagName !== 'SELECT' && active.value !== active.dataset.orig,
        start: active.selectionStart, end: active.selectionEnd };
    }
    box.innerHTML = '';
    delete box.dataset.element;
    if (!ed || !ed.modeler) {
      box.appendChild(el('p', { 'class': 'muted', text: state.active === FORMS_TAB ? t('Editing forms. The preview shows the form as users will see it.') : t('Editing decision tables.') }));
      return;
    }
    var element = selected(ed);
    if (!element || element.type === 'label') {
      box.appendChild(el('p', { 'class': 'muted', text: t('Select an element in the diagram to edit it.') }));
      return;
    }
    var bo = element.businessObject;
    var type = bo.$type;
    box.dataset.element = element.id;
    box.appendChild(el('p', { 'class': 'studio-eltype' }, [el('strong', { text: typeLabel(type) })]));

    // id
    var idInput = input(bo.id, { spellcheck: 'false', autocomplete: 'off' });
    var idErr = el('p', { 'class': 'error', hidden: true });
    onChange(idInput, function (value) {
      value = value.trim();
      var problem = null;
      if (!ID_PATTERN.test(value)) { problem = t('Use snake_case: lower-case letters, digits and _.'); } else if (value !== bo.id && services(ed).registry.get(value)) { problem = t('Another element already has this id.'); } else if (operation(value)) { problem = t('An id must not equal a service operation name.'); }
      if (problem) { idErr.textContent = problem; idErr.hidden = false; return; }
      idErr.hidden = true;
      if (value !== bo.id) { renameElement(ed, element, value); }
    });
    var idField = field(t('Id'), idInput, t('Keep ids stable between versions: cases and the audit trail refer to them.'), 'id');
    idField.appendChild(idErr);
    box.appendChild(idField);

    if (type === 'bpmn:Lane') {
      renderLane(box, ed, element);
    } else {
      var nameInput = input(bo.name, { autocomplete: 'off' });
      onChange(nameInput, function (value) {
        services(ed).modeling.updateLabel(element, value.trim() || null);
      });
      box.appendChild(field(t('Name'), nameInput, null, 'name'));
    }

    if (type === 'bpmn:ServiceTask') { renderService(box, ed, element); }
    if (type === 'bpmn:UserTask') { renderUserTask(box, ed, element); }
    if (type === 'bpmn:BusinessRuleTask') { renderDecision(box, ed, element); }
    if (type === 'bpmn:ScriptTask') { renderScript(box, ed, element); }
    if (type === 'bpmn:SequenceFlow') { renderFlow(box, ed, element); }
    if (STATUS_TYPES.indexOf(type) >= 0 && type !== 'bpmn:UserTask') { renderStatus(box, ed, element); }

    var problems = state.problems.filter(function (p) { return p.element === element.id; });
    if (problems.length) {
      box.appendChild(el('div', { 'class': 'studio-el-problems', role: 'alert' },
        problems.map(function (p) { return el('p', { 'class': 'error', text: p.text || p.message }); })));
    }
    if (keep && keep.element === element.id) {
      var again = box.querySelector('[data-key="' + CSS.escape(keep.key) + '"]');
      if (again) {
        if (keep.typed) { again.value = keep.value; }
        again.focus();
        try { again.setSelectionRange(keep.start, keep.end); } catch (e) { /* not a text control */ }
      }
    }
  }

  /* How a lane or a task names a group: by its name or a title, letter case and runs of space ignored. */
  function labelKey(s) { return String(s || '').split(/\s+/).filter(Boolean).join(' ').toLowerCase(); }

  function groupNamed(label) {
    var wanted = labelKey(label);
    if (!wanted) { return null; }
    return state.catalog.groups.filter(function (g) {
      return (g.labels || [g.name, g.title]).some(function (l) { return labelKey(l) === wanted; });
    })[0] || null;
  }

  function groupText(g) { return g.title === g.name ? g.title : g.title + ' (' + g.name + ')'; }

  function renderLane(box, ed, element) {
    var name = element.businessObject.name || '';
    var named = groupNamed(name);
    var options = [{ value: '', text: '—' }];
    state.catalog.groups.forEach(function (g) {
      var v = g === named ? name : capitalise(g.name);
      options.push({ value: v, text: groupText(g) });
    });
    if (name && !named) { options.push({ value: name, text: t('{name} (not a group)', { name: name }) }); }
    var s = select(options, name);
    onChange(s, function (value) { services(ed).modeling.updateLabel(element, value || null); });
    var groupField = field(t('Group'), s, t('User tasks in this lane are offered to this group.'), 'lane-group');
    if (!named) {
      groupField.appendChild(el('p', { 'class': 'warning', text: t('This lane has no group: nobody would get its tasks.') }));
    }
    box.appendChild(groupField);
  }

  /* The groups a user task is offered to instead of its lane's (the task property `group`). */
  function renderTaskGroups(box, ed, element) {
    var chosen = getProp(element.businessObject, 'group').split(',').map(function (s) { return s.trim(); })
      .filter(Boolean);
    var items = state.catalog.groups.map(function (g) {
      var hit = chosen.filter(function (c) { return groupNamed(c) === g; })[0];
      return { value: hit || g.name, text: groupText(g), checked: !!hit };
    });
    chosen.filter(function (c) { return !groupNamed(c); }).forEach(function (c) {
      items.push({ value: c, text: t('{name} (not a group)', { name: c }), checked: true });
    });
    var boxes = [];
    var list = el('fieldset', { 'class': 'studio-params studio-groups', dataset: { field: 'task-groups' } },
      [el('legend', { text: t('Groups') })]);
    items.forEach(function (it) {
      var cb = el('input', { type: 'checkbox', value: it.value, dataset: { key: 'group:' + it.value } });
      cb.checked = it.checked;
      boxes.push(cb);
      cb.addEventListener('change', function () {
        var names = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
        setProp(ed, element, 'group', names.join(', '));
      });
      list.appendChild(el('label', { 'class': 'studio-check' }, [cb, ' ' + it.text]));
    });
    list.appendChild(el('p', { 'class': 'hint', text: t('None ticked: the group of the task’s lane works it.') }));
    box.appendChild(list);
  }

  function renderStatus(box, ed, element) {
    var current = getProp(element.businessObject, 'status');
    var options = [{ value: '', text: '—' }].concat(state.catalog.statuses.map(function (s) { return { value: s, text: s }; }));
    if (current && state.catalog.statuses.indexOf(current) < 0) { options.push({ value: current, text: current + ' (?)' }); }
    var s = select(options, current);
    onChange(s, function (value) { setProp(ed, element, 'status', value); });
    box.appendChild(field(t('Case status'), s, t('The status a case has while it waits here.'), 'status'));
  }

  function renderService(box, ed, element) {
    var bo = element.businessObject;
    var cur = operatorOf(bo) || { id: '', resultVariable: '', params: {}, types: {} };
    var op = operation(cur.id);
    var options = [{ value: '', text: '—' }].concat(state.catalog.operations.map(function (o) { return { value: o.name, text: o.name }; }));
    if (cur.id && !op) { options.push({ value: cur.id, text: t('{name} (no handler)', { name: cur.id }) }); }
    var s = select(options, cur.id);
    onChange(s, function (value) {
      if (!value) { putExt(ed, element, 'spiffworkflow:ServiceTaskOperator', null); return; }
      cur = operatorOf(element.businessObject) || cur;
      var next = operation(value);
      var params = {};
      (next ? next.params : []).forEach(function (name) {
        var required = (next.required || []).indexOf(name) >= 0;
        params[name] = cur.params[name] || (required ? name : '');
      });
      setOperator(ed, element, {
        id: value, resultVariable: cur.resultVariable || value, params: params, types: cur.types,
        order: next ? next.params : []
      });
    });
    box.appendChild(field(t('Operation'), s, op ? op.description : t('The handler that does the work.'), 'operation'));
    if (!cur.id) {
      // no Lotsen operation: an integration worker may do the step (an external task)
      var topic = input(getProp(bo, 'topic'), { placeholder: t('e.g. archive'), spellcheck: 'false', 'class': 'code' });
      onChange(topic, function (value) { setProp(ed, element, 'topic', value.trim()); });
      box.appendChild(field(t('Or: topic for an integration worker'), topic,
        t('An integration worker does this step: it fetches it on this topic through the external-task API.'), 'topic'));
    }

    var names = op ? op.params.slice() : [];
    Object.keys(cur.params).forEach(function (n) { if (names.indexOf(n) < 0) { names.push(n); } });
    if (cur.id) {
      var group = el('fieldset', { 'class': 'studio-params' }, [el('legend', { text: t('Parameters') })]);
      if (!names.length) { group.appendChild(el('p', { 'class': 'hint', text: t('This operation takes no parameters.') })); }
      names.forEach(function (name) {
        var required = op && (op.required || []).indexOf(name) >= 0;
        var unknown = op && op.params.indexOf(name) < 0;
        var inp = input(cur.params[name], { placeholder: t('Python expression'), spellcheck: 'false', 'class': 'code' });
        onChange(inp, function () {
          var now = operatorOf(element.businessObject) || cur;  // read now: the panel may be older than the model
          var params = Object.assign({}, now.params);
          params[name] = inp.value.trim();
          setOperator(ed, element, { id: now.id, resultVariable: now.resultVariable, params: params, types: now.types, order: names });
        });
        var f = field(name + (required ? ' *' : ''), inp, unknown ? t('The operation has no such parameter.') : null, 'param:' + name);
        group.appendChild(f);
      });
      group.appendChild(el('p', { 'class': 'hint', text: t("Each value is a Python expression over the case data; text needs quotes: 'applicant'.") }));
      box.appendChild(group);
      var rv = input(cur.resultVariable, { spellcheck: 'false', 'class': 'code' });
      onChange(rv, function (value) {
        var now = operatorOf(element.businessObject) || cur;
        setOperator(ed, element, { id: now.id, resultVariable: value.trim(), params: now.params, types: now.types, order: names });
      });
      box.appendChild(field(t('Result variable'), rv, t('The handler’s answer is stored in this case variable.'), 'resultVariable'));
    }
  }

  function renderUserTask(box, ed, element) {
    var bo = element.businessObject;
    var form = getBody(bo, 'spiffworkflow:FormJsonSchemaFilename');
    var forms = formNames().map(function (n) { return n.slice('forms/'.length); });
    var options = [{ value: '', text: '—' }].concat(forms.map(function (f) { return { value: f, text: f }; }));
    if (form && forms.indexOf(form) < 0) { options.push({ value: form, text: t('{name} (missing)', { name: form }) }); }
    options.push({ value: '__new__', text: t('New form…') });
    var s = select(options, form);
    var newBox = el('div', { 'class': 'studio-newform', hidden: true });
    var newName = input('', { placeholder: t('file name, e.g. check_documents'), spellcheck: 'false' });
    newName.dataset.key = 'new-form-name';
    var create = el('button', { type: 'button', 'class': 'secondary', dataset: { key: 'new-form-create' }, text: t('Create form') });
    var newErr = el('p', { 'class': 'error', hidden: true });
    newBox.appendChild(newName);
    newBox.appendChild(create);
    newBox.appendChild(newErr);
    create.addEventListener('click', function () {
      var made = createForm(newName.value, bo.name);
      if (made.error) { newErr.textContent = made.error; newErr.hidden = false; return; }
      setBody(ed, element, 'spiffworkflow:FormJsonSchemaFilename', made.name.slice('forms/'.length));
    });
    onChange(s, function (value) {
      if (value === '__new__') {
        newBox.hidden = false;
        newName.value = element.id;
        newName.focus();
        return;
      }
      setBody(ed, element, 'spiffworkflow:FormJsonSchemaFilename', value);
    });
    var f = field(t('Form'), s, null, 'form');
    f.appendChild(newBox);
    if (form && forms.indexOf(form) >= 0) {
      f.appendChild(el('p', { 'class': 'hint' }, [el('a', {
        href: '#', text: t('Edit this form'),
        onclick: function (e) { e.preventDefault(); activate(FORMS_TAB).then(function () { openForm('forms/' + form); }); }
      })]));
    }
    box.appendChild(f);
    renderStatus(box, ed, element);
    var title = input(getProp(bo, 'title_sv'), { lang: 'sv', autocomplete: 'off' });
    onChange(title, function (value) { setProp(ed, element, 'title_sv', value.trim()); });
    var titleField = field(t('Swedish title'), title, t('Shown in the inbox (title_sv).'), 'title_sv');
    if (!getProp(bo, 'title_sv')) {
      titleField.appendChild(el('p', { 'class': 'warning', text: t('Missing: the Swedish inbox would show the English name.') }));
    }
    box.appendChild(titleField);
    renderTaskGroups(box, ed, element);
  }

  function renderDecision(box, ed, element) {
    var current = getBody(element.businessObject, 'spiffworkflow:CalledDecisionId');
    var list = decisions();
    var options = [{ value: '', text: '—' }].concat(list.map(function (d) {
      return { value: d.id, text: d.id + (d.name ? ' — ' + d.name : '') + ' (' + d.file + ')' };
    }));
    if (current && !list.some(function (d) { return d.id === current; })) { options.push({ value: current, text: t('{name} (missing)', { name: current }) }); }
    var s = select(options, current);
    onChange(s, function (value) { setBody(ed, element, 'spiffworkflow:CalledDecisionId', value); });
    var f = field(t('Decision'), s, t('The decision table this task evaluates.'), 'decision');
    var hit = list.filter(function (d) { return d.id === current; })[0];
    if (hit) {
      f.appendChild(el('p', { 'class': 'hint' }, [el('a', {
        href: '#', text: t('Edit the table'),
        onclick: function (e) { e.preventDefault(); activate(hit.file).then(function () { openDecision(hit.file, hit.id); }); }
      })]));
    }
    box.appendChild(f);
  }

  function renderScript(box, ed, element) {
    var area = el('textarea', { rows: 8, spellcheck: 'false', 'class': 'code' });
    area.value = element.businessObject.script || '';
    onChange(area, function (value) {
      services(ed).modeling.updateProperties(element, { scriptFormat: 'python', script: value });
    });
    box.appendChild(field(t('Script (Python)'), area, t('Runs in the sandbox: no import, no names starting with _.'), 'script'));
    renderUnitTests(box, ed, element);
  }

  /* spiffworkflow:unitTests (SpiffArena's format): data before the script, data it must leave. Run at deploy. */
  function unitTestsOf(bo) {
    var ext = getExt(bo, 'spiffworkflow:UnitTests');
    return ext ? (ext.get('unitTest') || []).map(function (u) {
      return { id: u.id || '', inputJson: u.inputJson || '{}', expectedOutputJson: u.expectedOutputJson || '{}' };
    }) : [];
  }

  function setUnitTests(ed, element, tests) {
    var moddle = services(ed).moddle;
    var obj = null;
    if (tests.length) {
      obj = moddle.create('spiffworkflow:UnitTests');
      obj.set('unitTest', tests.map(function (u) {
        var made = moddle.create('spiffworkflow:UnitTest', u);
        made.$parent = obj;
        return made;
      }));
    }
    putExt(ed, element, 'spiffworkflow:UnitTests', obj);
  }

  function renderUnitTests(box, ed, element) {
    var tests = unitTestsOf(element.businessObject);
    var group = el('fieldset', { 'class': 'studio-params studio-unit-tests' }, [el('legend', { text: t('Unit tests') })]);
    group.appendChild(el('p', { 'class': 'hint', text: t('Each test gives the data before the script and the data it must leave (JSON). They run at every deploy.') }));
    tests.forEach(function (u, i) {
      function change(key) {
        return function (value) {
          var now = unitTestsOf(element.businessObject);
          now[i][key] = key === 'id' ? value.trim() : value;
          setUnitTests(ed, element, now);
        };
      }
      var id = input(u.id, { spellcheck: 'false', 'class': 'code' });
      onChange(id, change('id'));
      var given = el('textarea', { rows: 3, spellcheck: 'false', 'class': 'code' });
      given.value = u.inputJson;
      onChange(given, change('inputJson'));
      var expected = el('textarea', { rows: 3, spellcheck: 'false', 'class': 'code' });
      expected.value = u.expectedOutputJson;
      onChange(expected, change('expectedOutputJson'));
      var remove = el('button', { type: 'button', 'class': 'secondary small', text: t('Remove test'), onclick: function () {
        var now = unitTestsOf(element.businessObject);
        now.splice(i, 1);
        setUnitTests(ed, element, now);
      } });
      group.appendChild(el('div', { 'class': 'studio-unit-test', dataset: { test: u.id } }, [
        field(t('Test name'), id, null, 'test:' + i + ':id'),
        field(t('Data before'), given, null, 'test:' + i + ':input'),
        field(t('Data after'), expected, null, 'test:' + i + ':expected'), remove]));
    });
    group.appendChild(el('button', { type: 'button', 'class': 'secondary small', dataset: { key: 'add-unit-test' },
      text: t('Add test'), onclick: function () {
        var now = unitTestsOf(element.businessObject);
        now.push({ id: 'test_' + (now.length + 1), inputJson: '{}', expectedOutputJson: '{}' });
        setUnitTests(ed, element, now);
      } }));
    box.appendChild(group);
  }

  function renderFlow(box, ed, element) {
    var bo = element.businessObject;
    var source = element.source;
    if (!source || ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'].indexOf(source.type) < 0) { return; }
    var isDefault = source.businessObject.default === bo;
    var cond = input(bo.conditionExpression ? bo.conditionExpression.body : '', { spellcheck: 'false', 'class': 'code', placeholder: "track == 'simple'", disabled: isDefault });
    onChange(cond, function (value) {
      var s = services(ed);
      value = value.trim();
      s.modeling.updateProperties(element, {
        conditionExpression: value ? s.moddle.create('bpmn:FormalExpression', { body: value }) : undefined
      });
    });
    box.appendChild(field(t('Condition (Python)'), cond, null, 'condition'));
    var box2 = el('input', { type: 'checkbox', checked: isDefault });
    box2.addEventListener('change', function () {
      var s = services(ed);
      if (box2.checked) {
        s.modeling.updateProperties(element, { conditionExpression: undefined });
        s.modeling.updateProperties(source, { 'default': bo });
      } else {
        s.modeling.updateProperties(source, { 'default': undefined });
      }
    });
    box2.dataset.key = 'default-flow';
    box.appendChild(el('label', { 'class': 'inline-choice' }, [box2, ' ' + t('Default flow')]));
  }

  // ------------------------------------------------------------------ DMN

  function openDmn(name, pane) {
    var modeler = new window.DmnJS({ container: pane.querySelector('.dmn-canvas') });
    var ed = { kind: 'dmn', pane: pane, modeler: modeler };
    state.editors[name] = ed;
    var refresh = debounce(function () {
      modeler.saveXML({ format: true }).then(function (r) { state.files[name] = r.xml; }).catch(function () {});
    }, 400);
    modeler.on('views.changed', function () {
      renderDmnViews(name);
      var viewer = modeler.getActiveViewer();
      if (viewer && !viewer.__lotsenBound) {
        viewer.__lotsenBound = true;
        viewer.get('eventBus').on('commandStack.changed', function (e) {
          if (e && e.trigger === 'clear') { return; }
          markDirty();
          refresh();
        });
      }
    });
    return modeler.importXML(state.files[name]).then(function () {
      var table = modeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
      return table ? modeler.open(table) : null;
    }).then(function () { renderDmnViews(name); }).catch(function (err) {
      pane.querySelector('.dmn-canvas').appendChild(el('p', { 'class': 'error', text: t('The decision file cannot be read: {msg}', { msg: err.message }) }));
    });
  }

  function renderDmnViews(name) {
    var ed = state.editors[name];
    var bar = ed.pane.querySelector('.dmn-views');
    bar.innerHTML = '';
    var active = ed.modeler.getActiveView();
    ed.modeler.getViews().forEach(function (view) {
      var label = view.type === 'drd' ? t('Decision diagram') : (view.element.name || view.element.id);
      bar.appendChild(el('button', {
        type: 'button', 'class': 'studio-chip', 'aria-pressed': active && active.element === view.element ? 'true' : 'false',
        dataset: { decision: view.element.id, viewType: view.type }, text: label,
        onclick: function () { ed.modeler.open(view); }
      }));
    });
  }

  function openDecision(file, id) {
    var ed = state.editors[file];
    if (!ed || ed.kind !== 'dmn') { return; }
    var view = ed.modeler.getViews().filter(function (v) { return v.element.id === id; })[0];
    if (view) { ed.modeler.open(view); }
  }

  // ------------------------------------------------------------------ forms

  function buildFormsPane() {
    var list = el('ul', { 'class': 'forms-list', id: 'forms-list' });
    var newName = input('', { placeholder: t('new form file name'), spellcheck: 'false', id: 'new-form-name' });
    var newErr = el('p', { 'class': 'error', hidden: true });
    var create = el('button', {
      type: 'button', 'class': 'secondary', id: 'new-form', text: t('New form'),
      onclick: function () {
        var made = createForm(newName.value, '');
        if (made.error) { newErr.textContent = made.error; newErr.hidden = false; return; }
        newErr.hidden = true;
        newName.value = '';
        openForm(made.name);
      }
    });
    var area = el('textarea', { id: 'form-json', 'class': 'code', spellcheck: 'false', rows: 24, 'aria-label': t('Form (JSON Schema)') });
    area.addEventListener('input', function () {
      if (!state.formName) { return; }
      state.files[state.formName] = area.value;
      markDirty();
      schedulePreview();
    });
    return el('div', { 'class': 'forms-editor' }, [
      el('div', { 'class': 'forms-side' }, [list, el('div', { 'class': 'forms-new' }, [newName, create, newErr])]),
      el('div', { 'class': 'forms-source' }, [
        el('div', { 'class': 'forms-source-head' }, [
          el('h3', { id: 'form-title' }),
          el('button', { type: 'button', 'class': 'secondary small', id: 'form-format', text: t('Format JSON'), onclick: formatForm })
        ]),
        area, el('div', { id: 'form-errors', 'class': 'form-errors', role: 'alert' })
      ]),
      el('div', { 'class': 'forms-preview' }, [
        el('h3', { text: t('Preview') }), el('div', { id: 'form-preview', 'class': 'card' })
      ])
    ]);
  }

  function formatForm() {
    var area = document.getElementById('form-json');
    try {
      area.value = JSON.stringify(JSON.parse(area.value), null, 2) + '\n';
    } catch (err) {
      return preview();
    }
    state.files[state.formName] = area.value;
    markDirty();
    return preview();
  }

  function renderFormsList() {
    var list = document.getElementById('forms-list');
    if (!list) { return; }
    list.innerHTML = '';
    formNames().forEach(function (name) {
      var bad = state.problems.some(function (p) { return p.file === name; });
      list.appendChild(el('li', {}, [el('button', {
        type: 'button', 'class': 'link-button' + (bad ? ' has-problem' : ''), dataset: { form: name },
        'aria-current': state.formName === name ? 'true' : null, text: name.slice('forms/'.length),
        onclick: function () { openForm(name); }
      })]));
    });
  }

  function openForm(name) {
    state.formName = name;
    var area = document.getElementById('form-json');
    if (!area) { return; }
    area.value = state.files[name] || '';
    document.getElementById('form-title').textContent = name;
    renderFormsList();
    preview();
  }

  function createForm(raw, title) {
    var base = (raw || '').trim().toLowerCase().replace(/\.json$/, '').replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
    if (!base) { return { error: t('Give the form a file name.') }; }
    var name = 'forms/' + base + '.json';
    if (state.files[name] !== undefined) { return { error: t('A form with this name exists.') }; }
    var label = title || capitalise(base.replace(/_/g, ' '));
    var schema = {
      '$schema': 'https://json-schema.org/draft/2020-12/schema',
      title: label,
      'x-title-sv': label,
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: {
        notes: { type: 'string', title: 'Notes', 'x-title-sv': 'Anteckningar', 'x-widget': 'textarea' }
      }
    };
    state.files[name] = JSON.stringify(schema, null, 2) + '\n';
    markDirty();
    renderTabs();
    renderFormsList();
    return { name: name };
  }

  var previewSeq = 0;
  function preview() {
    var name = state.formName;
    var errors = document.getElementById('form-errors');
    var out = document.getElementById('form-preview');
    var area = document.getElementById('form-json');
    var schema;
    errors.innerHTML = '';
    area.classList.remove('has-error');
    try {
      schema = JSON.parse(state.files[name]);
    } catch (err) {
      area.classList.add('has-error');
      errors.appendChild(el('p', { 'class': 'error', text: t('Not valid JSON: {msg}', { msg: err.message }) }));
      return Promise.resolve();
    }
    var seq = ++previewSeq;
    return api('POST', cfg.previewUrl, { schema: schema }).then(function (r) {
      if (seq !== previewSeq) { return; }
      var data = r.data || {};
      out.innerHTML = data.html || '';
      (data.errors || (r.ok ? [] : [{ message: data.message }])).forEach(function (e) {
        errors.appendChild(el('p', { 'class': 'error' }, [e.path ? el('code', { text: e.path }) : null, e.path ? ' ' : null, e.message]));
      });
      if ((data.errors || []).length) { area.classList.add('has-error'); }
    });
  }
  var schedulePreview = debounce(preview, 300);

  // ------------------------------------------------------------------ problems

  function editorForProblem(p) {
    if (p.file && state.files[p.file] !== undefined) { return p.file; }
    if (!p.element) { return null; }
    var hit = null;
    Object.keys(state.editors).forEach(function (name) {
      var ed = state.editors[name];
      if (ed.kind === 'bpmn' && ed.modeler && services(ed).registry.get(p.element)) { hit = hit || name; }
    });
    return hit;
  }

  function applyMarkers() {
    Object.keys(state.editors).forEach(function (name) {
      var ed = state.editors[name];
      if (ed.kind !== 'bpmn' || !ed.modeler) { return; }
      var s = services(ed);
      (ed.marked || []).forEach(function (id) {
        if (s.registry.get(id)) {
          ['lotsen-problem', 'lotsen-problem-container', 'lotsen-warning', 'lotsen-path'].forEach(function (m) {
            s.canvas.removeMarker(id, m);
          });
        }
      });
      ed.marked = [];
      state.problems.forEach(function (p) {
        if (!p.element || (p.file && p.file !== name)) { return; }
        var element = s.registry.get(p.element);
        if (element) {
          var container = element.type === 'bpmn:Lane' || element.type === 'bpmn:Participant';
          s.canvas.addMarker(p.element, p.severity === 'warning' ? 'lotsen-warning' : 'lotsen-problem');
          if (container) { s.canvas.addMarker(p.element, 'lotsen-problem-container'); }
          ed.marked.push(p.element);
        }
      });
      (state.path || []).forEach(function (id) {
        if (s.registry.get(id)) { s.canvas.addMarker(id, 'lotsen-path'); ed.marked.push(id); }
      });
    });
  }

  function showProblems(problems) {
    state.problems = problems || [];
    var section = document.getElementById('problems');
    var list = document.getElementById('problem-list');
    list.innerHTML = '';
    section.hidden = !state.problems.length;
    var errors = state.problems.filter(function (p) { return p.severity !== 'warning'; }).length;
    document.getElementById('problem-count').textContent = String(errors);
    document.getElementById('warning-count').textContent = String(state.problems.length - errors);
    document.getElementById('warning-count').hidden = errors === state.problems.length;
    section.classList.toggle('only-warnings', errors === 0);
    state.problems.forEach(function (p, i) {
      var where = [p.file, p.line].filter(function (x) { return x !== null && x !== undefined && x !== ''; }).join(':');
      var item = el('li', { 'class': p.severity === 'warning' ? 'is-warning' : 'is-error',
        dataset: { element: p.element || '', file: p.file || '', index: String(i), kind: p.kind || '' } }, [
        el('button', {
          type: 'button', 'class': 'problem', onclick: function () { focusProblem(p); }
        }, [
          where ? el('span', { 'class': 'where', text: where }) : null,
          p.element ? el('code', { text: p.element }) : null,
          p.severity === 'warning' ? el('span', { 'class': 'severity', text: t('Warning') }) : null,
          el('span', { 'class': 'message', text: p.text || p.message }),
          (p.path && p.path.length) ? el('span', { 'class': 'path', text: t('Path: {path}', { path: p.path.join(' → ') }) }) : null
        ])
      ]);
      list.appendChild(item);
    });
    applyMarkers();
    renderFormsList();
    renderPanel();
  }

  /* Show `element` in the middle of the canvas at a readable zoom. */
  function centre(canvas, element) {
    if (canvas.zoom() < 0.9) { canvas.zoom(1); }
    var box = canvas.viewbox();
    var cx = element.waypoints ? element.waypoints[0].x : element.x + element.width / 2;
    var cy = element.waypoints ? element.waypoints[0].y : element.y + element.height / 2;
    canvas.viewbox({ x: cx - box.width / 2, y: cy - box.height / 2, width: box.width, height: box.height });
  }

  function focusProblem(p) {
    state.path = p.path || [];
    applyMarkers();
    var file = editorForProblem(p);
    if (!file) { return; }
    var kind = fileKind(file);
    if (kind === 'form') {
      activate(FORMS_TAB).then(function () { openForm(file); });
      return;
    }
    activate(file).then(function () {
      var ed = state.editors[file];
      if (kind === 'dmn') { if (p.element) { openDecision(file, p.element); } return; }
      if (!p.element) { return; }
      var s = services(ed);
      var element = s.registry.get(p.element);
      if (!element) { return; }
      s.selection.select(element);
      centre(s.canvas, element);
    });
  }

  // ------------------------------------------------------------------ the gate's report and early flags

  function renderGate(report) {
    window.LotsenGate.render(document.getElementById('gate'), document.getElementById('gate-chip'), report || null, t);
  }

  /* Mark, as you edit, what the Swedish inbox or the routing would lack: user tasks without a Swedish
   * title, lanes that are no group. The full check is Validate; this one is immediate. */
  function flagMissing(ed) {
    if (!ed || ed.kind !== 'bpmn' || !ed.modeler) { return; }
    var s = services(ed);
    (ed.flagged || []).forEach(function (id) { if (s.registry.get(id)) { s.canvas.removeMarker(id, 'lotsen-flag'); } });
    ed.flagged = [];
    s.registry.forEach(function (element) {
      var bo = element.businessObject;
      if (!bo || element.type === 'label') { return; }
      var lacking = (element.type === 'bpmn:UserTask' && !getProp(bo, 'title_sv')) ||
        (element.type === 'bpmn:Lane' && state.catalog.groups.length && !groupNamed(bo.name));
      if (lacking) { s.canvas.addMarker(element.id, 'lotsen-flag'); ed.flagged.push(element.id); }
    });
    root.dataset.flagged = String(ed.flagged.length);
  }
  var flagLater = debounce(function () { flagMissing(activeBpmn()); }, 200);

  // ------------------------------------------------------------------ toolbar

  function collectFiles() {
    var names = Object.keys(state.editors);
    return Promise.all(names.map(function (name) {
      var ed = state.editors[name];
      if (!ed.modeler || (ed.kind !== 'bpmn' && ed.kind !== 'dmn')) { return null; }
      return ed.modeler.saveXML({ format: true }).then(function (r) { state.files[name] = r.xml; });
    })).then(function () { return Object.assign({}, state.files); });
  }

  function failure(r) {
    return t('The request failed: {msg}', { msg: (r.data && r.data.message) || r.status });
  }

  function saveDraft(quiet) {
    return collectFiles().then(function (files) {
      return api('POST', cfg.draftUrl, { files: files });
    }).then(function (r) {
      if (!r.ok) { setStatus(failure(r), 'error'); return false; }
      state.dirty = false;
      state.source = 'draft';
      if (r.data.base_version) { state.baseVersion = r.data.base_version; }
      renderState();
      if (!quiet) { setStatus(t('Draft saved.'), 'ok'); }
      return true;
    });
  }

  function onSave() {
    if (state.busy) { return; }
    setBusy(true);
    setStatus(t('Saving…'));
    saveDraft(false).finally(function () { setBusy(false); });
  }

  function onValidate() {
    if (state.busy) { return; }
    setBusy(true);
    setStatus(t('Validating…'));
    collectFiles().then(function (files) {
      return api('POST', cfg.validateUrl, { files: files });
    }).then(function (r) {
      if (!r.ok) { setStatus(failure(r), 'error'); return; }
      state.path = [];
      showProblems((r.data.problems || []).concat(r.data.warnings || []));
      renderGate(r.data.gate);
      if (r.data.problems.length) {
        setStatus(r.data.problems.length === 1 ? t('1 problem found. Nothing is deployed until it is fixed.')
          : t('{n} problems found. Nothing is deployed until all are fixed.', { n: r.data.problems.length }), 'error');
      } else if ((r.data.warnings || []).length) {
        setStatus(t('No problems found; {n} warnings. The bundle can be deployed.', { n: r.data.warnings.length }), 'warn');
      } else {
        setStatus(t('No problems found. The bundle can be deployed.'), 'ok');
      }
    }).finally(function () { setBusy(false); });
  }

  function onDeploy() {
    if (state.busy) { return; }
    var dialog = document.getElementById('deploy-dialog');
    document.getElementById('deploy-error').hidden = true;
    dialog.showModal();
    document.getElementById('deploy-message').focus();
  }

  function onDeployConfirm(e) {
    e.preventDefault();
    var message = document.getElementById('deploy-message').value.trim();
    if (!message) {
      var err = document.getElementById('deploy-error');
      err.textContent = t('Describe the change in a deploy message.');
      err.hidden = false;
      return;
    }
    document.getElementById('deploy-dialog').close();
    setBusy(true);
    setStatus(t('Deploying…'));
    saveDraft(true).then(function (saved) {
      if (!saved) { return null; }
      return api('POST', cfg.deployUrl, { files: Object.assign({}, state.files), message: message });
    }).then(function (r) {
      if (!r) { return; }
      if (r.ok) {
        state.path = [];
        showProblems(((r.data.gate || {}).warnings || []));
        renderGate(r.data.gate);
        document.getElementById('deploy-message').value = '';
        state.latestVersion = r.data.version;
        state.baseVersion = r.data.version;
        state.dirty = false;
        renderState();
        if (r.data['new'] === false) {
          setStatus(t('Nothing has changed since version {n}; no new version was deployed.', { n: r.data.version }), 'ok');
        } else {
          setStatus(t('Deployed as version {n}. New cases follow it.', { n: r.data.version }), 'ok',
            { href: r.data.migrate_url, text: t('Migrate running cases') });
        }
        root.dataset.deployedVersion = String(r.data.version);
      } else if (r.data && r.data.problems) {
        state.path = [];
        showProblems(r.data.problems.concat(((r.data.gate || {}).warnings || [])));
        renderGate(r.data.gate);
        setStatus(r.data.problems.length === 1 ? t('Not deployed: 1 problem.')
          : t('Not deployed: {n} problems.', { n: r.data.problems.length }), 'error');
      } else {
        setStatus(failure(r), 'error');
      }
    }).finally(function () { setBusy(false); });
  }

  // ------------------------------------------------------------------ start

  function start() {
    document.getElementById('btn-save').addEventListener('click', onSave);
    document.getElementById('btn-validate').addEventListener('click', onValidate);
    document.getElementById('btn-deploy').addEventListener('click', onDeploy);
    document.getElementById('deploy-form').addEventListener('submit', onDeployConfirm);
    document.getElementById('deploy-cancel').addEventListener('click', function () { document.getElementById('deploy-dialog').close(); });
    window.addEventListener('beforeunload', function (e) {
      if (state.dirty) { e.preventDefault(); e.returnValue = ''; }
    });
    setBusy(true);
    setStatus(t('Loading…'));
    Promise.all([
      fetch(cfg.descriptorUrl).then(function (r) { return r.json(); }),
      api('GET', cfg.catalogUrl),
      api('GET', cfg.bundleUrl)
    ]).then(function (res) {
      state.descriptor = res[0];
      if (res[1].ok) { state.catalog = res[1].data; }
      if (!res[2].ok) { throw new Error(failure(res[2])); }
      var bundle = res[2].data;
      state.files = bundle.files;
      state.source = bundle.source;
      state.baseVersion = bundle.base_version;
      state.latestVersion = bundle.latest_version;
      cfg.main = bundle.main || '';
      renderState();
      if (bundle.source === 'draft' && bundle.base_version && bundle.latest_version > bundle.base_version) {
        setStatus(t('This draft was started from version {a}; version {b} has been deployed since. Deploying the draft replaces its changes.',
          { a: bundle.base_version, b: bundle.latest_version }), 'warn');
      } else {
        setStatus('');
      }
      var first = tabOrder()[0];
      return activate(first);
    }).then(function () {
      root.dataset.ready = 'true';
    }).catch(function (err) {
      setStatus(String(err.message || err), 'error');
    }).finally(function () { setBusy(false); });
  }

  // for tests and power users: the live editors
  window.lotsenStudio = {
    state: state,
    modeler: function (name) { var ed = state.editors[name || state.active]; return ed && ed.modeler; },
    activate: activate,
    collectFiles: collectFiles,
    showProblems: showProblems
  };

  start();
}());

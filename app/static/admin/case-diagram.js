// Shows a case's path on its BPMN diagram: completed (with run counts), active, waiting, failed.
(function () {
  const container = document.getElementById("case-diagram");
  if (!container || !window.BpmnJS) return;
  const markers = JSON.parse(document.getElementById("case-markers").textContent);
  const viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.src, { credentials: "same-origin" })
    .then((r) => r.text())
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      const canvas = viewer.get("canvas");
      const overlays = viewer.get("overlays");
      const registry = viewer.get("elementRegistry");
      const mark = (id, cls) => { if (registry.get(id)) canvas.addMarker(id, cls); };
      Object.entries(markers.counts).forEach(([id, n]) => {
        mark(id, "lotsen-done");
        if (registry.get(id) && n > 1) {
          overlays.add(id, { position: { top: -10, right: 10 }, html: `<span class="lotsen-count">×${n}</span>` });
        }
      });
      markers.waiting.forEach((id) => mark(id, "lotsen-waiting"));
      markers.active.forEach((id) => mark(id, "lotsen-active"));
      markers.failed.forEach((id) => mark(id, "lotsen-failed"));
      canvas.zoom("fit-viewport");
      container.dataset.ready = "1";
    })
    .catch((err) => {
      container.textContent = "The diagram could not be shown: " + err;
      container.dataset.ready = "error";
    });
})();

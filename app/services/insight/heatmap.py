"""The diagram a heatmap is drawn on."""
from __future__ import annotations


def diagram_of(files: dict[str, str], process: str) -> str | None:
    """The BPMN file of a bundle that holds ``process``."""
    bpmn = [text for name, text in sorted(files.items()) if name.endswith(".bpmn")]
    return next((text for text in bpmn if f'id="{process}"' in text), bpmn[0] if bpmn else None)

"""XML helpers shared by the Camunda translation modules: namespaces, extension elements, properties."""
from __future__ import annotations

from lxml import etree

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "zeebe": ZEEBE_NS, "spiffworkflow": SPIFF_NS}


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def camunda_attr(el: etree._Element, name: str) -> str | None:
    return el.get(f"{{{CAMUNDA_NS}}}{name}")


def extension_elements(el: etree._Element) -> etree._Element:
    """The element's ``bpmn:extensionElements``, created (after its documentation) when missing."""
    found = el.find("bpmn:extensionElements", NS)
    if found is not None:
        return found
    ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
    docs = [c for c in el if isinstance(c.tag, str) and local(c) == "documentation"]
    el.insert(el.index(docs[-1]) + 1 if docs else 0, ext)
    return ext


def spiff_child(el: etree._Element, name: str, text: str) -> None:
    ext = extension_elements(el)
    existing = ext.find(f"spiffworkflow:{name}", NS)
    if existing is None:
        existing = etree.SubElement(ext, f"{{{SPIFF_NS}}}{name}", nsmap={"spiffworkflow": SPIFF_NS})
    existing.text = text


def set_property(el: etree._Element, name: str, value: str) -> None:
    ext = extension_elements(el)
    props = ext.find("spiffworkflow:properties", NS)
    if props is None:
        props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties", nsmap={"spiffworkflow": SPIFF_NS})
    for prop in props.findall("spiffworkflow:property", NS):
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def get_property(el: etree._Element, name: str) -> str | None:
    for prop in el.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name") == name:
            return prop.get("value")
    return None

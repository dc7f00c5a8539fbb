"""Parse and validate a deploy bundle: all or nothing, every problem named.

A bundle is the set of files of one process model ({name: text}): BPMN and DMN
diagrams and the JSON-Schema forms under ``forms/``. ``parse_bundle`` either
returns the parsed specs or raises ``BundleInvalid`` listing every problem with
file, line (where known), element id and a plain message.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR

from app.letters import templates as letter_templates
from handlers.i18n import N_

from . import camunda, process_properties, routing
from .external import is_external
from .lint import form_option_problems, lint_spec
from .parser import LotsenParser
from .rules import BundleInvalid, Problem, Rules, label_key

__all__ = ["BundleInvalid", "ParsedBundle", "Problem", "Rules", "label_key", "parse_bundle", "read_bundle"]

MAX_FILE_BYTES = 5 * 1024 * 1024
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FORM_DIR = "forms/"
#: Forms from other tools, converted to JSON-Schema forms when a diagram names them (see form_import).
IMPORTED_FORMS = (".html", ".htm", ".form")
#: Namespaces whose ``id`` attributes name elements (extension ids, e.g. operation names, may repeat).
OMG_NAMESPACES = frozenset({
    BPMN_NS, "http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC", "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/", "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/"})


@dataclass
class ParsedBundle:
    """The specs of every executable process in a bundle."""

    specs: dict  # process id -> (spec, subprocess specs)
    forms: dict[str, dict]
    element_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Files made while reading the bundle (forms from Camunda formData), stored with it.
    generated: dict[str, str] = field(default_factory=dict)
    #: {lane name: group name}: the group each lane names, fixed at deploy (lanes that are only drawings: none).
    lane_groups: dict[str, str] = field(default_factory=dict)
    #: What changes nothing or runs differently in Lotsen (informational; the deploy goes ahead).
    warnings: list[Problem] = field(default_factory=list)
    #: {process id: its properties, typed and with defaults} (see ``process_properties``).
    process_properties: dict[str, dict] = field(default_factory=dict)
    #: The parsed XML of each diagram, by file name.
    roots: dict = field(default_factory=dict)
    #: Problems that did not stop the parse (see ``read_bundle``).
    problems: list[Problem] = field(default_factory=list)


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def _parse_xml(name: str, text: str | bytes, problems: list[Problem]):
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(name, None, None, N_("file is larger than %(mb)s MB",
                                                     mb=MAX_FILE_BYTES // 1024 // 1024)))
        return None
    if re.search(rb"<!DOCTYPE|<!ENTITY", raw[:65536], re.IGNORECASE):
        problems.append(Problem(name, None, None, N_("DTDs and entity declarations are not allowed")))
        return None
    try:
        root = etree.fromstring(raw, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(name, exc.lineno, None, N_("not well-formed XML: %(error)s", error=exc.msg)))
        return None
    if root.getroottree().docinfo.doctype:
        problems.append(Problem(name, None, None, N_("DTDs are not allowed")))
        return None
    return root


def _validation_problem(exc: SpiffWorkflowException, default_file: str | None,
                        lines: dict[str, tuple[str, int]]) -> Problem:
    element = getattr(exc, "id", None) or None
    file = getattr(exc, "file_name", None) or default_file
    line = getattr(exc, "line_number", None) or None
    if element and element in lines:
        file, line = lines[element][0], line or lines[element][1]
    message = str(exc).split("\n")[0]
    message = re.sub(r"\s*Error is on line \d+.*$", "", message).strip().rstrip(".").strip() + "."
    return Problem(file, int(line) if line else None, element, message)


def _form_problems(forms: dict[str, str], problems: list[Problem]) -> dict[str, dict]:
    parsed = {}
    for name, text in forms.items():
        try:
            schema = json.loads(text)
            Draft202012Validator.check_schema(schema)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, exc.lineno, None, N_("not valid JSON: %(error)s", error=exc.msg)))
            continue
        except SchemaError as exc:
            problems.append(Problem(name, None, None, N_("not a valid JSON Schema: %(error)s", error=exc.message)))
            continue
        if schema.get("type") != "object":
            problems.append(Problem(name, None, None, N_('a form schema must have "type": "object"')))
            continue
        parsed[name[len(FORM_DIR):]] = schema
    return parsed


def _structure_problems(name: str, root, rules: Rules, lines: dict[str, tuple[str, int]],
                        soft: list[Problem]) -> list[Problem]:
    """Ids, lanes and service tasks, checked on the XML before SpiffWorkflow sees it.

    Problems SpiffWorkflow can parse past (a lane that names no group) go to ``soft``.
    """
    problems: list[Problem] = []
    operator_ids = {el.get("id") for el in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator")}
    seen: dict[str, int] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("id")
        if ident and etree.QName(el).namespace in OMG_NAMESPACES:
            if ident in seen:
                problems.append(Problem(name, el.sourceline, ident, N_(
                    "id %(id)s is used twice (lines %(first)s and %(second)s); every element needs its own id",
                    id=repr(ident), first=seen[ident], second=el.sourceline)))
            seen.setdefault(ident, el.sourceline)
        if ident:
            lines.setdefault(ident, (name, el.sourceline))
            if ident in operator_ids and etree.QName(el).namespace == BPMN_NS:
                problems.append(Problem(name, el.sourceline, ident, N_(
                    "element id %(id)s equals a service operation name; SpiffWorkflow cannot tell them apart "
                    "(rename the element, e.g. %(suggestion)s)", id=repr(ident), suggestion=f"{ident}_task")))
        if el.tag == f"{{{BPMN_NS}}}lane" and rules.group_for(el.get("name")) is None \
                and routing.routes_by_lane(el, root):
            soft.append(Problem(name, el.sourceline, ident, rules.unknown_group("lane", el.get("name") or "")))
        if el.tag == f"{{{BPMN_NS}}}serviceTask" and el.find(f".//{{{SPIFF_NS}}}serviceTaskOperator") is None \
                and not is_external(el):
            problems.append(Problem(name, el.sourceline, ident, N_(
                "service task has no operation; add spiffworkflow:serviceTaskOperator with one of %(known)s",
                known=", ".join(sorted(rules.operations)))))
    return problems


def _reference_problems(name: str, root) -> list[Problem]:
    """Flows and boundary events must point at elements that exist (SpiffWorkflow's own message misleads)."""
    ids = {el.get("id") for el in root.iter(f"{{{BPMN_NS}}}*") if el.get("id")}
    problems = []
    for el in root.iter(f"{{{BPMN_NS}}}sequenceFlow", f"{{{BPMN_NS}}}boundaryEvent"):
        for attr in ("sourceRef", "targetRef", "attachedToRef"):
            ref = el.get(attr)
            if ref is not None and ref not in ids:
                problems.append(Problem(name, el.sourceline, el.get("id"), N_(
                    "%(attribute)s %(ref)s is not an element of this diagram", attribute=attr, ref=repr(ref))))
    return problems


def _call_problems(roots: dict) -> list[Problem]:
    """Every call activity must call a process of the bundle."""
    processes = {el.get("id") for root in roots.values() for el in root.iter(f"{{{BPMN_NS}}}process")}
    problems = []
    for name, root in roots.items():
        for el in root.iter(f"{{{BPMN_NS}}}callActivity"):
            called = el.get("calledElement")
            if not called:
                problems.append(Problem(name, el.sourceline, el.get("id"), N_(
                    "call activity names no process to call (set calledElement to a process id)")))
            elif called not in processes:
                problems.append(Problem(name, el.sourceline, el.get("id"), N_(
                    "call activity calls process %(called)s, which does not exist in this bundle (processes: "
                    "%(processes)s)", called=repr(called), processes=", ".join(sorted(p for p in processes if p)))))
    return problems


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().split("\n")[0] or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _read_files(files: Mapping[str, str], rules: Rules, problems: list[Problem],
                lines: dict[str, tuple[str, int]], warnings: list[Problem],
                soft: list[Problem]) -> tuple[dict, dict[str, str]]:
    """Parse the XML of every diagram (translating Camunda exports); return roots and generated forms."""
    roots, generated = {}, {}
    for name in sorted(n for n in files if n.endswith((".bpmn", ".dmn"))):
        root = _parse_xml(name, files[name], problems)
        if root is None:
            continue
        if name.endswith(".bpmn") and camunda.applies(root):
            translation = camunda.translate(root, rules.operations,
                                            {n: t for n, t in files.items() if n.startswith(FORM_DIR)
                                             and n.endswith(IMPORTED_FORMS)})
            problems.extend(Problem(name, i.line, i.element, i.message) for i in translation.issues)
            warnings.extend(Problem(name, i.line, i.element, i.message) for i in translation.warnings)
            generated.update(translation.forms)
        found = _structure_problems(name, root, rules, lines, soft)
        if name.endswith(".bpmn"):
            found += _reference_problems(name, root)
        known = {(p.file, p.element) for p in problems}
        problems.extend(p for p in found if "service task has no operation" not in p.message
                        or (p.file, p.element) not in known)
        roots[name] = root
    return roots, generated


def _add_decisions(parser: LotsenParser, roots: dict, problems: list[Problem]) -> None:
    """Read and compile every decision of every DMN file (used or not), and check their requirements."""
    for name, root in roots.items():
        if name.endswith(".dmn"):
            problems.extend(Problem(i.file, i.line, i.element, i.message) for i in parser.add_decisions(root, name))
    problems.extend(Problem(i.file, i.line, i.element, i.message) for i in parser.decisions.check())


def _add_to_parser(parser: LotsenParser, roots: dict, lines: dict, problems: list[Problem]) -> None:
    for name, root in roots.items():
        if not name.endswith(".bpmn"):
            continue
        try:
            parser.add_bpmn_xml(etree.ElementTree(root), filename=name)
        except SpiffWorkflowException as exc:
            problems.append(_validation_problem(exc, name, lines))
        except Exception as exc:  # the parser raises bare errors on odd input
            problems.append(Problem(name, None, None, N_("cannot be read: %(error)s", error=_first_line(exc))))


def parse_bundle(files: Mapping[str, str], rules: Rules) -> ParsedBundle:
    """Parse and check every file; raise ``BundleInvalid`` unless all of it passes."""
    bundle = read_bundle(files, rules)
    if bundle.problems:
        raise BundleInvalid(bundle.problems)
    return bundle


def read_bundle(files: Mapping[str, str], rules: Rules) -> ParsedBundle:
    """Parse every file; raise ``BundleInvalid`` when the diagrams cannot be parsed.

    Problems that do not stop the parse (the checks of each element, lanes that
    name no group) come back in ``problems``, so the deploy gate can report them
    together with what it finds by walking the parsed process.
    """
    lines: dict[str, tuple[str, int]] = {}
    parser = LotsenParser(validator=VALIDATOR)
    bpmn_names = sorted(n for n in files if n.endswith(".bpmn"))
    form_names = {n: t for n, t in files.items() if n.startswith(FORM_DIR) and n.endswith(".json")}
    problems = _file_type_problems(files, bpmn_names, form_names)

    warnings: list[Problem] = []
    soft: list[Problem] = []
    roots, generated = _read_files(files, rules, problems, lines, warnings, soft)
    problems.extend(_call_problems({n: r for n, r in roots.items() if n.endswith(".bpmn")}))
    _add_decisions(parser, roots, problems)
    properties = _process_properties(roots, rules, problems)
    if not problems:
        _add_to_parser(parser, roots, lines, problems)
    forms = _form_problems({**form_names, **generated}, problems)
    if problems:
        raise BundleInvalid(_sorted(problems + soft))

    process_ids = parser.get_process_ids()
    if not process_ids:
        raise BundleInvalid([Problem(bpmn_names[0], None, None,
                                     N_('no executable process (set isExecutable="true" on a process)'))])
    specs = _process_specs(parser, process_ids, lines, problems)
    if problems:
        raise BundleInvalid(_sorted(problems + soft))
    soft.extend(form_option_problems(forms, rules))
    for spec, subprocesses in specs.values():
        for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
            try:
                soft.extend(lint_spec(s, forms, rules, lines))
            except Exception as exc:  # a lint must never turn into a 500
                soft.append(Problem(lines.get(s.name, (None,))[0], None, s.name,
                                    N_("cannot be checked: %(error)s", error=_first_line(exc))))
    soft.extend(_letter_problems(files, specs, rules))
    lane_groups = {el.get("name"): rules.group_for(el.get("name")) for root in roots.values()
                   for el in root.iter(f"{{{BPMN_NS}}}lane") if el.get("name") and rules.group_for(el.get("name"))}
    return ParsedBundle(specs=specs, forms=forms, element_lines=lines, generated=generated, lane_groups=lane_groups,
                        warnings=warnings, process_properties=properties, roots=roots, problems=_sorted(soft))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file or "", p.line or 0, p.message))


def _process_properties(roots: dict, rules: Rules, problems: list[Problem]) -> dict[str, dict]:
    """Each process's properties, checked; problems go to ``problems``."""
    found = {}
    for name, root in roots.items():
        if not name.endswith(".bpmn"):
            continue
        for pid, (title, line, values) in process_properties.read(root).items():
            problems.extend(process_properties.check(name, line, pid, values, rules))
            found[pid] = process_properties.normalise(pid, title, values)
    return found


def _letter_problems(files: Mapping[str, str], specs: dict, rules: Rules) -> list[Problem]:
    """Letter templates: each compiles and renders, and every letter a used operation sends exists."""
    needed: dict[str, str] = {}
    for spec, subprocesses in specs.values():
        for s in [spec, *[v for v in subprocesses.values() if v is not None]]:
            for ts in s.task_specs.values():
                op = rules.operations.get(getattr(ts, "operation_name", None) or "")
                for kind in getattr(op, "letters", ()):
                    needed.setdefault(kind, op.name)
    found = letter_templates.problems(files, needed, ZoneInfo("Europe/Stockholm"))
    return [Problem(file, line, None, message) for file, line, message in found]


def _file_type_problems(files: Mapping[str, str], bpmn_names: list[str],
                        form_names: Mapping[str, str]) -> list[Problem]:
    """Files of no known type, and a bundle without a diagram."""
    dmn_names = sorted(n for n in files if n.endswith(".dmn"))
    imported = {n for n in files if n.startswith(FORM_DIR) and n.endswith(IMPORTED_FORMS)}
    letters = {n for n in files if letter_templates.is_letter_file(n)}
    unknown = sorted(set(files) - set(bpmn_names) - set(dmn_names) - set(form_names) - imported - letters)
    problems = [Problem(name, None, None, N_("unknown file type (expected .bpmn, .dmn, forms/ with .json, .html "
                                             "or .form files, or letters/*.html)"))
                for name in unknown]
    if not bpmn_names:
        problems.append(Problem(None, None, None, N_("the bundle has no .bpmn file")))
    return problems


def _process_specs(parser: LotsenParser, process_ids, lines: dict, problems: list[Problem]) -> dict:
    """Each executable process's spec and subprocess specs by process id; failures go to ``problems``."""
    specs = {}
    for pid in process_ids:
        try:
            specs[pid] = (parser.get_spec(pid), parser.get_subprocess_specs(pid))
        except SpiffWorkflowException as exc:
            problems.append(_validation_problem(exc, lines.get(pid, (None,))[0], lines))
        except Exception as exc:  # the parser raises bare errors on odd input
            problems.append(Problem(lines.get(pid, (None,))[0], None, pid,
                                    N_("cannot parse process: %(error)s", error=_first_line(exc))))
    return specs



"""``lotsen simulate`` and the studio's simulation pages: ask, watch the progress, read and reopen the result."""
from __future__ import annotations

import json
import multiprocessing

import pytest
from click.testing import CliRunner

from app.cli import main
from app.models import SimulationRun
from tests.test_web import Browser


@pytest.fixture
def petra(app, actors):
    """The process owner, logged in."""
    browser = Browser(app)
    browser.login("petra")
    return browser


@pytest.fixture
def cli(rt, settings, monkeypatch):
    monkeypatch.setenv("LOTSEN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LOTSEN_INSTANCE_DIR", settings.instance_dir)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["simulate", "--process", "building_permit", "--per-year", "20000",
                                         "--no-history", *args])

    return invoke


def test_simulate_prints_each_scenario_and_the_difference(cli):
    result = cli("--cases", "12", "--staff", "officer=1", "--compare-staff", "officer=4", "--workers", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("building_permit: 12 cases per run, 1 run from seed 1")
    assert any(line.startswith("A v1") and "officer=1" in line for line in lines)
    assert any(line.startswith("B v1") and "officer=4" in line for line in lines)
    assert any(line.startswith("B − A: statutory median") for line in lines)


def test_simulate_as_json_gives_the_same_figures_on_two_processes_as_on_one(cli):
    serial = cli("--cases", "6", "--runs", "2", "--seed", "3", "--json", "--workers", "1")
    parallel = cli("--cases", "6", "--runs", "2", "--seed", "3", "--json", "--workers", "2")
    assert serial.exit_code == 0 and parallel.exit_code == 0, serial.output + parallel.output
    one, two = json.loads(serial.output), json.loads(parallel.output)
    assert one["scenarios"][0]["metrics"] == two["scenarios"][0]["metrics"]
    assert len(one["scenarios"][0]["metrics"]["statutory_days_median"]["runs"]) == 2


@pytest.mark.parametrize(("args", "says"), [
    (("--cases", "5", "--staff", "officer"), "write GROUP=PEOPLE"),
    (("--cases", "0"), "cases: must be a number of cases from 1 to 1,000,000"),
    (("--cases", "5", "--version", "9"), "no such deployed process or version"),
])
def test_simulate_refuses_bad_options_in_one_line(cli, args, says):
    result = cli(*args)
    assert result.exit_code != 0
    assert says in result.output
    assert "Traceback" not in result.output


def test_a_saved_simulation_reopens_in_the_studio(cli, petra):
    result = cli("--cases", "8", "--save", "--workers", "1")
    assert result.exit_code == 0, result.output
    run_id = int(result.output.rsplit("saved as simulation ", 1)[1].split(":")[0])
    page = petra.get(f"/studio/simulations/{run_id}").get_data(as_text=True)
    assert 'id="sim-results"' in page and 'data-metric="within_10_weeks_share"' in page
    assert f"#{run_id}" in petra.get("/studio/simulations/").get_data(as_text=True)
    diagram = petra.get(f"/studio/simulations/{run_id}/0.bpmn")
    assert diagram.status_code == 200 and b'id="building_permit"' in diagram.data


def test_the_studio_page_starts_a_simulation_in_its_own_process_and_shows_the_result(rt, petra):
    form = {"process": "building_permit", "cases": "8", "runs": "2", "seed": "1", "arrivals": "rate",
            "per_year": "20000", "title": "Fler handläggare", "a-version": "1", "a-staff-officer": "2",
            "compare": "1", "b-version": "1", "b-staff-officer": "4"}
    answer = petra.post_form("/studio/simulations/", "/studio/simulations/", form)
    assert answer.status_code == 302
    run_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for worker in multiprocessing.active_children():
        if worker.name == f"lotsen-simulation-{run_id}":
            worker.join(timeout=120)
    status = petra.get(f"/studio/simulations/{run_id}/status.json").get_json()
    assert status == {"status": "done", "progress": 1.0, "error": None}
    with rt.db.unit_of_work(write=False) as session:
        run = session.get(SimulationRun, run_id)
        assert run.title == "Fler handläggare"
        assert [s["staff"]["officer"]["people"] for s in run.result["scenarios"]] == [2, 4]
    page = petra.get(f"/studio/simulations/{run_id}").get_data(as_text=True)
    assert "Fler handläggare" in page and 'id="sim-results"' in page


def test_the_studio_page_refuses_a_bad_request_beside_its_field(rt, petra):
    answer = petra.post_form("/studio/simulations/", "/studio/simulations/",
                             {"process": "building_permit", "cases": "0", "runs": "1", "a-version": "1"})
    assert answer.status_code == 422
    assert "måste vara ett antal ärenden från 1 till 1 000 000" in answer.get_data(as_text=True)
    with rt.db.unit_of_work(write=False) as session:
        assert session.query(SimulationRun).count() == 0


def test_officers_may_not_open_the_simulation_pages(app, actors):
    olga = Browser(app)
    olga.login("olga")
    assert olga.get("/studio/simulations/").status_code == 403


def test_the_fast_lane_comparison_shows_its_difference_within_ten_weeks_in_swedish_and_english(rt, cli, petra):
    from tests.test_simulation import deploy_without_fast_lane

    without = deploy_without_fast_lane(rt)
    result = cli("--cases", "30", "--version", "1", "--compare-version", str(without), "--staff", "coordinator=2",
                 "--staff", "officer=5", "--runs", "5", "--save", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("B − A:") and "within 10 weeks" in line and "points" in line
               for line in result.output.splitlines())
    run_id = int(result.output.rsplit("saved as simulation ", 1)[1].split(":")[0])
    for lang, words in (("sv", "procentenheter beslutade inom 10 veckor"),
                        ("en", "percentage points decided within 10 weeks")):
        page = petra.client.get(f"/studio/simulations/{run_id}", headers={"Accept-Language": lang})
        sentence = page.get_data(as_text=True).split('id="sim-difference"')[1].split("</p>")[0]
        assert words in sentence and "95" in sentence


def _saved(cli, rt, change) -> int:
    """A simulation saved from the command line, its stored result then changed by ``change``."""
    from sqlalchemy.orm.attributes import flag_modified

    result = cli("--cases", "8", "--save", "--workers", "1", "--compare-staff", "officer=3")
    assert result.exit_code == 0, result.output
    run_id = int(result.output.rsplit("saved as simulation ", 1)[1].split(":")[0])
    with rt.db.unit_of_work() as session:
        run = session.get(SimulationRun, run_id)
        change(run.result)
        flag_modified(run, "result")
    return run_id


def _figures(result: dict) -> None:
    a, b = result["scenarios"]
    a["metrics"]["fee_reductions_kronor"] = {"mean": 12500.0, "low": 9800.4, "high": 15200.0, "runs": []}
    a["failures"] = [{"element": "review", "step": "Review application", "step_sv": "Handlägg ärendet",
                      "reason": "refused", "error": "HandlerInputError: extension_reason: must be given", "count": 1}]
    b["failures"] = [{"element": None, "step": None, "step_sv": None, "reason": "failed",
                      "error": "EngineError: boom", "count": 3}]
    result["difference"]["within_10_weeks_share"] = {"mean": -0.126, "low": -0.147, "high": -0.104, "runs": []}
    result["difference"]["statutory_days_median"] = {"mean": 36.6, "low": 27.9, "high": 45.3, "runs": []}


@pytest.mark.parametrize(("lang", "says"), [
    ("sv", ["Scenario A: 1 ansökan kunde inte simuleras fram till beslut. Den stannade vid steget "
            "”Handlägg ärendet”: steget godtog inte de simulerade svaren, hur de än gavs.",
            "Scenario B: 3 ansökningar kunde inte simuleras fram till beslut; oftast: steget misslyckades "
            "(en hanterare, ett skript eller ett uttryck).",
            "12\u00a0500\u00a0kr <span class=\"muted\">(9\u00a0800 till 15\u00a0200)</span>",
            "\u221212,6\u00a0procentenheter <span class=\"muted\">(\u221214,7 till \u221210,4)</span>",
            "\u221212,6 procentenheter beslutade inom 10 veckor (95\u00a0%-intervall \u221214,7 till \u221210,4); "
            "lagstadgad handläggningstid, median +36,6 dagar (+27,9 till +45,3)"]),
    ("en", ["Scenario A: 1 application could not be simulated to a decision. It stopped at the step "
            "“Review application”: the step refused the simulated answers however they were given.",
            "Scenario B: 3 applications could not be simulated to a decision; most often: the step failed "
            "(a handler, a script or an expression).",
            "12,500\u00a0kr <span class=\"muted\">(9,800 to 15,200)</span>",
            "\u221212.6\u00a0percentage points <span class=\"muted\">(\u221214.7 to \u221210.4)</span>"]),
])
def test_the_results_say_where_cases_stopped_and_give_figures_as_the_reader_writes_them(cli, rt, petra, lang, says):
    run_id = _saved(cli, rt, _figures)
    page = petra.client.get(f"/studio/simulations/{run_id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    text = page.replace("&#8221;", "”").replace("&#8220;", "“").replace("&#34;", '"')
    for sentence in says:
        assert sentence in text
    assert "HandlerInputError" not in page and "EngineError" not in page and "(-" not in page and "–-" not in page


def test_the_command_line_says_where_a_case_stopped_and_writes_intervals_with_to(cli, rt, monkeypatch):
    from app.simulation import run as simulation_run
    from handlers.registry import HandlerInputError

    complete = simulation_run.Run._complete

    def refusing(self, case, task, events, refused=None):
        if task.element == "review":
            raise HandlerInputError("extension_reason", "must be given")
        return complete(self, case, task, events, refused)

    monkeypatch.setattr(simulation_run.Run, "_complete", refusing)
    result = cli("--cases", "3", "--runs", "2", "--workers", "1", "--json")
    (scenario,) = json.loads(result.output)["scenarios"]
    assert scenario["failures"][0] == {
        "element": "review", "step": "Review application", "step_sv": "Handlägg ärendet", "reason": "refused",
        "error": "HandlerInputError: extension_reason: must be given", "count": scenario["failures"][0]["count"]}
    lines = cli("--cases", "3", "--runs", "2", "--workers", "1").output.splitlines()
    stopped = [line for line in lines if "could not be simulated" in line]
    assert stopped and "at the step “Review application”: the step refused the simulated answers" in stopped[0]
    assert "HandlerInputError" not in stopped[0]
    monkeypatch.setattr(simulation_run.Run, "_complete", complete)
    lines = cli("--cases", "6", "--runs", "2", "--workers", "1").output.splitlines()
    figures = next(line for line in lines if line.startswith("A v1")).split("officer")[1]
    assert " to " in figures and "–" not in figures and "-" not in figures

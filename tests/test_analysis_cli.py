"""Every analysis command on the default demo (``kamgraph demo --today 2026-11-28``), on both stores.

Each command runs through the CLI with ``--json`` at the demo's date and must give a
sensible answer; errors must give one line and the right exit code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.store.base import GraphStore
from tests.cli_helpers import Cli
from tests.conftest import BACKENDS, make_store

TODAY = "2026-11-28"


@dataclass
class Demo:
    cli: Cli
    store: GraphStore

    def json(self, *args: str) -> dict:
        return self.cli.json(*args, "--as-of", TODAY)

    def ids(self, label: str, **where: str) -> list[str]:
        return [node.id for node in self.store.list_nodes(label, where=where, limit=1000)]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    store = make_store(request.param, Path(tmp_path_factory.mktemp("demo")))
    cli = Cli.of(store)
    code, _, stderr = cli.run("demo", "--today", TODAY)
    assert code == 0, stderr
    yield Demo(cli, store)
    store.close()


@pytest.fixture(scope="module")
def evaluated(demo: Demo) -> str:
    """A tender in evaluation: its committee is in a quiet period."""
    return demo.ids("Tender", status="evaluation")[0]


@pytest.fixture(scope="module")
def region(demo: Demo) -> str:
    """The top territory of the default demo: its one region."""
    return demo.ids("Territory", level="region")[0]


def test_tender_in_evaluation(demo: Demo, evaluated: str) -> None:
    result = demo.json("tender", evaluated, "--top", "5")
    assert result["tender"]["id"] == evaluated and result["tender"]["quiet_period"]
    assert 0 <= result["coverage"] <= 1 and 0 <= result["competitor_exposure"] <= 1
    assert -1 <= result["support_balance"] <= 1
    assert len(result["items"]) == 5
    assert [i["score"] for i in result["items"]] == sorted((i["score"] for i in result["items"]),
                                                           reverse=True)
    holders = [item for item in result["items"] if item["role"]]
    assert holders and all("quiet_period" in item["flags"] for item in holders)


def test_next_best_leaves_out_the_quiet_period(demo: Demo, evaluated: str) -> None:
    quiet = quiet_role_holders(demo.store.whole_graph(), as_of=date.fromisoformat(TODAY))
    flagged = {item["id"] for item in demo.json("tender", evaluated, "--top", "1000")["items"]
               if "quiet_period" in item["flags"]}
    assert flagged and flagged <= quiet
    suggested = demo.json("next-best", evaluated, "--k", "5")["items"]
    assert len(suggested) == 5 and not {item["id"] for item in suggested} & quiet
    assert all(not set(item["path"]["nodes"]) & quiet for item in suggested if item["path"])
    asked = demo.json("next-best", evaluated, "--k", "5", "--include-quiet")["items"]
    assert {item["id"] for item in asked} & quiet
    assert [i["gain"] for i in asked] == sorted((i["gain"] for i in asked), reverse=True)


def test_coverage_of_the_region_has_gaps(demo: Demo, region: str) -> None:
    result = demo.json("coverage", region, "--top", "10", "--compare", "2026-06-01")
    assert result["people"] > 100 and len(result["gaps"]) == 10
    assert 0 < result["coverage_headcount"] <= result["coverage_weighted"] < 1
    assert result["compare"]["as_of"] == "2026-06-01"
    assert result["by_account_manager"] and result["stale"]


def test_paths_to_gap_people(demo: Demo, region: str) -> None:
    gaps = demo.json("coverage", region, "--top", "5")["gaps"]
    found = [demo.json("paths", gap["id"]) for gap in gaps]
    assert any(result["paths"] for result in found)
    for gap, result in zip(gaps, found, strict=True):
        assert result["paths"] or "quiet period" in result["note"]
        for path in result["paths"]:
            assert path["nodes"][-1] == gap["id"] and path["nodes"][0].startswith("am-")
            assert 0 < path["strength"] <= 1 and len(path["nodes"]) <= 5


def test_paths_from_one_account_manager(demo: Demo, region: str) -> None:
    gap = demo.json("coverage", region, "--top", "1")["gaps"][0]["id"]
    manager = demo.ids("AccountManager")[1]
    result = demo.json("paths", gap, "--from", manager, "--k", "2", "--include-quiet")
    assert result["paths"] and all(p["nodes"][0] == manager for p in result["paths"])


def test_rank_everyone_a_territory_and_an_organization(demo: Demo, region: str) -> None:
    everyone = demo.json("rank", "--top", "5")
    assert everyone["metric"] == "influence" and len(everyone["items"]) == 5
    in_region = demo.json("rank", "--territory", region, "--metric", "importance", "--top", "3")
    assert len(in_region["items"]) == 3 and in_region["items"][0]["score"] <= 1
    hospital = demo.ids("Organization", type="hospital")[0]
    staff = demo.json("rank", "--organization", hospital, "--metric", "decision", "--top", "100")
    workers = {rel.start for rel in demo.store.relationships_of(hospital, rel_type="WORKS_AT")}
    assert staff["items"] and {item["id"] for item in staff["items"]} <= workers


def test_factions_and_brokers(demo: Demo, region: str) -> None:
    factions = demo.json("factions")["factions"]
    assert len(factions) >= 2
    assert sum(f["influence_share"] for f in factions) == pytest.approx(1)
    brokers = demo.json("brokers", "--territory", region, "--top", "5")["items"]
    assert len(brokers) == 5 and brokers[0]["score"] > 0


def test_what_if_the_most_influential_leaves(demo: Demo, evaluated: str, region: str) -> None:
    top = demo.json("tender", evaluated, "--top", "1")["items"][0]["id"]
    result = demo.json("what-if", top, "--tender", evaluated)
    assert result["removed"]["id"] == top and result["scope"] == {"tender": evaluated}
    assert result["changes"] and any(change["delta"] != 0 for change in result["changes"])
    assert 0 <= result["coverage_after"] <= 1 and 0 <= result["coverage_before"] <= 1
    in_region = demo.json("what-if", top, "--territory", region, "--top", "3")
    assert len(in_region["changes"]) == 3


def test_plans(demo: Demo) -> None:
    plans = demo.json("plans")["items"]
    assert plans and {"id", "stakeholder", "current_stage", "at_risk"} <= set(plans[0])
    at_risk = demo.json("plans", "--at-risk")["items"]
    assert all(item["at_risk"] for item in at_risk)
    assert len(at_risk) == sum(item["at_risk"] for item in plans)


def test_tables_by_default(demo: Demo, evaluated: str) -> None:
    code, stdout, _ = demo.cli.run("tender", evaluated, "--top", "3", "--as-of", TODAY)
    top = demo.json("tender", evaluated, "--top", "1")["items"][0]["id"]
    assert code == 0 and "support balance" in stdout and top in stdout


@pytest.mark.parametrize(("args", "message"), [
    (["tender", "t-nobody"], "error: no tender with id 't-nobody'"),
    (["paths", "s-nobody"], "error: no stakeholder with id 's-nobody'"),
    (["coverage", "tr-nobody"], "error: no territory with id 'tr-nobody'"),
    (["rank", "--organization", "o-nobody"], "error: no organization with id 'o-nobody'"),
    (["factions", "--territory", "s-000001"],
     "error: no territory with id 's-000001' (it is a stakeholder)"),
])
def test_unknown_ids_exit_1_with_one_line(demo: Demo, args: list[str], message: str) -> None:
    code, _, stderr = demo.cli.run(*args)
    assert (code, stderr.strip()) == (1, message)


def test_unknown_account_manager(demo: Demo, region: str) -> None:
    person = demo.ids("Stakeholder")[0]
    code, _, stderr = demo.cli.run("paths", person, "--from", "am-nobody")
    assert (code, stderr.strip()) == (1, "error: no account manager with id 'am-nobody'")


def test_unknown_metric_lists_the_known_ones(demo: Demo) -> None:
    code, _, stderr = demo.cli.run("rank", "--metric", "charisma")
    assert code == 1
    assert stderr.strip() == ("error: unknown metric 'charisma'; choose one of: influence, "
                              "decision, importance, betweenness, degree, closeness, eigenvector")


def test_bad_dates_and_scopes_exit_2(demo: Demo, evaluated: str) -> None:
    code, _, stderr = demo.cli.run("tender", evaluated, "--as-of", "28.11.2026")
    assert code == 2 and "'28.11.2026' is not a date like 2026-03-31" in stderr
    code, _, stderr = demo.cli.run("what-if", "s-000001")
    assert code == 2 and "exactly one of --tender and --territory" in stderr


@pytest.mark.parametrize("node_id", ["t-000005", "tr-000001", "s-000002"])
def test_map_writes_an_offline_page(tmp_path: Path, node_id: str) -> None:
    from typer.testing import CliRunner

    from kamgraph.cli import app

    db = f"sqlite:///{tmp_path}/map.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "demo", "--today", "2026-11-28"]).exit_code == 0
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["--db", db, "map", node_id, "--out", str(out),
                                 "--as-of", "2026-11-28", "--json"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype html")
    assert "window.kamgraphMap" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", page)  # nothing to fetch
    missing = runner.invoke(app, ["--db", db, "map", "o-000001", "--out", str(out)])
    assert missing.exit_code == 1
    assert "no tender, territory or stakeholder with id 'o-000001'" in missing.stderr

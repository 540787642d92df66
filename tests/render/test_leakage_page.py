"""The leakage page's payload (what the page shows), built directly, and its PNG."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.text import Text

from valleymaps.analysis.io_model import compute_leakage, example_tables
from valleymaps.render.leakage_page import (
    build_leakage_payload,
    format_usd,
    render_leakage_png,
)
from valleymaps.render.png import figure_png

REGION = pd.Series({"111": 10.0, "311": 20.0, "54": 5.0})
NATION = pd.Series({"111": 100.0, "311": 100.0, "54": 100.0})
CLUSTERS = {"food": ["311"], "farms": ["111"]}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return compute_leakage(example_tables(), REGION, NATION, method="sdp", cluster_map=CLUSTERS,
                           cluster_names={"food": "Food <b>processing</b>", "farms": "Farms"})


def test_targets_are_ranked_with_where_from_and_buyers(result) -> None:  # type: ignore[no-untyped-def]
    payload = build_leakage_payload(result, region_name="Valley")
    targets = payload["targets"]
    assert [t["rank"] for t in targets] == list(range(1, len(targets) + 1))
    supports = [t["market_support_usd"] for t in targets]
    assert supports == sorted(supports, reverse=True)
    expected = result.targets.sort_values("rank")
    assert supports == pytest.approx(expected["market_support_usd"].tolist())
    for t in targets:  # rest of the U.S. + abroad = market support
        assert t["leakage_us_usd"] + t["leakage_abroad_usd"] == pytest.approx(t["market_support_usd"])
        assert t["share_us"] + t["share_abroad"] == pytest.approx(1.0)
        by_cluster = result.by_cluster[result.by_cluster["commodity"] == t["commodity"]]
        assert sum(b["usd"] for b in t["buyers"]) == pytest.approx(by_cluster["leakage_usd"].sum())
        assert [b["usd"] for b in t["buyers"]] == sorted((b["usd"] for b in t["buyers"]), reverse=True)
    names = {b["cluster"] for t in targets for b in t["buyers"]}
    assert "Food <b>processing</b>" in names  # kept as data; the page sets it as text
    assert payload["dollars_year"] == 2012 and payload["dollars"] == "2012 dollars"
    assert payload["method"] == "sdp" and payload["plan"]["rows"] == []


def test_heat_map_is_cluster_by_commodity(result) -> None:  # type: ignore[no-untyped-def]
    heat = build_leakage_payload(result, region_name="Valley")["heat"]
    assert len(heat["values"]) == len(heat["clusters"])
    assert all(len(row) == len(heat["commodities"]) for row in heat["values"])
    bc = result.by_cluster
    for i, name in enumerate(heat["clusters"]):
        for j, code in enumerate(heat["commodities"]):
            cell = bc[(bc["cluster_name"] == name) & (bc["commodity"] == code)]["leakage_usd"].sum()
            assert heat["values"][i][j] == pytest.approx(cell)


def test_plan_side_by_side_and_reasons(result) -> None:  # type: ignore[no-untyped-def]
    plan = pd.DataFrame({
        "plan_rank": [1, 2], "description": ["Services", "Widgets"],
        "plan_market_support_usd": [5e8, 4e8], "commodities": ["540000", "999999"],
        "recomputed_market_support_usd": [1e6, float("nan")], "recomputed_rank": [1.0, float("nan")],
    })
    payload = build_leakage_payload(result, region_name="Valley", plan_comparison=plan,
                                    spearman=float("nan"), employment_year=2021)
    rows = payload["plan"]["rows"]
    assert [r["recomputed_rank"] for r in rows] == [1, None]
    assert rows[0]["note"] == "" and rows[1]["note"] == "not in the BEA tables' commodities"
    assert payload["plan"]["found"] == 1 and payload["plan"]["spearman"] is None
    reasons = " ".join(payload["reasons"])
    for needle in ("2010", "2012 dollars", "IMPLAN", "regional purchase coefficients",
                   "2013", "R&D", "Farm coverage", "supply-demand pooling"):
        assert needle in reasons, needle
    assert "rank correlation" not in payload["finding"]


def test_finding_names_the_top_target_and_its_support(result) -> None:  # type: ignore[no-untyped-def]
    payload = build_leakage_payload(result, region_name="Valley", spearman=0.25)
    top = payload["targets"][0]
    assert payload["finding"].startswith(f"Top target: {top['description']}, "
                                         f"{format_usd(top['market_support_usd'])}")
    assert "2012 dollars" in payload["finding"] and "+0.25" in payload["finding"]


def test_png_has_the_same_bytes_every_time(result) -> None:  # type: ignore[no-untyped-def]
    payload = build_leakage_payload(result, region_name="Valley")

    def png() -> bytes:
        return figure_png(render_leakage_png(payload))

    first = png()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first == png()
    assert b"Software" not in first and b"Creation" not in first


def test_png_prints_dollar_amounts_as_written(result) -> None:  # type: ignore[no-untyped-def]
    payload = build_leakage_payload(result, region_name="Valley $ and $")
    fig = render_leakage_png(payload, synthetic_notice="Synthetic: $1 and $2")
    texts = {t.get_text(): t.get_parse_math() for t in fig.findobj(Text) if t.get_text()}
    assert "Synthetic: $1 and $2" in " ".join(texts)
    assert not any(texts.values())


def test_png_shortens_long_target_names_with_an_ellipsis(result) -> None:  # type: ignore[no-untyped-def]
    payload = build_leakage_payload(result, region_name="Valley")
    long_name = "Advertising, public relations, and related services of every kind"
    payload["targets"][0] = {**payload["targets"][0], "description": long_name}
    fig = render_leakage_png(payload)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    shown = next(label for label in labels if label.startswith("1. "))
    assert shown.endswith("…") and len(shown) <= len("1. ") + 48
    assert long_name.startswith(shown[len("1. "):-1])
    short = [t for t in payload["targets"][1:] if len(t["description"]) <= 48]
    assert all(f"{t['rank']}. {t['description']}" in labels for t in short)  # shorter names as written

"""Flow map pages and the commuting atlas section (without a browser)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.text import Text
from shapely.geometry import box

from valleymaps.analysis.commuting import compute_flow_lines, compute_inflow_outflow
from valleymaps.io.flows.store import import_flows
from valleymaps.render._safe_json import script_json
from valleymaps.render.choropleth import MapText
from valleymaps.render.flow_map import (
    FlowMapOptions,
    build_flow_payload,
    render_flow_map,
    render_static_flow_map,
)
from valleymaps.workflows.context import AtlasContext
from valleymaps.workflows.flows_pages import flows_section
from valleymaps.workflows.sections import SECTIONS
from valleymaps.workspace import CONFIG_NAME, Workspace

REGION = ["06019", "06039"]
SQUARES = {  # geoid: (name, lon, lat, in region)
    "06019": ("Fresno", -120.0, 36.4, True),
    "06039": ("Madera", -120.0, 37.0, True),
    "06037": ("Los Angeles", -118.6, 34.6, False),
    "06001": ("Alameda", -122.0, 37.6, False),
}


def counties() -> gpd.GeoDataFrame:
    rows = [{"geoid": g, "name": n, "in_region": r, "geometry": box(x, y, x + 0.5, y + 0.5)}
            for g, (n, x, y, r) in SQUARES.items()]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def acs_flows() -> pd.DataFrame:
    rows = [
        ("06019", "06019", 1000, 50.0), ("06019", "06039", 120, 20.0), ("06039", "06019", 200, 30.0),
        ("06039", "06039", 400, 25.0), ("06019", "06037", 90, 15.0), ("06039", "06001", 60, 12.0),
        ("06001", "06039", 30, 9.0), ("06019", "32003", 12, 8.0), ("06019", "F303", 5, 4.0),
    ]
    return pd.DataFrame(rows, columns=["h_geoid", "w_geoid", "workers", "workers_moe"])


def test_flow_page_carries_on_map_lines_and_lists_the_rest(tmp_path: Path) -> None:
    c = counties()
    flows = acs_flows()
    lines = compute_flow_lines(flows, level="county", region_counties=REGION, mappable=list(c["geoid"]))
    measures = pd.concat([compute_inflow_outflow(flows, level="county", region_counties=REGION),
                          compute_inflow_outflow(flows, level="region", region_counties=REGION)])
    names = {g: f"{n} County" for g, (n, *_rest) in SQUARES.items()} | {
        "32": "Nevada", "F303": "</script><img src=x onerror=alert(1)>"}
    options = FlowMapOptions(measures=measures, names=names, text=MapText("Flows", "test"),
                             places=c[~c["in_region"]], top_n=3)
    fmap = render_flow_map(lines, c[c["in_region"]], options)
    path = tmp_path / "flows.html"
    fmap.save(str(path))
    html = path.read_text(encoding="utf-8")

    assert "<img src=x" not in html  # data text never becomes markup
    payload = build_flow_payload(lines, c[c["in_region"]], options)
    assert script_json(payload) in html  # the page carries exactly this payload
    assert {(x["o"], x["d"]) for x in payload["lines"]} == {
        ("06019", "06039"), ("06039", "06019"), ("06019", "06037"), ("06039", "06001"), ("06001", "06039")}
    assert {x["place"] for x in payload["offMap"]} == {"32", "F303"}
    assert payload["summary"]["SJV"][""]["outflow"] == 90 + 60 + 12 + 5
    assert payload["hasMoe"] is True
    assert payload["defaults"]["topN"] == 3


def test_static_flow_map_draws_the_largest_flows() -> None:
    c = counties()
    lines = compute_flow_lines(acs_flows(), level="county", region_counties=REGION, mappable=list(c["geoid"]))
    fig = render_static_flow_map(lines, c[c["in_region"]], title="Flows", subtitle="test",
                                 places=c[~c["in_region"]], top_n=2, not_drawn_note="3 smaller flows")
    texts = [t.get_text() for t in fig.texts]
    assert "Flows" in texts and "3 smaller flows" in texts
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "The 2 largest flows"
    # the kinds differ by line pattern too, not by colour alone (a grey print still tells them)
    kinds = {
        h.get_label(): str(h._unscaled_dash_pattern)  # matplotlib has no public getter of the dashes
        for h in legend.legend_handles
        if "workers" not in h.get_label()
    }
    assert set(kinds) == {"Leaving the region", "Entering the region", "Within the region"}
    assert len(set(kinds.values())) == 3, kinds


def test_static_flow_map_prints_dollar_signs_as_written() -> None:
    c = counties()
    lines = compute_flow_lines(acs_flows(), level="county", region_counties=REGION, mappable=list(c["geoid"]))
    fig = render_static_flow_map(lines, c[c["in_region"]], title="Flows: $5 and $6", subtitle="$1 of $2",
                                 places=c[~c["in_region"]], top_n=2, not_drawn_note="3 flows ($ and $)")
    texts = {t.get_text(): t.get_parse_math() for t in fig.findobj(Text) if t.get_text()}
    assert "Flows: $5 and $6" in texts and "3 flows ($ and $)" in texts
    assert not any(texts.values())  # mathtext would drop the dollar signs and italicise between them


@pytest.fixture
def flow_workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    (root / "data" / "geo").mkdir(parents=True)
    (root / CONFIG_NAME).write_text('[region]\nname = "Test Valley"\n'
                                    'counties = { "06019" = "Fresno", "06039" = "Madera" }\n')
    counties().to_file(root / "data" / "geo" / "ca_counties.geojson", driver="GeoJSON")
    ws = Workspace.open(root)
    csv = tmp_path / "acs_county_flows_2009_2013_us.csv"
    lines = ["h_state_fips,h_county_fips,w_state_fips,w_county_fips,flow,moe"] + [
        f"{h[:2]},{h[2:]},{'0' + w[:2] if not w.startswith('F') else w[1:]},"
        f"{w[2:] if not w.startswith('F') else 'NA'},{n},{int(m)}"
        for h, w, n, m in acs_flows().itertuples(index=False)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_flows(ws, [csv], format="acs-county")
    return ws


def context_for(ws: Workspace, build: Path, *, png: bool) -> AtlasContext:
    c = counties()
    region = c[c["in_region"]].copy()
    region["name"] = region["name"] + " County"
    (build / "png").mkdir(parents=True)
    return AtlasContext(ws=ws, build_dir=build, counties_web=region[["geoid", "name", "geometry"]],
                        tracts_web=None, county_names={"06019": "Fresno", "06039": "Madera"}, png=png)


def test_atlas_section_writes_pages_pngs_table_and_cards(flow_workspace: Workspace, tmp_path: Path) -> None:
    build = tmp_path / "maps"
    cards = flows_section(context_for(flow_workspace, build, png=True))

    assert [c.href for c in cards] == ["flows-acs-county-flows-2009-2013-county.html",
                                       "commuting-acs-county-flows-2009-2013.html"]
    for card in cards:
        assert (build / card.href).is_file()
        assert card.thumbnail and (build / card.thumbnail).is_file()
    # the region: 1,887 employed residents, 90 + 60 + 12 + 5 = 167 working outside it: 8.85%
    assert "8.9% ± " in cards[0].finding and "Test Valley" in cards[0].finding
    assert "Los Angeles County" in cards[0].finding
    assert "Madera County" in cards[1].finding
    table = pd.read_csv(build / "tables" / "commuting-acs-county-flows-2009-2013.csv", dtype={"geoid": str})
    assert set(table["geoid"]) == {"SJV", "06019", "06039"}
    assert table.loc[table["geoid"] == "SJV", "outflow"].iloc[0] == 167
    assert (build / "png" / "commuting-acs-county-flows-2009-2013-county-net.png").is_file()
    between = pd.read_csv(build / "tables" / "commuting-acs-county-flows-2009-2013-between-counties.csv")
    assert between[["home", "work", "workers"]].values.tolist() == [
        ["Madera County", "Fresno County", 200.0], ["Fresno County", "Madera County", 120.0]]
    outside = pd.read_csv(build / "tables" / "commuting-acs-county-flows-2009-2013-outside.csv")
    assert outside.loc[outside["direction"] == "destinations", "place"].tolist() == [
        "Los Angeles County", "Alameda County", "Nevada", "Mexico"]
    choropleth = (build / cards[1].href).read_text(encoding="utf-8")
    assert "vmFlows.addMoeLines" in choropleth and "Margin of error (90%)" in choropleth


def test_section_is_registered_and_silent_without_flows(tmp_path: Path) -> None:
    assert any(getattr(s, "__name__", "") == "flows_section" for s in SECTIONS)
    root = tmp_path / "empty"
    root.mkdir()
    (root / CONFIG_NAME).write_text("")
    assert flows_section(context_for(Workspace.open(root), tmp_path / "m", png=False)) == []

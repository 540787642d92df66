from click.testing import CliRunner

from valleymaps.cli import cli


def run(*args, cwd=None):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_init_then_build_writes_the_atlas(tmp_path):
    ws = tmp_path / "valley"
    result = run("init", ws)
    assert result.exit_code == 0, result.output
    assert "Created workspace" in result.output
    assert (ws / "data" / "geo" / "ca_counties.geojson").is_file()
    assert (ws / "data" / "econ" / "clusters.toml").is_file()
    result = run("build", "--workspace", ws, "--no-png", "--scheme", "Natural Breaks", "-k", "4")
    assert result.exit_code == 0, result.output
    assert "7 cluster pages" in result.output
    assert "synthetic sample data" in result.output
    assert (ws / "outputs" / "maps" / "index.html").is_file()
    assert not list((ws / "outputs" / "maps" / "png").glob("*.png"))


def test_init_refuses_an_existing_workspace_without_overwrite(tmp_path):
    assert run("init", tmp_path / "w").exit_code == 0
    result = run("init", tmp_path / "w")
    assert result.exit_code == 1
    assert "already a valleymaps workspace" in result.output and "--overwrite" in result.output
    assert "Traceback" not in result.output
    assert run("init", tmp_path / "w", "--overwrite").exit_code == 0


def test_build_outside_a_workspace_says_what_to_do(tmp_path):
    result = run("build", "--workspace", tmp_path)
    assert result.exit_code == 1
    assert "not a valleymaps workspace" in result.output
    assert "valleymaps init" in result.output


def test_unknown_scheme_lists_the_valid_ones_before_reading_any_data(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--scheme", "headtail", "--no-png")
    assert result.exit_code == 2
    assert "unknown classification scheme 'headtail'" in result.output
    assert "natural_breaks" in result.output
    assert not (tmp_path / "w" / "outputs" / "maps" / "index.html").exists()


def test_an_unknown_scheme_in_valleymaps_toml_is_refused_when_the_config_is_read(tmp_path):
    ws = tmp_path / "w"
    run("init", ws)
    config = ws / "valleymaps.toml"
    config.write_text(config.read_text().replace('scheme = "quantiles"', 'scheme = "headtail"'))
    assert 'scheme = "headtail"' in config.read_text()
    result = run("build", "-w", ws, "--no-png")
    assert result.exit_code == 1
    assert "[maps] scheme" in result.output and "headtail" in result.output
    assert "natural_breaks" in result.output and "Traceback" not in result.output


def test_user_breaks_must_be_numbers(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--scheme", "user_defined", "--breaks", "1,two")
    assert result.exit_code == 2
    assert "give numbers separated by commas" in result.output


def test_year_not_in_data_is_a_clear_error(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--end-year", "2025", "--no-png")
    assert result.exit_code == 1
    assert "no employment for 2025" in result.output and "2011, 2012, 2013" in result.output
    result = run("build", "-w", tmp_path / "w", "--from", "2009", "--no-png")
    assert result.exit_code == 1 and "no employment for 2009" in result.output


def test_analysis_years_in_the_settings_must_be_years(tmp_path):
    run("init", tmp_path / "w")
    toml = tmp_path / "w" / "valleymaps.toml"
    toml.write_text(toml.read_text().replace("# base_year = 2011", 'base_year = "2015"'))
    result = run("build", "-w", tmp_path / "w", "--no-png")
    assert result.exit_code == 1
    assert "[analysis] base_year" in result.output and "'2015'" in result.output
    assert "Traceback" not in result.output


def test_init_overwrite_keeps_flows_imported_under_the_bundled_name(tmp_path):
    import json

    ws = tmp_path / "w"
    run("init", ws)
    meta = ws / "data" / "econ" / "flows" / "acs_county_flows_2009_2013.meta.json"
    table = meta.with_name("acs_county_flows_2009_2013.county.csv")
    bundled = json.loads(meta.read_text())
    assert bundled["bundled"] is True and bundled["synthetic"] is False
    # a full import of the same table replaces the extract (no "bundled" key)
    imported = {k: v for k, v in bundled.items() if k != "bundled"}
    meta.write_text(json.dumps(imported))
    table.write_text("h_geoid,w_geoid,workers,workers_moe\n06019,06019,5,1.0\n")
    assert run("init", ws, "--overwrite").exit_code == 0
    assert "bundled" not in json.loads(meta.read_text())
    assert table.read_text().endswith("06019,06019,5,1.0\n")
    # the bundled extract itself is restored
    meta.write_text(json.dumps(bundled))
    assert run("init", ws, "--overwrite").exit_code == 0
    assert len(table.read_text().splitlines()) > 800


def test_python_dash_m_and_version(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "valleymaps", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("valleymaps, version ")


def test_build_with_an_unknown_language_is_one_error_listing_the_languages(tmp_path):
    assert run("init", tmp_path / "w").exit_code == 0
    result = run("build", "--workspace", tmp_path / "w", "--lang", "fr")
    assert result.exit_code == 1
    assert "no atlas language 'fr'" in result.output and "en (en-US), es (es-US)" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "w" / "outputs" / "maps" / "index.html").exists()


def test_command_line_build_uses_both_cores_and_an_embedding_process_one(tmp_path, monkeypatch):
    # a fresh 'valleymaps build' process may fork its workers; a caller that runs the command
    # inside its own process (a notebook, a test session) may hold GDAL threads and must not
    import os

    import valleymaps.workflows.atlas as atlas
    from valleymaps import settings
    from valleymaps.errors import ValleymapsError

    ws = tmp_path / "valley"
    assert run("init", ws).exit_code == 0
    asked: list[object] = []

    def record(_ws, **kwargs):
        asked.append(kwargs["workers"])
        raise ValleymapsError("stopped after the options were read")

    monkeypatch.setattr(atlas, "build_atlas", record)
    CliRunner().invoke(cli, ["build", "--workspace", str(ws)])
    CliRunner().invoke(cli, ["build", "--workspace", str(ws)], obj={"fresh_process": True})
    CliRunner().invoke(cli, ["build", "--workspace", str(ws), "--workers", "1"], obj={"fresh_process": True})
    assert asked == [None, min(settings.CLI_BUILD_WORKERS, os.cpu_count() or 1), 1]

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


def test_unknown_scheme_lists_the_valid_ones(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--scheme", "headtail", "--no-png")
    assert result.exit_code == 1
    assert "unknown classification scheme 'headtail'" in result.output
    assert "natural_breaks" in result.output


def test_user_breaks_must_be_numbers(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--scheme", "user_defined", "--breaks", "1,two")
    assert result.exit_code == 2
    assert "give numbers separated by commas" in result.output


def test_year_not_in_data_is_a_clear_error(tmp_path):
    run("init", tmp_path / "w")
    result = run("build", "-w", tmp_path / "w", "--end-year", "2015", "--no-png")
    assert result.exit_code == 1
    assert "no employment for 2015" in result.output and "2011, 2021" in result.output


def test_python_dash_m_and_version(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "valleymaps", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("valleymaps, version ")

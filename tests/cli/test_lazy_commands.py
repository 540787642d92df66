"""Each command imports what it needs only: ``valleymaps build --help`` answers at once."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from valleymaps.cli import cli


def modules_after(*args: str) -> set[str]:
    code = (
        "import sys\nfrom valleymaps.cli import cli\n"
        f"try:\n    cli({list(args)!r}, prog_name='valleymaps')\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('valleymaps', 'requests')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split()[-1000:])


def test_build_help_loads_the_build_command_only() -> None:
    loaded = modules_after("build", "--help")
    assert "valleymaps.cli.build_cmd" in loaded
    assert not {"valleymaps.cli.fetch_cmd", "valleymaps.cli.import_cmd", "requests"} & loaded


def test_every_command_is_listed_and_import_has_its_subcommands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("build", "fetch", "import", "init", "leakage", "projects", "suitability", "validate"):
        assert f"  {name} " in result.output
    result = CliRunner().invoke(cli, ["import", "--help"])
    for name in ("employment", "flows", "io", "metros", "projects", "tracts"):
        assert f"  {name} " in result.output
    unknown = CliRunner().invoke(cli, ["biuld"])
    assert unknown.exit_code == 2 and "No such command 'biuld'" in unknown.output

#!/usr/bin/env bash
# Rebuild every bundled data file under data/ and refresh the checksum table in data/PROVENANCE.md.
#
#   bash scripts/build_all_data.sh            # uses .venv/bin/python, or $PYTHON if set
#
# 1. scripts/build_counties.py             -> data/geo/ca_counties.geojson (+ .meta.json)
#                                             (needs npm and the npm registry)
# 2. scripts/build_leakage_targets.py      -> data/econ/leakage_targets.csv
#                                             (reads ../shared/leakage_targets.csv)
# 3. scripts/build_synthetic_employment.py -> data/econ/employment/employment_synthetic_...
# 4. scripts/build_bea_extract.py          -> data/econ/io/bea_2012_detail.npz (+ .meta.json)
#                                             (reads ../shared/realdata/io, the BEA workbooks)
# 5. scripts/build_acs_flows_extract.py    -> data/econ/flows/acs_county_flows_2009_2013.*
#                                             (reads ../shared/realdata/commuting/
#                                              acs_county_flows_2009_2013_us.csv, or $ACS_FLOWS)
# data/econ/clusters.toml is edited by hand (it is the source, not a product); steps 2 and 3
# read it. Every step writes the same bytes on every run, so `git diff` shows real changes only.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
PYTHON=${PYTHON:-.venv/bin/python}

"$PYTHON" scripts/build_counties.py
"$PYTHON" scripts/build_leakage_targets.py
"$PYTHON" scripts/build_synthetic_employment.py
"$PYTHON" scripts/build_bea_extract.py
"$PYTHON" scripts/build_acs_flows_extract.py ${ACS_FLOWS:+"$ACS_FLOWS"}

# Replace the lines between the checksum markers of PROVENANCE.md with fresh sha256 sums.
"$PYTHON" - <<'EOF'
import hashlib
from pathlib import Path

from valleymaps.workspace import BUNDLED_FILES  # the files `valleymaps init` copies

files = [rel for rel in BUNDLED_FILES if rel != "PROVENANCE.md"]
start, end = "<!-- checksums:start -->", "<!-- checksums:end -->"
provenance = Path("data/PROVENANCE.md")
text = provenance.read_text(encoding="utf-8")
if start not in text or end not in text:
    raise SystemExit(f"{provenance} lacks the markers {start} / {end}; restore them.")
rows = ["| file | bytes | sha256 |", "| --- | ---: | --- |"]
for rel in files:
    data = (Path("data") / rel).read_bytes()
    rows.append(f"| `{rel}` | {len(data):,} | `{hashlib.sha256(data).hexdigest()}` |")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
provenance.write_text(head + start + "\n" + "\n".join(rows) + "\n" + end + tail, encoding="utf-8")
print(f"updated the checksums in {provenance}")
EOF

#!/usr/bin/env python
"""Build the bundled extract of the ACS 2009-2013 county-to-county commuting flows.

Reads the Census Bureau's table ``acs_county_flows_2009_2013_us.csv`` (every U.S. county pair,
137,000 rows) and keeps the rows whose home **or** work county is one of the region's counties
(the eight San Joaquin Valley counties of ``valleymaps.settings``): everything the atlas's
commuting pages measure for the region (residents, jobs, in- and out-commuters, where they go and
come from, with margins of error). The rows go through valleymaps' own ACS reader, so the result
is exactly what ``valleymaps import flows acs_county_flows_2009_2013_us.csv --format acs-county``
stores for those rows, and is written as a stored flows dataset::

    acs_county_flows_2009_2013.county.csv   h_geoid,w_geoid,workers,workers_moe
    acs_county_flows_2009_2013.meta.json    what the data are (source, vintage, notes ...)

``valleymaps init`` copies both into ``data/econ/flows/`` of every new workspace, so the first
``valleymaps build`` already draws real commuting maps. The ACS tables are works of the U.S.
Government (public domain). Same bytes on every run (the import date is fixed).

Usage::

    python scripts/build_acs_flows_extract.py [SOURCE.csv] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from valleymaps import settings
from valleymaps.io.flows.store import read_flows

REPO = Path(__file__).resolve().parents[1]
SOURCE_NAME = "acs_county_flows_2009_2013_us.csv"
DEFAULT_SOURCE = REPO.parent / "shared" / "realdata" / "commuting" / SOURCE_NAME
DEFAULT_OUT_DIR = REPO / "data" / "econ" / "flows"
NAME = "acs_county_flows_2009_2013"
#: Fixed so that the metadata has the same bytes on every run.
IMPORTED_AT = "2026-12-06T00:00:00+00:00"


def select_rows(source: Path, region: list[str]) -> tuple[list[str], list[list[str]], int]:
    """Header, the rows whose home or work county is in ``region``, and the number of data rows read."""
    with source.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        kept, read = [], 0
        for row in reader:
            if len(row) < 4:
                continue
            read += 1
            home = row[0] + row[1]
            work = row[2][-2:] + row[3] if row[2][:1] == "0" and len(row[2]) == 3 else ""
            if home in region or work in region:
                kept.append(row)
    return header, kept, read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help=f"the Census table (default: {DEFAULT_SOURCE})")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"folder for {NAME}.county.csv and .meta.json (default: {DEFAULT_OUT_DIR})")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"{args.source} not found: pass the path of {SOURCE_NAME}", file=sys.stderr)
        return 2
    region = sorted(settings.VALLEY_COUNTIES)
    header, rows, read = select_rows(args.source, region)
    source_sha256 = hashlib.sha256(args.source.read_bytes()).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / SOURCE_NAME  # the reader takes the vintage from the file name
        with extract.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        dataset = read_flows([extract], format="acs-county", region_counties=region)
    table = dataset.tables["county"].sort_values(["h_geoid", "w_geoid"], ignore_index=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.out_dir / f"{NAME}.county.csv"
    csv_path.write_bytes(table.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    notes = [
        f"bundled extract: the {len(table):,} county pairs whose home or work county is one of the "
        f"{len(region)} San Joaquin Valley counties (of {read:,} rows in {SOURCE_NAME}); flows "
        "between two counties outside the Valley are left out. Import the whole table for them.",
        *[n for n in dataset.notes if not n.endswith("county pairs") and "lines at the end" not in n],
    ]
    meta = {
        "name": NAME,
        "format": dataset.format,
        "source": dataset.source,
        "vintage": dataset.vintage,
        "levels": ["county"],
        "detail_counties": None,
        "imported_from": [SOURCE_NAME],
        "synthetic": False,
        "notes": notes,
        "rows": {"county": len(table)},
        "imported_at": IMPORTED_AT,
        "lodes_version": None,
        "states": [],
        "job_type": None,
        "totals": {},
        "bundled": True,
        "source_sha256": source_sha256,
        "region_counties": region,
    }
    meta_path = args.out_dir / f"{NAME}.meta.json"
    meta_path.write_bytes((json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"wrote {csv_path}: {len(table):,} county pairs of {read:,} rows (source sha256 "
          f"{source_sha256[:12]}...)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

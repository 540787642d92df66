#!/usr/bin/env python
"""Build ``data/econ/leakage_targets.csv``: the plan's leakage targets with NAICS codes and clusters.

The 2012 San Joaquin Valley cluster plan lists industries whose inputs the Valley buys from
outside, each with the market a new or expanded local business could serve (IMPLAN 3 model,
IMPLAN industry descriptions). This script adds two columns to that table:

``naics``
    the NAICS 2017 code(s) of the IMPLAN industry, 6 digits, separated by ``;``;
``cluster``
    the key (in ``data/econ/clusters.toml``) of the cluster the industry belongs to, or, for a
    business service outside every cluster, the cluster it mainly serves.

The mapping is the table ``TARGETS`` below. A description missing from it stops the build with
a message naming it: add a row, do not guess.

Usage::

    python scripts/build_leakage_targets.py [SOURCE_CSV] [--out-dir DIR] [--clusters TOML]

``SOURCE_CSV`` defaults to ``../shared/leakage_targets.csv`` next to the repository.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from valleymaps.clusters import load_clusters

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "leakage_targets.csv"
DEFAULT_OUT_DIR = REPO / "data" / "econ"
DEFAULT_CLUSTERS = REPO / "data" / "econ" / "clusters.toml"
OUT_NAME = "leakage_targets.csv"
COLUMNS = ("description", "market_support_usd", "naics", "cluster")


@dataclass(frozen=True)
class Target:
    """NAICS 2017 codes of one IMPLAN industry and the cluster it belongs to or serves."""

    naics: tuple[str, ...]
    cluster: str


#: IMPLAN industry description -> NAICS 2017 codes (with their 2017 titles) and cluster.
#: IMPLAN sectors are defined as sets of NAICS industries; where NAICS 2012/2017 merged or
#: renumbered the 2007 codes IMPLAN 3 used, the current code is given.
TARGETS: dict[str, Target] = {
    # 533110 Lessors of Nonfinancial Intangible Assets (except Copyrighted Works): patents,
    # trademarks, franchises, plant-variety licences. Outside the clusters; assigned (a
    # judgement) to agriculture, whose growers and food processors license varieties and brands.
    "Lessors of nonfinancial intangible assets": Target(("533110",), "agriculture"),
    # 5417 Scientific Research and Development Services: 541713 Nanotechnology, 541714
    # Biotechnology (except Nanobiotechnology), 541715 Physical, Engineering, and Life Sciences
    # (except Nanotechnology and Biotechnology), 541720 Social Sciences and Humanities.
    # Outside the clusters; assigned (a judgement) to agriculture: crop, food and agtech research.
    "Scientific research and development services": Target(
        ("541713", "541714", "541715", "541720"), "agriculture"
    ),
    # 322121 Paper (except Newsprint) Mills; 322122 Newsprint Mills
    "Paper mills": Target(("322121", "322122"), "manufacturing"),
    # 111110 Soybean Farming; 111120 Oilseed (except Soybean) Farming
    "Oilseed farming": Target(("111110", "111120"), "agriculture"),
    # 325193 Ethyl Alcohol Manufacturing; 325194 Cyclic Crude, Intermediate, and Gum and Wood
    # Chemical Manufacturing; 325199 All Other Basic Organic Chemical Manufacturing
    "Other basic organic chemical manufacturing": Target(
        ("325193", "325194", "325199"), "manufacturing"
    ),
    # 325110 Petrochemical Manufacturing
    "Petrochemical manufacturing": Target(("325110",), "manufacturing"),
    # 325220 Artificial and Synthetic Fibers and Filaments Manufacturing (325221 and 325222
    # until NAICS 2012)
    "Artificial and synthetic fibers and filaments manufacturing": Target(
        ("325220",), "manufacturing"
    ),
    # 511210 Software Publishers. Outside the clusters; an input to every cluster, assigned (a
    # judgement) to manufacturing, the cluster the plan ties to all the others.
    "Software publishers": Target(("511210",), "manufacturing"),
    # 325211 Plastics Material and Resin Manufacturing
    "Plastics material and resin manufacturing": Target(("325211",), "manufacturing"),
    # 532111 Passenger Car Rental; 532112 Passenger Car Leasing; 532120 Truck, Utility
    # Trailer, and RV (Recreational Vehicle) Rental and Leasing. Outside the clusters; truck
    # and trailer leasing serves logistics.
    "Automotive equipment rental and leasing": Target(("532111", "532112", "532120"), "logistics"),
    # 326160 Plastics Bottle Manufacturing
    "Plastics bottle manufacturing": Target(("326160",), "manufacturing"),
    # 5416 Management, Scientific, and Technical Consulting Services: 541611 Administrative
    # Management and General Management, 541612 Human Resources, 541613 Marketing, 541614
    # Process, Physical Distribution, and Logistics, 541618 Other Management Consulting,
    # 541620 Environmental Consulting (in water_technology), 541690 Other Scientific and
    # Technical Consulting. Outside the clusters except 541620; assigned (a judgement) to
    # manufacturing, like software.
    "Management, scientific, and technical consulting services": Target(
        ("541611", "541612", "541613", "541614", "541618", "541620", "541690"), "manufacturing"
    ),
    # 331314 Secondary Smelting and Alloying of Aluminum; 331315 Aluminum Sheet, Plate, and
    # Foil Manufacturing; 331318 Other Aluminum Rolling, Drawing, and Extruding (331316 and
    # 331319 until NAICS 2012)
    "Aluminum product manufacturing from purchased aluminum": Target(
        ("331314", "331315", "331318"), "manufacturing"
    ),
    # 5418 Advertising, Public Relations, and Related Services: 541810 Advertising Agencies,
    # 541820 Public Relations Agencies, 541830 Media Buying Agencies, 541840 Media
    # Representatives, 541850 Outdoor Advertising, 541860 Direct Mail Advertising, 541870
    # Advertising Material Distribution Services, 541890 Other Services Related to
    # Advertising. Outside the clusters; assigned (a judgement) to agriculture, whose food and
    # beverage brands are the Valley's likeliest buyers.
    "Advertising and related services": Target(
        ("541810", "541820", "541830", "541840", "541850", "541860", "541870", "541890"),
        "agriculture",
    ),
    # 322130 Paperboard Mills
    "Paperboard Mills": Target(("322130",), "manufacturing"),
    # 326191 Plastics Plumbing Fixture Manufacturing; 326199 All Other Plastics Product
    # Manufacturing (326192 Resilient Floor Covering merged into 326199 in NAICS 2012)
    "Other plastics product manufacturing": Target(("326191", "326199"), "manufacturing"),
    # 334413 Semiconductor and Related Device Manufacturing (incl. photovoltaic cells)
    "Semiconductor and related device manufacturing": Target(("334413",), "manufacturing"),
    # 332431 Metal Can Manufacturing; 332439 Other Metal Container Manufacturing
    "Metal can, box, and other metal container (light gauge) manufacturing": Target(
        ("332431", "332439"), "manufacturing"
    ),
    # 326111 Plastics Bag and Pouch Manufacturing; 326112 Plastics Packaging Film and Sheet
    # (including Laminated) Manufacturing; 326113 Unlaminated Plastics Film and Sheet (except
    # Packaging) Manufacturing
    "Plastics packaging materials and unlaminated film and sheet manufacturing": Target(
        ("326111", "326112", "326113"), "manufacturing"
    ),
    # 3363 Motor Vehicle Parts Manufacturing: 336310 Gasoline Engine and Engine Parts, 336320
    # Electrical and Electronic Equipment, 336330 Steering and Suspension Components (except
    # Spring), 336340 Brake System, 336350 Transmission and Power Train Parts, 336360 Seating
    # and Interior Trim, 336370 Metal Stamping, 336390 Other Motor Vehicle Parts
    "Motor vehicle parts manufacturing": Target(
        ("336310", "336320", "336330", "336340", "336350", "336360", "336370", "336390"),
        "manufacturing",
    ),
    # 325998 All Other Miscellaneous Chemical Product and Preparation Manufacturing
    "All other chemical product and preparation manufacturing": Target(
        ("325998",), "manufacturing"
    ),
    # 325180 Other Basic Inorganic Chemical Manufacturing (325181, 325182 and 325188 until
    # NAICS 2012)
    "All other basic inorganic chemical manufacturing": Target(("325180",), "manufacturing"),
    # 5413 Architectural, Engineering, and Related Services: 541310 Architectural, 541320
    # Landscape Architectural, 541330 Engineering, 541340 Drafting, 541350 Building
    # Inspection, 541360 Geophysical Surveying and Mapping, 541370 Surveying and Mapping
    # (except Geophysical), 541380 Testing Laboratories
    "Architectural, engineering, and related services": Target(
        ("541310", "541320", "541330", "541340", "541350", "541360", "541370", "541380"),
        "public_sector_infrastructure",
    ),
}


def _key(description: str) -> str:
    """Compare descriptions without regard to case or spacing."""
    return " ".join(description.split()).casefold()


def build_rows(source: Path, cluster_keys: set[str]) -> list[dict[str, str]]:
    """Rows of the output table, in the order of ``source``; every problem reported at once."""
    by_key = {_key(d): t for d, t in TARGETS.items()}
    problems: list[str] = []
    for description, target in TARGETS.items():
        if target.cluster not in cluster_keys:
            problems.append(
                f"mapping for {description!r} names cluster {target.cluster!r}, which "
                f"clusters.toml does not define (defined: {', '.join(sorted(cluster_keys))})"
            )
        bad = [c for c in target.naics if not (c.isdigit() and len(c) == 6)]
        if bad:
            problems.append(f"mapping for {description!r} has codes that are not 6 digits: {bad}")
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing_cols = {"description", "market_support_usd"} - set(reader.fieldnames or [])
        if missing_cols:
            raise SystemExit(
                f"{source}: missing column(s) {sorted(missing_cols)} "
                f"(found {reader.fieldnames}); expected description,market_support_usd."
            )
        rows = []
        for number, row in enumerate(reader, start=1):
            description = row["description"].strip()
            amount = row["market_support_usd"].strip()
            found = by_key.get(_key(description))
            if found is None:
                problems.append(
                    f"row {number}: no NAICS mapping for {description!r}; add it to TARGETS in "
                    f"{Path(__file__).name}"
                )
                continue
            if not amount.isdigit():
                problems.append(f"row {number}: market_support_usd {amount!r} is not whole dollars")
            rows.append(
                {
                    "description": description,
                    "market_support_usd": amount,
                    "naics": ";".join(found.naics),
                    "cluster": found.cluster,
                }
            )
    if problems:
        raise SystemExit(
            f"cannot build {OUT_NAME} from {source}:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    if not rows:
        raise SystemExit(f"{source} has no rows.")
    return rows


def render_csv(rows: list[dict[str, str]]) -> str:
    """CSV text with ``\\n`` line ends, quoting only where needed (same bytes every run)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help=f"the plan's table (default: {DEFAULT_SOURCE})")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"folder to write {OUT_NAME} into (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--clusters", type=Path, default=DEFAULT_CLUSTERS,
                        help="cluster definitions whose keys the cluster column must use")
    args = parser.parse_args(argv)

    if not args.source.is_file():
        raise SystemExit(f"{args.source} not found; pass the path of the plan's leakage_targets.csv.")
    clusters = load_clusters(args.clusters)
    rows = build_rows(args.source, {c.key for c in clusters})
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / OUT_NAME
    out.write_bytes(render_csv(rows).encode("utf-8"))
    n_codes = sum(len(r["naics"].split(";")) for r in rows)
    print(f"wrote {out}: {len(rows)} targets, {n_codes} NAICS codes", file=sys.stderr)
    outside = codes_outside_clusters(rows, [p for c in clusters for p in c.naics])
    if outside:
        print(
            "codes matched by no cluster prefix (data/PROVENANCE.md must list them): "
            + " ".join(outside),
            file=sys.stderr,
        )
    return 0


def codes_outside_clusters(rows: list[dict[str, str]], prefixes: list[str]) -> list[str]:
    """Target NAICS codes that no cluster prefix matches, sorted."""
    codes = {code for row in rows for code in row["naics"].split(";")}
    return sorted(c for c in codes if not any(c.startswith(p) for p in prefixes))


if __name__ == "__main__":
    sys.exit(main())

"""Read employment files into :class:`~valleymaps.employment.EmploymentDataset`.

Four formats, each in its own module:

========== =================================== =======================================
format     files                               module
========== =================================== =======================================
cbp        County Business Patterns county or  :mod:`~valleymaps.io.employment.cbp`
           state files (cbp21co.txt, .zip)
lodes-wac  LEHD LODES WAC (ca_wac_S000_JT00_   :mod:`~valleymaps.io.employment.lodes_wac`
           2021.csv.gz)
qcew       BLS QCEW CSVs by area (annual or    :mod:`~valleymaps.io.employment.qcew`
           quarterly) and open-data API slices
csv        geoid,naics,year,employment[,flag]  :mod:`~valleymaps.io.employment.plain_csv`
========== =================================== =======================================

:func:`read_employment` reads one or more files of one format into one
dataset; :func:`~valleymaps.io.employment.store.import_employment` also
saves it in a workspace.
"""

from valleymaps.io.employment.read import (
    FORMATS,
    detect_format,
    parse_employment_file,
    read_employment,
    resolve_format,
)
from valleymaps.io.employment.store import import_employment, load_datasets, save_dataset

__all__ = [
    "FORMATS",
    "detect_format",
    "import_employment",
    "load_datasets",
    "parse_employment_file",
    "read_employment",
    "resolve_format",
    "save_dataset",
]

"""Contracts of the tables read from the practice-sheet brochure and the three web pages.

* ``practice_sheets``: one row per sheet of the brochure of the 2nd Assises nationales de
  l'intégration au niveau local;
* ``practice_contacts``: one row per contact person printed on a sheet;
* ``conventions``: one row per (organisation, year) integration convention of the ministry;
* ``narrative_projects``: one row per numbered project of the IOM France project page.

Each class is the only definition of its table's columns, their order and their types. Empty
text is ``""`` or null; normalised values keep their printed form in a ``*_raw`` column beside
them. Rows are validated with ``amif_extract.tables.schema_findings(TableSpec(name, model, key),
rows)``, which turns every failure into a ``schema_error`` finding; ``TABLES`` names the model
and key column of each table.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
E164 = r"\+\d{6,15}"
EMAIL = r"[^@\s;]+@[^@\s;]+\.[A-Za-z]{2,}"
URL = r"https?://[^\s;]+"


def listed(pattern: str) -> str:
    """Empty, or one or more values of ``pattern`` joined by ``"; "``."""
    return rf"^(?:{pattern}(?:; {pattern})*)?$"


class PracticeSheets(pa.DataFrameModel):
    sheet_id: Series[str] = pa.Field(unique=True, str_matches=rf"^sheet-{SLUG}$")
    title: Series[str] = pa.Field(nullable=True)
    commune_institution: Series[str] = pa.Field(nullable=True)
    organisers: Series[str] = pa.Field(nullable=True)
    objectives: Series[str] = pa.Field(nullable=True)
    description: Series[str] = pa.Field(nullable=True)
    results: Series[str] = pa.Field(nullable=True)
    target_public: Series[str] = pa.Field(nullable=True)
    place_periodicity: Series[str] = pa.Field(nullable=True)
    costs: Series[str] = pa.Field(nullable=True)
    other_info: Series[str] = pa.Field(nullable=True)
    organisation_ids: Series[str] = pa.Field(nullable=True, str_matches=listed(SLUG))
    source_file: Series[str] = pa.Field(str_length={"min_value": 1})
    source_pages: Series[str] = pa.Field(str_matches=r"^\d+(?:-\d+)?$")

    class Config:
        strict = True
        ordered = True


class PracticeContacts(pa.DataFrameModel):
    sheet_id: Series[str] = pa.Field(str_matches=rf"^sheet-{SLUG}$")
    contact_index: Series[pd.Int64Dtype] = pa.Field(ge=1)
    name: Series[str] = pa.Field(nullable=True)
    role: Series[str] = pa.Field(nullable=True)
    organisation: Series[str] = pa.Field(nullable=True)
    address: Series[str] = pa.Field(nullable=True)
    phone_raw: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True, str_matches=listed(E164))
    email_raw: Series[str] = pa.Field(nullable=True)
    email: Series[str] = pa.Field(nullable=True, str_matches=listed(EMAIL))
    website_raw: Series[str] = pa.Field(nullable=True)
    website: Series[str] = pa.Field(nullable=True, str_matches=listed(URL))
    source_file: Series[str] = pa.Field(str_length={"min_value": 1})
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        ordered = True
        unique = ["sheet_id", "contact_index"]  # noqa: RUF012 (pandera reads a plain list)


class Conventions(pa.DataFrameModel):
    convention_id: Series[str] = pa.Field(unique=True, str_matches=rf"^convention-{SLUG}-\d{{4}}$")
    organisation: Series[str] = pa.Field(str_length={"min_value": 1})
    organisation_id: Series[str] = pa.Field(nullable=True, str_matches=rf"^{SLUG}$")
    year: Series[pd.Int64Dtype] = pa.Field(ge=1900, le=2100)
    activity_domains: Series[str] = pa.Field(nullable=True)
    communes: Series[str] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(str_length={"min_value": 1})
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        ordered = True
        unique = ["organisation", "year"]  # noqa: RUF012 (pandera reads a plain list)


class NarrativeProjects(pa.DataFrameModel):
    project_id: Series[str] = pa.Field(unique=True, str_matches=rf"^{SLUG}$")
    status: Series[str] = pa.Field(isin=["ongoing", "completed"])
    number: Series[str] = pa.Field(str_matches=r"^\d+$")
    name: Series[str] = pa.Field(nullable=True)
    start_date: Series[pandas_engine.Date] = pa.Field(nullable=True)
    end_date: Series[pandas_engine.Date] = pa.Field(nullable=True)
    date_precision: Series[str] = pa.Field(nullable=True, isin=["", "day", "month", "year"])
    duration_months: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    date_text: Series[str] = pa.Field(nullable=True)
    funders: Series[str] = pa.Field(nullable=True)
    countries: Series[str] = pa.Field(nullable=True)
    partners: Series[str] = pa.Field(nullable=True)
    beneficiaries: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    description: Series[str] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(str_length={"min_value": 1})
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        ordered = True


# Table name -> (contract, key column): what ``TableSpec`` needs to validate and write each table.
TABLES: dict[str, tuple[type[pa.DataFrameModel], str]] = {
    "practice_sheets": (PracticeSheets, "sheet_id"),
    "practice_contacts": (PracticeContacts, "sheet_id"),
    "conventions": (Conventions, "convention_id"),
    "narrative_projects": (NarrativeProjects, "project_id"),
}

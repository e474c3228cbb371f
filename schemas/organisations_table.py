"""Contract of `normalized/organisations.csv` / `.parquet`: the authority file with what each organisation carries.

One row per organisation of `schemas/organisations.csv`; `amif_projects.carrier_id`,
`practice_sheets.organisation_ids` and `conventions.organisation_id` refer to `org_id`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

Money = pandas_engine.Decimal(15, 2)
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Organisations(pa.DataFrameModel):
    org_id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    acronym: Series[str] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(str_length={"min_value": 1})
    parent_id: Series[str] = pa.Field(nullable=True, str_matches=SLUG)
    amif_projects: Series[pd.Int64Dtype] = pa.Field(ge=0)
    amif_eu_share: Series[Money] = pa.Field(ge=0)
    amif_total_cost: Series[Money] = pa.Field(ge=0)
    practice_sheets: Series[pd.Int64Dtype] = pa.Field(ge=0)
    conventions: Series[pd.Int64Dtype] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True

"""Contract of `normalized/amif_projects.csv` / `.parquet`: one row per project of the AMIF list.

This class is the only definition of the table's columns, their order and their types; the writer
derives the CSV header and the Parquet schema from it, and the build never writes a frame that fails it.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

Money = pandas_engine.Decimal(15, 2)
Rate = pandas_engine.Decimal(7, 2)


class AmifProjects(pa.DataFrameModel):
    project_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    specific_objective: Series[pd.Int64Dtype] = pa.Field(isin=[1, 2, 3])
    specific_objective_label: Series[str] = pa.Field(str_length={"min_value": 1})
    title: Series[str] = pa.Field(nullable=True)
    carrier: Series[str] = pa.Field(nullable=True)
    carrier_id: Series[str] = pa.Field(nullable=True)
    carrier_raw: Series[str] = pa.Field(nullable=True)
    selection_procedure: Series[str] = pa.Field(nullable=True, isin=["call", "direct_award"])
    call: Series[str] = pa.Field(nullable=True)
    action_code: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]\.\d+$")
    start_date: Series[pandas_engine.Date] = pa.Field(nullable=True)
    end_date: Series[pandas_engine.Date] = pa.Field(nullable=True)
    eu_share: Series[Money] = pa.Field(nullable=True, ge=0)
    national_share: Series[Money] = pa.Field(nullable=True, ge=0)
    other_public_share: Series[Money] = pa.Field(nullable=True, ge=0)
    private_share: Series[Money] = pa.Field(nullable=True, ge=0)
    total_cost: Series[Money] = pa.Field(nullable=True, ge=0)
    eu_cofinancing_rate: Series[Rate] = pa.Field(nullable=True, ge=0)
    summary: Series[str] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(str_length={"min_value": 1})
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    issues: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True

"""Contract of `normalized/findings.csv`: every finding of a build, one per row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from amif_extract.findings import FINDING_CODES, SEVERITIES


class Findings(pa.DataFrameModel):
    finding_id: Series[str] = pa.Field(unique=True)
    code: Series[str] = pa.Field(isin=sorted(FINDING_CODES))
    severity: Series[str] = pa.Field(isin=list(SEVERITIES))
    acknowledged: Series[str] = pa.Field(nullable=True)
    table: Series[str] = pa.Field(nullable=True)
    row_id: Series[str] = pa.Field(nullable=True)
    column: Series[str] = pa.Field(nullable=True)
    message: Series[str]
    source_file: Series[str] = pa.Field(nullable=True)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    bbox: Series[str] = pa.Field(nullable=True)
    value: Series[str] = pa.Field(nullable=True)
    repaired: Series[str] = pa.Field(nullable=True)
    rule: Series[str] = pa.Field(nullable=True)
    context: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True

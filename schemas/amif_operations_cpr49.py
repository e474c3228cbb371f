"""Contract of `normalized/amif_operations_cpr49.csv` / `.parquet`: the CPR Article 49(3) list of operations.

One row per AMIF project, under the column names of the Commission's Kohesio portal. This class is the only
definition of the table's columns, their order and their types; the writer derives the CSV header and the
Parquet schema from it. It holds what must be true for the build to write the table at all.

Kohesio's own acceptance rules (a name for every operation, dates that exist in the calendar, a co-financing
rate of at most 100 %) live in `amif_operations_cpr49.schema.json`, the Frictionless Table Schema the written
CSV is checked against: a value the source lost or misprinted is reported there as a finding, it does not stop
the build. `tests/test_cpr49.py` checks that both files name the same columns in the same order.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

Money = pandas_engine.Decimal(15, 2)
Rate = pandas_engine.Decimal(7, 2)
ExchangeRate = pandas_engine.Decimal(15, 6)

KOHESIO_DATE = r"^\d{2}/\d{2}/\d{4}$"
NUTS_CODE = r"^[A-Z]{2}[0-9A-Z]{0,3}$"


class AmifOperationsCpr49(pa.DataFrameModel):
    Operation_Unique_Identifier: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    Operation_Name_Programme_Language: Series[str] = pa.Field(nullable=True)
    Country: Series[str] = pa.Field(isin=["LU"])
    Location_Indicator_Postcode: Series[str] = pa.Field(nullable=True)
    Location_Indicator_NUTS_code: Series[str] = pa.Field(nullable=True, str_matches=NUTS_CODE)
    Location_Indicator_latitude_longitude: Series[str] = pa.Field(nullable=True)
    Operation_Start_Date: Series[str] = pa.Field(nullable=True, str_matches=KOHESIO_DATE)
    Operation_End_Date: Series[str] = pa.Field(nullable=True, str_matches=KOHESIO_DATE)
    Cofinancing_Rate: Series[Rate] = pa.Field(nullable=True, ge=0)
    Total_Eligible_Expenditure_amount: Series[Money] = pa.Field(nullable=True, ge=0)
    Total_Eligible_Expenditure_Currency: Series[str] = pa.Field(isin=["EUR"])
    Total_Eligible_Expenditure_Exchange_Rate: Series[ExchangeRate] = pa.Field(nullable=True, gt=0)
    Project_EU_Budget: Series[Money] = pa.Field(nullable=True, ge=0)
    Beneficiary_Name: Series[str] = pa.Field(nullable=True)
    Specific_Objective: Series[str] = pa.Field(str_matches=r"^SO\d+ - \S")
    Fund_Code: Series[str] = pa.Field(isin=["AMIF"])
    Programme_Code: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{4}[A-Z]{2}[0-9A-Z]{9}$")
    Programming_Period: Series[str] = pa.Field(nullable=True, isin=["2014-2020", "2021-2027"])
    Operation_Summary_Programme_Language: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True

"""Every output table of a build, in the order the build validates and writes them.

The document kinds' tables come from the registry; the tables the build derives from them (the
Kohesio operations, the organisations, the findings) are added here. The published tables keep the
order `datapackage.json` has always listed them in; a new kind's tables follow them, before the
findings, which are always last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amif_extract.registry import kind_table_specs

if TYPE_CHECKING:
    from amif_extract.tables import TableSpec

PUBLISHED_ORDER = (
    "amif_projects",
    "amif_operations_cpr49",
    "organisations",
    "practice_sheets",
    "practice_contacts",
    "conventions",
    "narrative_projects",
)


def table_specs() -> dict[str, TableSpec]:
    """Every output table by name, in the order the build validates and writes them."""
    from amif_extract.cpr49 import CPR49_SPEC  # pandera and pandas: only when tables are built
    from amif_extract.schemas.findings import Findings  # pandera: likewise
    from amif_extract.schemas.organisations_table import Organisations  # pandera: likewise
    from amif_extract.tables import TableSpec  # pandas and pyarrow: likewise

    specs = [*kind_table_specs(), CPR49_SPEC, TableSpec("organisations", Organisations, "org_id")]

    def position(spec: TableSpec) -> int:
        return PUBLISHED_ORDER.index(spec.name) if spec.name in PUBLISHED_ORDER else len(PUBLISHED_ORDER)

    ordered = sorted(specs, key=position)
    ordered.append(TableSpec("findings", Findings, "finding_id"))
    return {spec.name: spec for spec in ordered}

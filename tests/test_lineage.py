"""Content digests of tables: the order of rows does not matter, any value, column or dtype does."""

from __future__ import annotations

import polars as pl

from pret_a_depenser.lineage import table_digest


def test_a_digest_ignores_row_order_and_sees_every_value_column_and_dtype():
    frame = pl.DataFrame({"SK_ID_CURR": [1, 2, 3], "AMT": [1.5, None, 3.0], "LABEL": ["a", "b", None]})
    digest = table_digest(frame)
    assert digest["rows"] == 3 and digest["columns"] == 3 and len(digest["digest"]) == 16
    assert table_digest(frame.reverse()) == digest
    assert table_digest(frame.to_pandas()) == digest
    changed = [
        frame.with_columns(pl.when(pl.col("SK_ID_CURR") == 2).then(2.5).otherwise(pl.col("AMT")).alias("AMT")),
        frame.rename({"LABEL": "OTHER"}),
        frame.with_columns(pl.col("SK_ID_CURR").cast(pl.Int32)),
        frame.head(2),
    ]
    assert len({table_digest(variant)["digest"] for variant in changed} | {digest["digest"]}) == 5

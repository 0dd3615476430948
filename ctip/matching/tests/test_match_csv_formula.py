"""match_csv writes record identifiers from any file: a formula among them is written quoted."""

import csv
import io

from django.core.management import call_command


def test_match_csv_quotes_a_formula_record_id(tmp_path):
    source, pairs, clusters = tmp_path / "in.csv", tmp_path / "pairs.csv", tmp_path / "c.csv"
    source.write_text("record_id,given_name\n\"=cmd|' /C calc'!A0\",Sokha\n", encoding="utf-8")
    call_command(
        "match_csv",
        input=str(source),
        output=str(pairs),
        clusters=str(clusters),
        stdout=io.StringIO(),
    )
    with clusters.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["record_id", "cluster_id"], ["'=cmd|' /C calc'!A0"] * 2]

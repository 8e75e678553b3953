"""Grammar bounds, JSON leaf spans, truncation repair, pruning and confidence: pure functions."""

from __future__ import annotations

import json
import math

import pytest

from model.deepseek.grammar import DATE_PATTERN, NUMBER_PATTERN, Bounds, bounded_schema, grammar_for
from model.deepseek.output import leaf_paths, leaf_spans, prune_invalid, repair_truncated, value_confidence
from schemas.form import Form
from schemas.invoice import Invoice
from schemas.registry import schema_kinds


@pytest.mark.parametrize("kind", schema_kinds())
def test_every_schema_gets_a_bounded_grammar(kind):
    schema = bounded_schema(kind)
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(schema["properties"])
    text = json.dumps(schema)
    assert '"maxLength"' in text or '"enum"' in text
    assert grammar_for(kind)  # llguidance accepts it


def test_money_dates_and_currency_are_constrained():
    props = bounded_schema("invoice")["properties"]
    assert props["invoice_total"]["anyOf"][0]["pattern"] == NUMBER_PATTERN
    assert props["invoice_date"]["anyOf"][0]["pattern"] == DATE_PATTERN
    assert "EUR" in props["currency"]["anyOf"][0]["enum"]
    assert props["line_items"]["maxItems"] == Bounds().max_items
    assert bounded_schema("invoice", Bounds().tighter())["properties"]["line_items"]["maxItems"] == 4


def test_leaf_spans_point_at_values():
    text = '{"a":"x","b":[{"c":1,"d":null}],"e":[["p","q"]]}'
    spans = {p: text[s:e] for p, s, e in leaf_spans(text)}
    assert spans == {"/a": '"x"', "/b/0/c": "1", "/b/0/d": "null", "/e/0/0": '"p"', "/e/0/1": '"q"'}


def test_repair_keeps_complete_members_only():
    cut = '{"vendor_name":"ACME","line_items":[{"description":"Wid'
    assert json.loads(repair_truncated(cut)) == {"vendor_name": "ACME", "line_items": [{}]}
    full = '{"a":"x","b":[1,2],"c":"y"}'
    for end in range(1, len(full) + 1):
        repaired = repair_truncated(full[:end])
        if repaired is not None:
            json.loads(repaired)  # every prefix repairs into valid JSON


def test_prune_drops_only_what_does_not_validate():
    data = {"fields": [{"value": "no key"}, {"key": "k", "kind": "bogus"}, {"key": "ok", "value": "1"}]}
    form, dropped = prune_invalid(Form, data)
    assert [f.key for f in form.fields] == ["ok"]
    assert dropped == ["/fields/0", "/fields/0"]
    invoice, dropped = prune_invalid(Invoice, {"invoice_total": "12.50", "invoice_date": "not a date"})
    assert str(invoice.invoice_total) == "12.50" and invoice.invoice_date is None and dropped == ["/invoice_date"]


def test_confidence_averages_the_value_tokens():
    text = '{"a":"xy","b":null}'
    tokens = [b'{"a":', b'"x', b'y"', b',"b":', b"null", b"}"]
    logprobs = [0.0, math.log(0.5), math.log(0.5), 0.0, math.log(0.9), 0.0]
    conf = value_confidence(text, tokens, logprobs, leaf_paths(json.loads(text)))
    assert conf == {"/a": 0.5, "/b": 0.9}

"""The MoE router against the official MoEGate (fixtures/gates.json): greedy, group-limited and noaux_tc (base)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from model.deepseek_vl2.language import MoEGate
from model.deepseek_vl2.synthetic import synthetic_value

GATES = json.loads((Path(__file__).parent / "fixtures" / "gates.json").read_text())


@pytest.mark.parametrize("name", sorted(GATES["cases"]))
def test_the_router_picks_and_weighs_experts_like_the_official_gate(name):
    shape, case = GATES["shape"], GATES["cases"][name]
    cfg = SimpleNamespace(
        hidden_size=shape["hidden_size"],
        n_routed_experts=shape["n_routed_experts"],
        num_experts_per_tok=shape["num_experts_per_tok"],
        **case["routing"],
    )
    gate = MoEGate(cfg)
    gate.load_state_dict(
        {k: torch.from_numpy(synthetic_value(f"mlp.gate.{k}", tuple(v.shape))) for k, v in gate.state_dict().items()}
    )
    x = torch.from_numpy(synthetic_value("gate_input", (1, shape["tokens"], shape["hidden_size"])))
    with torch.inference_mode():
        index, weight = gate(x.reshape(-1, shape["hidden_size"]))
    for got_i, got_w, want_i, want_w in zip(index, weight, case["index"], case["weight"], strict=True):
        got = dict(zip(got_i.tolist(), got_w.tolist(), strict=True))
        want = dict(zip(want_i, want_w, strict=True))
        assert got.keys() == want.keys()
        assert all(abs(got[e] - want[e]) <= 1e-6 for e in want)
    if case["routing"]["norm_topk_prob"]:  # noaux_tc: weights renormalised, then scaled by routed_scaling_factor
        assert torch.allclose(weight.sum(-1), torch.full((shape["tokens"],), case["routing"]["routed_scaling_factor"]))

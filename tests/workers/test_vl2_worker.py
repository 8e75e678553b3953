"""A Celery worker process serving a tiny DeepSeek-VL2 checkpoint: upload through the API, result from the worker."""

from __future__ import annotations

import httpx

from model.deepseek_vl2.testing import make_tiny_vl2
from schemas.registry import get_schema
from tests.workers.conftest import AUTH, Cluster, receipt_pdf


def test_a_worker_extracts_with_a_vl2_checkpoint(cluster: Cluster, tmp_path) -> None:
    model = make_tiny_vl2(tmp_path / "deepseek-vl2-tiny", "tiny-mha", seed=7)
    cluster.extra_env.update(DOCAI_ENGINE="auto", DOCAI_MODEL=str(model), DOCAI_MAX_NEW_TOKENS="16", HF_HUB_OFFLINE="1")
    cluster.start_api()
    cluster.start_worker("vl2", concurrency=1)
    with httpx.Client(timeout=30) as client:
        doc = cluster.upload(client, receipt_pdf(1), "receipt.pdf")
        statuses = cluster.wait_terminal(1, timeout=400)
        assert statuses[doc["id"]] in ("done", "needs_review"), cluster.logs()
        result = client.get(f"{cluster.api_url}/v1/documents/{doc['id']}/result", headers=AUTH).json()
    assert result["engine"] == "deepseek-vl" and "deepseek-vl2" in result["model"], result
    get_schema("receipt").model_validate(result["data"])

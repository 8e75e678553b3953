"""200 documents through REST, 8 concurrent clients, real workers: none lost, none processed twice."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.workers.conftest import Cluster, extraction_counts, job_rows, receipt_pdf

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


def test_200_documents_from_8_clients_all_finish_once(cluster: Cluster) -> None:
    cluster.start_worker("w1", concurrency=2)
    cluster.start_api()
    docs = {i: receipt_pdf(i) for i in range(200)}

    def client(shard: int) -> list[dict]:
        with httpx.Client(timeout=60) as http:
            return [cluster.upload(http, docs[i], f"receipt-{i}.pdf") for i in range(shard, 200, 8)]

    with ThreadPoolExecutor(8) as pool:
        answers = [a for batch in pool.map(client, range(8)) for a in batch]
    ids = {a["id"] for a in answers}
    assert len(ids) == 200 and not any(a["duplicate"] for a in answers)

    statuses = cluster.wait_terminal(200, timeout=300)
    assert set(statuses) == ids
    assert Counter(statuses.values())["failed"] == 0, cluster.logs()
    # none processed twice: one extraction per document, one finished job per stage
    assert extraction_counts(cluster.db_url) == dict.fromkeys(ids, 1)
    jobs = job_rows(cluster.db_url)
    per_stage = Counter((doc, stage) for doc, stage, status, _ in jobs if status == "done")
    assert len(jobs) == 400 and set(per_stage.values()) == {1}

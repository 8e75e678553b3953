"""Run by test_resource_bombs in a child process under an address-space limit: rasterize each file of a folder in
turn and print one JSON object {file: "ok:<pages>" or "<error code>"}. The batch must finish whatever the files do.

    python heavy_batch.py FOLDER LIMIT_MB [TIGHT_MB]

Files whose name starts with 'tight-' are read with the soft limit lowered to TIGHT_MB and no page-memory check,
so the decoder really runs out of memory: that must fail the file, not the process.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def main() -> None:
    folder, limit_mb = Path(sys.argv[1]), int(sys.argv[2])
    tight_mb = int(sys.argv[3]) if len(sys.argv) > 3 else limit_mb
    resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    from docai.errors import DocaiError
    from docai.stages.ingest import sniff
    from docai.stages.rasterize import RasterizeOptions, rasterize

    outcomes: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        tight = path.name.startswith("tight-")
        options = RasterizeOptions(page_size=256, ocr=None, page_memory=(64 << 30) if tight else 1024 << 20)
        data = path.read_bytes()
        if tight:
            resource.setrlimit(resource.RLIMIT_AS, (tight_mb << 20, limit_mb << 20))
        try:
            outcomes[path.name] = f"ok:{len(rasterize(data, sniff(data, path.name), options))}"
        except DocaiError as err:
            outcomes[path.name] = str(err.code)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()

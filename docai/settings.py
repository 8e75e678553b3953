"""One settings object, read from DOCAI_* environment variables; nothing else reads os.environ."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCAI_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path("./docai-data"), description="Holds the SQLite database, blobs and models.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in DOCAI_HOME.")
    broker_url: str | None = Field(default=None, description="Celery broker; default an embedded filesystem broker.")
    storage_url: str | None = Field(default=None, description="Blob store: a path, file:// or s3://bucket/prefix.")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint, e.g. MinIO.")
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
    engine: str = Field(default="auto", description="auto, ocr or deepseek-vl.")
    model: str | None = Field(
        default=None,
        description="DeepSeek-VL or DeepSeek-VL2 weights folder; default: the first one pulled into DOCAI_HOME/models "
        "(deepseek-vl-1.3b-chat, deepseek-vl-7b-chat, deepseek-vl2-tiny, deepseek-vl2-small, deepseek-vl2).",
    )
    device: str = Field(default="auto", description="Torch device for the engine: auto, cpu, cuda, cuda:1.")
    max_batch_pages: int = Field(
        default=8, description="Most pages in one DeepSeek-VL generation batch (raise on a GPU)."
    )
    max_new_tokens: int = Field(default=512, description="Longest DeepSeek-VL answer, in tokens.")
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Comma-separated API keys.")
    api_url: str = Field(default="http://127.0.0.1:8000", description="Where the UI finds the REST API.")
    api_host: str = Field(default="127.0.0.1", description="Address `docai api` listens on.")
    api_port: int = Field(default=8000, description="Port `docai api` listens on.")
    ui_port: int = Field(default=8501, description="Port `docai ui` listens on.")
    ui_host: str = Field(
        default="127.0.0.1", description="Address `docai ui` listens on; any other than loopback asks for a login."
    )
    ui_user: str | None = Field(
        default=None, description="User name that signs in to an exposed UI (with DOCAI_UI_PASSWORD)."
    )
    ui_password: str | None = Field(default=None, description="Password of DOCAI_UI_USER; an API key signs in too.")
    metrics_public: bool = Field(
        default=False, description="Serve /metrics without an API key (for a private network)."
    )

    # queue, workers, reconciler, webhooks, watcher
    broker_key_prefix: str = Field(default="", description="Prefix of every Redis key the broker writes.")
    batch_size: int = Field(default=8, description="Most documents one engine batch takes on the gpu queue.")
    job_timeout: int = Field(default=3600, description="Longest a single job may run, in seconds (hard limit).")
    reconcile_after: int = Field(
        default=300, description="A queued job unseen, or a running job without heartbeat, this long is re-enqueued."
    )
    reconcile_interval: int = Field(default=60, description="Seconds between reconciler passes; 0 turns it off.")
    webhook_secret: str | None = Field(default=None, description="HMAC-SHA256 key that signs webhook calls.")
    webhook_retries: int = Field(default=8, description="Attempts to deliver one webhook call (with backoff).")
    webhook_retry_seconds: int = Field(
        default=3600, description="No webhook call is retried once this long has passed since its first attempt."
    )
    webhook_timeout: float = Field(default=5.0, description="Seconds a webhook receiver has to connect and answer.")
    webhook_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated networks (10.0.0.0/8) and host names webhooks may reach besides public addresses.",
    )
    watch_dir: Path | None = Field(default=None, description="Folder `docai up` watches for new documents.")
    watch_stable_seconds: float = Field(default=2.0, description="A file is taken once unchanged this long.")
    watch_rescan_seconds: float = Field(default=30.0, description="Seconds between full rescans of the watch folder.")
    ui_api_key: str | None = Field(default=None, description="Key the UI sends; default the first DOCAI_API_KEYS.")

    # limits
    max_file_bytes: int = Field(default=100 * 1024 * 1024, description="Largest upload accepted, in bytes.")
    max_pages: int = Field(default=500, description="Most pages one document may have.")
    max_pixels: int = Field(
        default=178_956_970, description="Most pixels one image may decode to (Pillow's bomb limit)."
    )
    page_size: int = Field(default=1024, description="Longest side of stored page images, in px.")
    page_memory_mb: int = Field(
        default=1024, description="Memory one page may take to decode (MB); larger pages fail with resource_limit."
    )
    work_seconds_per_page: float = Field(
        default=60.0, description="Work budget: a document may take 60 s plus this per page to read; 0 turns it off."
    )
    worker_memory_mb: int = Field(
        default=3072, description="Memory one cpu worker process may hold (MB); it is replaced above it. 0: no cap."
    )
    ocr_languages: str = Field(default="eng", description="Tesseract languages, e.g. 'eng+deu+fra+nld'.")
    review_threshold: float = Field(default=0.6, description="Fields under this confidence need review.")

    @field_validator("api_keys", "webhook_allow", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @property
    def max_upload_mb(self) -> int:
        """max_file_bytes in whole MB, rounded up: Streamlit's upload limit (the server still checks the bytes)."""
        return max(1, -(-self.max_file_bytes // (1024 * 1024)))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'docai.db').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or str((self.home / "blobs").resolve())

    @property
    def resolved_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    @property
    def broker_folder(self) -> Path:
        return (self.home / "broker").resolve()

    @property
    def model_path(self) -> Path:
        from model.weights import default_model_path

        return Path(self.model) if self.model else default_model_path((self.home / "models").resolve())


@lru_cache
def get_settings() -> Settings:
    return Settings()

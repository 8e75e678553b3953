"""Webhooks never reach inside the network unless allowed, connect to the address they checked, and give up in time."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import ClassVar

import pytest

from docai.service.webhooks import (
    AddressPolicy,
    WebhookFailed,
    WebhookRefused,
    check_url,
    deliver,
    payload,
    retry_delay,
)

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://localhost:8000/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://127.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.5/",
    "http://172.16.1.1/",
    "http://192.168.1.1:8080/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url: str) -> None:
    with pytest.raises(WebhookRefused, match="DOCAI_WEBHOOK_ALLOW"):
        check_url(url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http://0177.0.0.1/", "/relative", "http://", "javascript:x"])
def test_what_is_not_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(WebhookRefused):
        check_url(url)


def test_a_public_address_passes_and_the_allow_list_opens_what_it_names() -> None:
    assert check_url("https://8.8.8.8/hook") == "https://8.8.8.8/hook"
    allow = AddressPolicy.parse(["10.0.0.0/8", " hooks.local ", "fd00::/8"])
    check_url("http://10.1.2.3/", allow)
    check_url("http://[fd00::5]/", allow)
    with pytest.raises(WebhookRefused):
        check_url("http://192.168.0.1/", allow)


class _Receiver(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, str]]] = []
    delay: ClassVar[float] = 0.0

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(type(self).delay)
        type(self).calls.append(dict(self.headers))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.calls.clear()
    _Receiver.delay = 0.0
    yield server
    server.shutdown()


def test_a_local_receiver_is_reached_only_when_allowed(receiver: HTTPServer) -> None:
    url = f"http://localhost:{receiver.server_port}/done"
    with pytest.raises(WebhookRefused, match="loopback"):
        deliver(url, payload({"id": "d1"}), "secret")  # checked again at delivery, not only at upload
    assert _Receiver.calls == []
    assert deliver(url, payload({"id": "d1"}), "secret", policy=AddressPolicy.parse(["127.0.0.0/8"])) == 204
    assert deliver(url, payload({"id": "d2"}), "secret", policy=AddressPolicy.parse(["localhost"])) == 204
    # connected to the checked address; the receiver still sees the host it was given
    assert [c["Host"] for c in _Receiver.calls] == [f"localhost:{receiver.server_port}"] * 2


def test_a_slow_receiver_times_out_quickly(receiver: HTTPServer) -> None:
    _Receiver.delay = 3.0
    started = time.monotonic()
    with pytest.raises(WebhookFailed):
        deliver(
            f"http://127.0.0.1:{receiver.server_port}/slow",
            payload({"id": "d1"}),
            None,
            policy=AddressPolicy.parse(["127.0.0.1/32"]),
            timeout=0.5,
        )
    assert time.monotonic() - started < 2.5


def test_retries_stop_at_the_attempt_count_or_the_time_window() -> None:
    start = 1_000_000.0
    assert retry_delay(0, start, max_attempts=8, window=3600, now=start) == 2
    assert retry_delay(6, start, max_attempts=8, window=3600, now=start + 100) == 128
    assert retry_delay(7, start, max_attempts=8, window=3600, now=start + 200) is None  # attempts spent
    assert retry_delay(9, start, max_attempts=1000, window=3600, now=start + 3500) is None  # window spent
    delays = []
    retries, now = 0, start
    while (delay := retry_delay(retries, start, max_attempts=1000, window=3600, now=now)) is not None:
        delays.append(delay)
        retries, now = retries + 1, now + delay
    assert now - start <= 3600 and max(delays) == 600


def test_webhooks_have_a_queue_and_a_time_limit_of_their_own() -> None:
    from docai.service.transport import TASK_QUEUES, celery_config
    from docai.settings import Settings

    config = celery_config(Settings(webhook_timeout=3))
    assert [task for task, queue in TASK_QUEUES.items() if queue == "webhooks"] == ["docai.webhook"]
    assert "webhooks" in {q.name for q in config["task_queues"]}
    assert config["task_routes"]["docai.webhook"] == {"queue": "webhooks"}
    assert config["task_annotations"]["docai.webhook"]["time_limit"] <= 30 < config["task_time_limit"]


def _certificates(tmp_path, name: str):  # type: ignore[no-untyped-def]
    """A private CA and a server certificate for `name` signed by it (files), made with cryptography."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def subject(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(subject("test CA")).issuer_name(subject("test CA"))
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server = (
        x509.CertificateBuilder().subject_name(subject(name)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(2).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(
        server.public_bytes(pem)
        + key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp_path / "ca.pem", tmp_path / "server.pem"


@pytest.mark.parametrize(("certified", "reached"), [("localhost", True), ("elsewhere.test", False)])
def test_https_pinned_to_the_checked_address_still_checks_the_host_name(tmp_path, certified, reached) -> None:  # type: ignore[no-untyped-def]
    import ssl

    ca, chain = _certificates(tmp_path, certified)

    class Receiver(_Receiver):  # calls of its own: a slow call of another test may still arrive at _Receiver
        calls: ClassVar[list[dict[str, str]]] = []
        delay: ClassVar[float] = 0.0

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trust = ssl.create_default_context(cafile=str(ca))
    url = f"https://localhost:{server.server_port}/done"
    try:
        if reached:
            assert deliver(url, payload({"id": "d1"}), "s", policy=AddressPolicy.parse(["localhost"]), tls=trust) == 204
            assert [c["Host"] for c in Receiver.calls] == [f"localhost:{server.server_port}"]
        else:  # connected to 127.0.0.1, but the certificate must still name 'localhost'
            with pytest.raises(WebhookFailed, match="certificate|CERTIFICATE|hostname"):
                deliver(url, payload({"id": "d1"}), "s", policy=AddressPolicy.parse(["localhost"]), tls=trust)
    finally:
        server.shutdown()

"""The sample reverse-proxy configuration in deploy/ is valid, and the app trusts exactly its hops."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, request

from procurement import trust_proxies

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "deploy" / "nginx" / "procurement.conf"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from datetime import datetime, timedelta, timezone

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "caigou.example.cn")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed")
def test_sample_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    cert, key = _self_signed(tmp_path)
    site = (
        SAMPLE.read_text()
        .replace("/etc/procurement/tls/fullchain.pem", str(cert))
        .replace("/etc/procurement/tls/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _access_log_part() -> str:
    """The sample's maps and log format that keep reset tokens out of nginx's access log."""
    text = SAMPLE.read_text()
    start = text.index("# --- access log without reset tokens")
    return text[start : text.index("# --- end of the access log part")]


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="nginx is not installed")
def test_sample_nginx_access_log_never_holds_a_reset_token(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = tmp_path / "nginx.conf"
    for _ in range(5):  # a free port can be taken by another process before nginx binds it: try another
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        conf.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
            "events { worker_connections 64; }\n"
            f"http {{ client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
            f"{_access_log_part()}\n"
            f"  server {{ listen 127.0.0.1:{port}; access_log {tmp_path}/access.log procurement_redacted;\n"
            '    location / { return 200 "ok"; } } }\n'
        )
        started = subprocess.run([nginx, "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
        if "Address already in use" not in started.stderr:
            break
    assert started.returncode == 0, started.stderr
    token = "eyJ1IjoxN30.Z3x9Qw.k2Jb-Tq_8sXw"
    base = f"http://127.0.0.1:{port}"
    try:
        for path, referer in [
            (f"/auth/reset-password/{token}", None),
            (f"/auth/reset-password/{token}?utm=mail", None),
            ("/auth/reset-password/set", f"https://caigou.example.cn/auth/reset-password/{token}"),
            ("/auth/reset-password/set?x=1", None),
            ("/buyer/projects/7", None),
        ]:
            headers = {"Referer": referer} if referer else {}
            with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=10) as answer:
                assert answer.status == 200
    finally:
        subprocess.run([nginx, "-p", str(tmp_path), "-c", str(conf), "-s", "quit"], capture_output=True)
        deadline = time.monotonic() + 30
        while (tmp_path / "nginx.pid").exists() and time.monotonic() < deadline:  # nginx removes it on exit
            time.sleep(0.05)
    log = tmp_path / "access.log"
    lines = log.read_text().splitlines()
    assert len(lines) == 5, lines
    assert all(part not in log.read_text() for part in token.split(".")), lines
    assert '"GET /auth/reset-password/[redacted] HTTP/1.1"' in lines[0]
    assert '"GET /auth/reset-password/[redacted]?utm=mail HTTP/1.1"' in lines[1]
    assert '"GET /auth/reset-password/set HTTP/1.1"' in lines[2] and '"https://caigou.example.cn/auth/reset-password/[redacted]"' in lines[2]
    assert '"GET /auth/reset-password/set?x=1 HTTP/1.1"' in lines[3]
    assert '"GET /buyer/projects/7 HTTP/1.1"' in lines[4]


def _remote(hops: int, headers) -> str:
    """What a view sees of the client through ``trust_proxies`` (the step create_app runs)."""
    app = Flask(__name__)
    app.config["PROXY_HOPS"] = hops
    trust_proxies(app)

    @app.get("/")
    def whoami():
        return f"{request.remote_addr} {request.scheme}"

    return app.test_client().get("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).text


def test_forwarded_headers_are_ignored_without_a_proxy():
    assert _remote(0, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}) == "10.0.0.2 http"


def test_one_proxy_hop_gives_the_client_address_and_scheme():
    # A client's own forged entry comes first; the proxy appends the address it saw.
    assert _remote(1, {"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"}) == "203.0.113.9 https"


def test_production_trusts_one_proxy_by_default(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("PROXY_HOPS", raising=False)
    assert importlib.reload(config).ProductionConfig.PROXY_HOPS == 1
    assert config.DevelopmentConfig.PROXY_HOPS == 0

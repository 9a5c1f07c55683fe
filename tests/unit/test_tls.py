"""Every client of a process shares one TLS context, built on a thread, and it verifies."""

from __future__ import annotations

import ssl

from pgyscout.client import Client, tls


def test_clients_share_one_context_that_verifies_hosts() -> None:
    tls.prepare()
    context = tls.context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the authorities were loaded
    with Client("tok-tls", base_url="https://example.invalid") as client:
        assert client._http_options()["verify"] is context
    assert tls.context() is context

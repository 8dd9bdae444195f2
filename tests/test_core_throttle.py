"""core.throttle.client_ip: behind proxies only the entries our own proxies added are trusted."""

from django.test import RequestFactory

from gangwan.core.throttle import client_ip


def _req(fwd=None):
    extra = {"REMOTE_ADDR": "10.0.0.1"}
    if fwd is not None:
        extra["HTTP_X_FORWARDED_FOR"] = fwd
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_unless_trusted(monkeypatch):
    monkeypatch.delenv("GANGWAN_TRUST_X_FORWARDED_FOR", raising=False)
    assert client_ip(_req("198.51.100.7")) == "10.0.0.1"


def test_a_spoofed_leftmost_forwarded_for_entry_is_not_the_client(monkeypatch):
    monkeypatch.setenv("GANGWAN_TRUST_X_FORWARDED_FOR", "1")
    monkeypatch.delenv("GANGWAN_TRUSTED_PROXIES", raising=False)
    # The client sent "1.2.3.4" itself; our one proxy appended the address it saw.
    assert client_ip(_req("1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_req("203.0.113.9")) == "203.0.113.9"
    assert client_ip(_req("")) == "10.0.0.1"
    assert client_ip(_req("1.2.3.4, not-an-address")) == "10.0.0.1"


def test_trusted_proxies_count_from_the_right(monkeypatch):
    monkeypatch.setenv("GANGWAN_TRUST_X_FORWARDED_FOR", "1")
    monkeypatch.setenv("GANGWAN_TRUSTED_PROXIES", "2")
    # client spoof, real client (added by the outer proxy), outer proxy (added by the inner one)
    assert client_ip(_req("1.2.3.4, 203.0.113.9, 192.0.2.10")) == "203.0.113.9"
    assert client_ip(_req("203.0.113.9")) == "203.0.113.9"

"""The proxy and CA bundle variables of the environment apply to the client, read once."""

from cavatica import CavaticaClient

BASE = "https://cavatica.test/v2"


def test_a_proxy_from_the_environment_is_used(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.lab.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with CavaticaClient(BASE, "token") as client:
        assert client.session.proxies.get("https") == "http://proxy.lab.test:3128"


def test_no_proxy_for_a_platform_named_in_no_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.lab.test:3128")
    monkeypatch.setenv("NO_PROXY", "cavatica.test")
    with CavaticaClient(BASE, "token") as client:
        assert not client.session.proxies


def test_a_ca_bundle_from_the_environment_is_used(monkeypatch, tmp_path):
    bundle = tmp_path / "lab-ca.pem"
    bundle.write_text("not read until a call is made")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with CavaticaClient(BASE, "token") as client:
        assert client.session.verify == str(bundle)

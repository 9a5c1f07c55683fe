"""The monitor's pages: watched creators, their alerts, acknowledging one (CSRF checked)."""

from __future__ import annotations

from starlette.testclient import TestClient

from pgyscout.analysis.monitor_rules import Alert
from pgyscout.store import Store
from pgyscout.store.entities import utcnow
from pgyscout.store.monitor import add_watched, save_alerts
from tests.web.conftest import csrf_of


def test_watched_creators_and_alerts(client: TestClient, web_db: str) -> None:
    ids = [r["user_id"] for r in client.get("/creators.json?size=2").json()["rows"]]
    with Store(web_db) as store, store.begin() as conn:
        add_watched(conn, ids, label="<b>竞品</b>")
        (alert_id,) = save_alerts(
            conn,
            [Alert("price_change", ids[0], "2026-11-28", "warning", {"from": 1, "to": 2})],
            utcnow(),
        )
    watched = client.get("/monitor.json").json()["watched"]
    assert [w["user_id"] for w in watched] == ids
    assert watched[0]["open_alerts"] == 1
    page = client.get("/monitor").text
    assert "&lt;b&gt;竞品&lt;/b&gt;" in page
    assert client.get("/monitor.csv").status_code == 200
    alerts = client.get("/alerts.json?open=1").json()["alerts"]
    assert [a["id"] for a in alerts] == [alert_id]
    assert "price change" in client.get("/alerts?lang=en").text
    assert client.get("/alerts.json?open=2").json()["parameter"] == "open"
    assert client.post("/alerts/ack", data={"ids": str(alert_id)}).status_code == 403
    assert client.get("/alerts.json?open=1").json()["alerts"]
    done = client.post("/alerts/ack", data={"ids": str(alert_id), "csrf": csrf_of(client)})
    assert done.status_code == 303
    assert client.get("/alerts.json?open=1").json()["alerts"] == []
    assert client.get("/alerts.json").json()["alerts"][0]["acked_at"]

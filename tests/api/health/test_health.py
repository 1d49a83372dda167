import httpx
from fastapi import FastAPI

from api.chat.rasa_client import RasaClient
from api.core.settings import RasaSettings


async def test_health_reports_each_dependency_and_503_when_one_is_down(
    client: httpx.AsyncClient,
) -> None:
    # The test settings point Rasa and the action server at a closed port.
    response = await client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["detail"]["backend"] in {"sqlite", "postgresql"}
    assert body["checks"]["rasa"]["ok"] is False
    assert body["checks"]["actions"]["ok"] is False
    assert body["checks"]["rasa"]["error"]


async def test_rasa_without_a_model_is_not_healthy(app: FastAPI, client: httpx.AsyncClient) -> None:
    def no_model(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"model_file": None, "fingerprint": {}})

    app.state.rasa = RasaClient(
        RasaSettings(url="http://rasa"), transport=httpx.MockTransport(no_model)
    )
    body = (await client.get("/api/v1/health")).json()
    assert body["checks"]["rasa"]["ok"] is False
    assert "no model" in body["checks"]["rasa"]["error"]

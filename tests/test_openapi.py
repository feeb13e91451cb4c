from httpx import AsyncClient

from brain_battles.core.errors import PROBLEM_MEDIA_TYPE


async def test_openapi_errors_are_problems(client: AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "HTTPValidationError" not in response.text
    assert "Problem" in schema["components"]["schemas"]
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            for status, declared in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(declared["content"]) == [PROBLEM_MEDIA_TYPE], (path, method)
            if operation.get("security"):
                assert "401" in operation["responses"], (path, method)
            if "requestBody" in operation:
                assert "400" in operation["responses"], (path, method)
                assert "413" in operation["responses"], (path, method)


async def test_validation_problem_allows_problems(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    extra = schema["ValidationProblem"]["allOf"][1]
    # quiz_incomplete and invalid_import send `problems` and no `errors`.
    assert "required" not in extra
    assert set(extra["properties"]) == {"errors", "problems"}


async def test_openapi_paths_cover_contract(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    expected = [
        "/api/v1/auth/signup",
        "/api/v1/auth/verify-email",
        "/api/v1/auth/otp/resend",
        "/api/v1/auth/login",
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/logout-all",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/users/me",
        "/api/v1/users/me/password",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/users/me/attempts",
        "/api/v1/users/me/stats",
        "/api/v1/quizzes",
        "/api/v1/quizzes/{quiz_id}",
        "/api/v1/quizzes/{quiz_id}/publish",
        "/api/v1/quizzes/{quiz_id}/questions",
        "/api/v1/quizzes/{quiz_id}/questions/{question_id}",
        "/api/v1/quizzes/{quiz_id}/questions/{question_id}/options",
        "/api/v1/quizzes/{quiz_id}/questions/{question_id}/options/{option_id}",
        "/api/v1/quizzes/{quiz_id}/invitations",
        "/api/v1/invitations/{token}/accept",
        "/api/v1/quizzes/{quiz_id}/export",
        "/api/v1/quizzes/import",
        "/api/v1/quizzes/{quiz_id}/leaderboard",
        "/api/v1/quizzes/{quiz_id}/stats",
        "/api/v1/quizzes/{quiz_id}/attempts",
        "/api/v1/attempts/{attempt_id}/answers/{question_id}",
        "/api/v1/attempts/{attempt_id}/submit",
        "/api/v1/attempts/{attempt_id}",
        "/healthz",
        "/readyz",
    ]
    missing = [path for path in expected if path not in paths]
    assert missing == []


async def test_swagger_ui_served(client: AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()

"""OpenAPI document tweaks: every error response is described as the problem it really is."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from brain_battles.core.errors import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details with a stable machine-readable `code`.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "examples": ["quiz_not_found"]},
        "instance": {"type": "string"},
    },
    "additionalProperties": True,
}
VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationProblem",
    "description": (
        "A 422 problem. `errors` lists each invalid part of the request; `problems` lists what "
        "keeps a quiz from being published (`quiz_incomplete`) or imported (`invalid_import`)."
    ),
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {
                                "type": "array",
                                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                            },
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
                "problems": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": True},
                },
            },
        },
    ],
}
_DEFAULT_DESCRIPTIONS = {
    "400": "The body could not be read (not UTF-8, or nested too deeply)",
    "401": "Missing or invalid credentials",
    "413": "Request body larger than 1 MiB",
    "422": "Invalid request",
}


def _problem_content(schema_name: str) -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _describe_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if operation.get("security"):
        responses.setdefault("401", {"description": _DEFAULT_DESCRIPTIONS["401"]})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": _DEFAULT_DESCRIPTIONS["400"]})
        responses.setdefault("413", {"description": _DEFAULT_DESCRIPTIONS["413"]})
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        schema_name = "ValidationProblem" if status == "422" else "Problem"
        response["content"] = _problem_content(schema_name)
        if status == "422" and response.get("description") == "Validation Error":
            response["description"] = _DEFAULT_DESCRIPTIONS["422"]


def install_problem_openapi(app: FastAPI) -> None:
    """Replace FastAPI's `HTTPValidationError` shapes with the problem bodies the API sends."""

    def build_schema() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = PROBLEM_SCHEMA
        schemas["ValidationProblem"] = VALIDATION_PROBLEM_SCHEMA
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                _describe_errors(operation)
        app.openapi_schema = schema
        return schema

    app.openapi = build_schema  # type: ignore[method-assign]

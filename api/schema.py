"""OpenAPI: the bearer scheme, and problem details documented on every operation."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.problems import PROBLEM_CONTENT_TYPE


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Token: masp.<key id>.<secret>"}


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (titles and details in Swedish).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "field": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["pointer", "field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
COMMON_PROBLEMS = ("400", "401", "403", "404", "406", "429")
WRITE_PROBLEMS = ("409", "415", "422")


def add_problem_responses(result, generator, request, public):
    """Document the problem details every operation can answer (401, 403, 404, 429, …)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            codes = COMMON_PROBLEMS + (WRITE_PROBLEMS if method in {"post", "put", "patch"} else ())
            for code in codes:
                operation["responses"].setdefault(code, {"description": "Problem details", "content": ref})
    return result

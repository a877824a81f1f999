#!/usr/bin/env python3
"""Checks a live `workbench serve` against its own contract (GET /openapi.yaml): the document is
valid OpenAPI 3.1, and the answers to a set of good and bad requests have the status, content
type and body schema the document gives. Not part of CI's tests (needs PyYAML, jsonschema,
referencing and openapi-spec-validator from PyPI).

    workbench serve --model-dir m --port 8080 &
    python3 Benchmarks/serve/contract_check.py http://127.0.0.1:8080 [--token TOKEN]
"""
import json
import sys
import urllib.error
import urllib.request

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def call(base, method, path, body=None, token=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def main():
    base = sys.argv[1].rstrip("/")
    token = sys.argv[sys.argv.index("--token") + 1] if "--token" in sys.argv else None
    status, _, text = call(base, "GET", "/openapi.yaml")
    assert status == 200, status
    spec = yaml.safe_load(text)
    validate(spec)
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
    _, _, models = call(base, "GET", "/v1/models", token=token)
    first = json.loads(models)["models"][0]["name"]
    cases = [
        ("POST", "/v1/classify", {"texts": ["good", "bad"], "top_k": 1, "explain": True}, None, "/v1/classify", "post"),
        ("POST", "/v1/classify", None, b"{", "/v1/classify", "post"),
        ("POST", "/v1/classify", {"texts": 3}, None, "/v1/classify", "post"),
        ("POST", "/v1/classify", {"texts": ["x"], "model": "nope"}, None, "/v1/classify", "post"),
        ("GET", "/v1/classify", None, None, "/v1/classify", "post"),
        ("GET", "/v1/models", None, None, "/v1/models", "get"),
        ("GET", "/v1/models/" + first, None, None, "/v1/models/{name}", "get"),
        ("GET", "/v1/models/nope", None, None, "/v1/models/{name}", "get"),
        ("GET", "/healthz", None, None, "/healthz", "get"),
        ("GET", "/readyz", None, None, "/readyz", "get"),
        ("GET", "/metrics", None, None, "/metrics", "get"),
    ]
    failures = 0
    for method, path, body, raw, template, operation in cases:
        status, ctype, payload = call(base, method, path, body, token, raw)
        responses = spec["paths"][template][operation]["responses"]
        answer = responses.get(str(status))
        problem = None
        if answer is None:
            problem = f"status {status} is not in the contract"
        else:
            if "$ref" in answer:
                answer = spec["components"]["responses"][answer["$ref"].split("/")[-1]]
            media = ctype.split(";")[0].strip()
            content = answer.get("content", {})
            if media not in content:
                problem = f"content type {media} not in {list(content)}"
            elif media.endswith("json"):
                def pointer(*parts):
                    return "urn:spec#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
                if "$ref" in responses[str(status)]:
                    schema = {"$ref": pointer("components", "schemas", "Problem")}
                else:
                    schema = {"$ref": pointer("paths", template, operation, "responses", str(status), "content", media, "schema")}
                errors = list(Draft202012Validator(schema, registry=registry).iter_errors(json.loads(payload)))
                if errors:
                    problem = "; ".join(e.message for e in errors[:3])
        print(f"{'ok  ' if problem is None else 'FAIL'} {method} {path} -> {status}{'' if problem is None else ': ' + problem}")
        failures += problem is not None
    print(f"{len(cases) - failures}/{len(cases)} answers match the contract")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

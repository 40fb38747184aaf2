#!/usr/bin/env python3
"""Validates JSON instances against schemas of an OpenAPI 3.0 or Swagger 2.0 document.

Usage: validate-json-schema.py [--json] <spec file> <dir of cases>...

Each case is `<name>.json` holding `{"pointer": "<JSON pointer into the spec>", "value": ...}`
(other keys are ignored). With several directories, cases are named `<dir name>/<file name>`.
The schema at `pointer` is taken from the original document (JSON or YAML) and its `$ref`s are
resolved from there, so Swagger 2.0 (`#/definitions/...`) and OpenAPI 3.0
(`#/components/schemas/...`) both work. A description split over files is read as split: a
pointer may name another file (`other.yaml#/components/schemas/X`, relative to the spec), and
references to other files (`../common/x.yaml#/...`, JSON Schema documents with their own
`$schema`) are retrieved from disk by this script itself, independently of the generator's
bundling; URLs only through `--map URL=PATH` (never fetched). OpenAPI 3.1 documents are judged
with the 3.1 dialect (JSON Schema 2020-12). The judge is `openapi-schema-validator` (OpenAPI 3.0
schema dialect: `nullable`, `readOnly`/`writeOnly`, formats), installed pinned by
`scripts/install-test-tools.sh`:

* a pointer under `/responses/` is checked as a response (`writeOnly` properties are refused),
* one under `/requestBody/` or a Swagger body parameter (`/parameters/`) as a request
  (`readOnly` properties are refused),
* anything else (component schemas) without direction.

Swagger 2.0 extras are mapped first: `x-nullable` → `nullable`; a string `discriminator` (no
validation meaning) is dropped.

Prints one line per failing case with the reason(s) and a summary; with `--json`, a last line
`{"cases": [{"case": ..., "errors": [...]}, ...]}` with every case and all its errors (none =
valid). Exits 1 on any failing case, 2 on bad usage or an unreadable spec.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

try:
    import yaml
    from openapi_schema_validator import (
        OAS30ReadValidator,
        OAS30Validator,
        OAS30WriteValidator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT4, DRAFT202012
    from jsonschema._keywords import allOf as plain_all_of
    from jsonschema.validators import extend
    from openapi_schema_validator import _keywords as oas_keywords
except ImportError as e:  # pragma: no cover - environment problem
    print(f"validate-json-schema: missing Python package ({e}); run scripts/install-test-tools.sh",
          file=sys.stderr)
    sys.exit(2)



def jsonable(v: Any) -> Any:
    """YAML → JSON data model: string keys (YAML `200:` is an int), dates as ISO text."""
    if isinstance(v, dict):
        return {str(k).lower() if isinstance(k, bool) else str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def swagger2_to_oas30_dialect(v: Any) -> Any:
    """Maps the Swagger 2.0 schema extras onto the OpenAPI 3.0 dialect, keeping every pointer."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "x-nullable":
                out["nullable"] = x
            elif k == "discriminator" and isinstance(x, str):
                continue
            else:
                out[k] = swagger2_to_oas30_dialect(x)
        return out
    if isinstance(v, list):
        return [swagger2_to_oas30_dialect(x) for x in v]
    return v


@functools.lru_cache(maxsize=None)
def load_spec(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = jsonable(yaml.safe_load(text))
    if isinstance(doc, dict) and "swagger" in doc:
        doc = swagger2_to_oas30_dialect(doc)
    return nullable_all_of(mapping_names_as_refs(doc))


def nullable_all_of(v: Any) -> Any:
    """`{nullable: true, allOf: [...]}` without `type` is how OpenAPI 3.0 descriptions mark a
    reference nullable (there is no other way before 3.1), and how the generator reads it; the
    3.0.3 text ties `nullable` to a `type` in the same object, so the validator would refuse
    the `null` the author allowed. Read as `anyOf: [{enum: [null]}, {allOf: [...]}]`."""
    if isinstance(v, dict):
        out = {k: nullable_all_of(x) for k, x in v.items()}
        if (out.get("nullable") is True and "allOf" in out and "type" not in out
                and "anyOf" not in out):
            out["anyOf"] = [{"enum": [None]}, {"allOf": out.pop("allOf")}]
            out.pop("nullable")
        return out
    if isinstance(v, list):
        return [nullable_all_of(x) for x in v]
    return v


def mapping_names_as_refs(v: Any) -> Any:
    """A discriminator `mapping` value may be a schema name (OpenAPI 3.0 §Discriminator Object:
    "values ... schema names or references"); the validator only follows references, so a bare
    name becomes `#/components/schemas/<name>`."""
    if isinstance(v, dict):
        out = {k: mapping_names_as_refs(x) for k, x in v.items()}
        d = out.get("discriminator")
        if isinstance(d, dict) and isinstance(d.get("mapping"), dict):
            d["mapping"] = {
                k: (f"#/components/schemas/{t}" if isinstance(t, str) and "#" not in t
                    and "/" not in t and "." not in t else t)
                for k, t in d["mapping"].items()
            }
        return out
    if isinstance(v, list):
        return [mapping_names_as_refs(x) for x in v]
    return v


def resolve_pointer(doc: Any, pointer: str) -> Any:
    cur = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, list):
            cur = cur[int(token)]
        else:
            cur = cur[token]
    return cur


# openapi-schema-validator 0.9 reads `discriminator` beside `allOf` *instead of* the `allOf`:
# it validates the instance against the mapped subtype, whose own `allOf` names the base again,
# whose discriminator names the subtype again … until Python's recursion limit (X-Road's
# `ManagementRequest`). The base's `allOf` is then met a second time for the same instance: from
# there it is read as the plain `allOf` it also is, which ends the loop and keeps the meaning
# (the subtype is checked once, the base's own parts through it).
_DISCRIMINATING: set[tuple[int, int]] = set()


def _guarded_all_of(validator: Any, all_of: Any, instance: Any, schema: Any) -> Any:
    key = (id(schema), id(instance))
    if "discriminator" not in schema or key in _DISCRIMINATING:
        yield from plain_all_of(validator, all_of, instance, schema)
        return
    _DISCRIMINATING.add(key)
    try:
        yield from oas_keywords.handle_discriminator(validator, all_of, instance, schema)
    finally:
        _DISCRIMINATING.discard(key)


OAS30Validator = extend(OAS30Validator, validators={"allOf": _guarded_all_of})
OAS30ReadValidator = extend(OAS30ReadValidator, validators={"allOf": _guarded_all_of})
OAS30WriteValidator = extend(OAS30WriteValidator, validators={"allOf": _guarded_all_of})


def validator_class(pointer: str, oas31: bool) -> type:
    if oas31:
        return OAS31Validator
    if "/responses/" in pointer or pointer.startswith("/responses/"):
        return OAS30ReadValidator
    if "/requestBody/" in pointer or "/requestBodies/" in pointer or "/parameters/" in pointer:
        return OAS30WriteValidator
    return OAS30Validator


def main(argv: list[str]) -> int:
    args = argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    maps = []
    while "--map" in args:
        i = args.index("--map")
        url, _, path = args[i + 1].partition("=")
        maps.append((url, Path(path).resolve().as_uri() + ("/" if url.endswith("/") else "")))
        del args[i:i + 2]
    spec_path, dirs = Path(args[0]), [Path(a) for a in args[1:]]
    try:
        doc = load_spec(spec_path)
    except (OSError, yaml.YAMLError, ValueError) as e:
        print(f"{spec_path}: cannot read the spec: {e}", file=sys.stderr)
        return 2
    oas31 = str(doc.get("openapi", "")).startswith("3.1") if isinstance(doc, dict) else False
    default_spec = DRAFT202012 if oas31 else DRAFT4
    root_uri = spec_path.resolve().as_uri()

    def retrieve(uri: str) -> Any:
        for url, local in maps:
            if uri == url or (url.endswith("/") and uri.startswith(url)):
                uri = local + uri[len(url):]
        if not uri.startswith("file:"):
            raise NoSuchResource(ref=uri)
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(uri).path))
        return Resource.from_contents(load_spec(path), default_specification=default_spec)

    registry = Registry(retrieve=retrieve).with_resource(
        root_uri, Resource.from_contents(doc, default_specification=default_spec))
    cases = [
        (f"{d.name}/{c.name}" if len(dirs) > 1 else c.name, c)
        for d in dirs
        for c in sorted(d.glob("*.json"))
    ]
    validators: dict[str, Any] = {}
    verdicts = []
    for name, case in cases:
        problems = judge(doc, spec_path, root_uri, oas31, registry, validators, case)
        verdicts.append({"case": name, "errors": problems})
        if problems:
            more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
            print(f"{name}: {'; '.join(problems[:5])}{more}")
    failed = sum(1 for v in verdicts if v["errors"])
    print(f"validate-json-schema: {len(cases)} cases, {failed} failing")
    if as_json:
        print(json.dumps({"cases": verdicts}, ensure_ascii=False))
    return 1 if failed else 0


def judge(doc: Any, spec_path: Path, root_uri: str, oas31: bool, registry: Any,
          validators: dict[str, Any], case: Path) -> list[str]:
    """The reasons `case` is invalid; empty when it is valid."""
    try:
        data = json.loads(case.read_text(encoding="utf-8"))
        pointer, value = data["pointer"], data["value"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"unreadable case: {e}"]
    # `/pointer` in the spec, or `file#/pointer` in another file (relative to the spec).
    file_part, _, fragment = pointer.rpartition("#") if "#" in pointer else ("", "", pointer)
    target_uri = urllib.parse.urljoin(root_uri, file_part) if file_part else root_uri
    try:
        target = doc if not file_part else load_spec(
            Path(urllib.parse.unquote(urllib.parse.urlparse(target_uri).path)))
        resolve_pointer(target, fragment)
    except (OSError, KeyError, IndexError, ValueError, TypeError, yaml.YAMLError):
        return [f"no schema at {pointer} in {spec_path.name}"]
    cls = validator_class(pointer, oas31)
    validator = validators.get(pointer)
    if validator is None:
        ref = target_uri + "#" + urllib.parse.quote(fragment, safe="/~{}$-_.!*'()@:,;=+")
        checker = oas31_format_checker if oas31 else oas30_format_checker
        validator = cls({"$ref": ref}, registry=registry, format_checker=checker)
        validators[pointer] = validator
    try:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    except Exception as e:  # noqa: BLE001 - a broken $ref etc. is a failure of this case
        return [f"{pointer}: cannot validate: {type(e).__name__}: {e}"]
    return [
        f"{pointer} ({cls.__name__}) at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in errors
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv))

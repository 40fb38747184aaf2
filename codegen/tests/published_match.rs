//! Our own descriptions of published APIs say the same as the published documents.
//!
//! Every YAML/JSON file under `openapi/` whose top level has `x-published: "<path>"` is compared
//! with the published document at that path under `../shared` (beside the workspace). Both are
//! normalised first: the texts (`description`, `summary`, `title`), `example`/`examples`, `x-*`
//! extension keys and everything in `info` except `info.version` are dropped, and `required`
//! lists are sorted (they are sets). Everything else must be equal: `openapi`, `servers`, every
//! path and method with its operationId, tags, parameters, request bodies, responses and media
//! types, and all of `components` (schemas with their types, formats, properties, required
//! lists, enums, items, `$ref`s, compositions, discriminators, additionalProperties and limits).
//! Names are never dropped: a property called `title` or `description` is compared like any
//! other. Each difference is printed with its JSON path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared` beside the workspace; its absence fails the test (the comparison is the point).
fn shared() -> PathBuf {
    let dir = workspace().join("../shared");
    assert!(
        dir.is_dir(),
        "the published documents are read from {}, which does not exist: put the shared folder \
         beside the workspace (this test fails rather than skipping the comparison)",
        dir.display()
    );
    dir
}

/// A JSON or YAML document as a JSON value (YAML keys such as `200` become strings).
fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let is_json = path.extension().and_then(|e| e.to_str()) == Some("json");
    if is_json {
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
    } else {
        let yaml: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
        serde_json::to_value(yaml)
            .unwrap_or_else(|e| panic!("{}: not representable as JSON: {e}", path.display()))
    }
}

/// Our descriptions that name a published document: (file, its `x-published` value).
fn described() -> Vec<(PathBuf, String)> {
    let root = workspace().join("openapi");
    let mut stack = vec![root.clone()];
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str());
            if !matches!(ext, Some("yaml" | "yml" | "json")) {
                continue;
            }
            // Only files that mention the key are parsed.
            let text = std::fs::read_to_string(&path).unwrap();
            if !text.contains("x-published") {
                continue;
            }
            match load(&path).get("x-published") {
                Some(Value::String(p)) => out.push((path, p.clone())),
                Some(other) => panic!(
                    "{}: x-published must be a path string, found {other}",
                    path.display()
                ),
                None => {}
            }
        }
    }
    out.sort();
    out
}

/// The published file named by `x-published`, which must be a relative path inside `shared`.
fn published_path(shared: &Path, ours: &Path, rel: &str) -> PathBuf {
    let rel_path = Path::new(rel);
    assert!(
        rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_))),
        "{}: x-published `{rel}` must be a plain path relative to the shared folder",
        ours.display()
    );
    let path = shared.join(rel_path);
    assert!(
        path.is_file(),
        "{}: x-published `{rel}` names no file ({} is missing)",
        ours.display(),
        path.display()
    );
    path
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// What the keys of an object are.
#[derive(Clone, Copy, PartialEq)]
enum Keys {
    /// OpenAPI/JSON Schema keywords: texts, examples and extensions are dropped.
    Keywords,
    /// Names chosen by the author (paths, status codes, media types, properties, components):
    /// all kept, each value is an object of keywords. `extensions` also drops `x-*` names (the
    /// Paths and Responses objects allow extensions among their names).
    Names { extensions: bool },
    /// OAuth scopes: the names count, their values are descriptions.
    Scopes,
}

const TEXTS: &[&str] = &["description", "summary", "title", "example", "examples"];

/// Keywords whose value is data (compared as written, nothing dropped inside).
const DATA: &[&str] = &["enum", "default", "required", "security", "const"];

/// The keys of the value of keyword `key` (when that value is an object).
fn keys_of(key: &str) -> Keys {
    match key {
        "paths" | "responses" => Keys::Names { extensions: true },
        "properties" | "schemas" | "parameters" | "requestBodies" | "headers"
        | "securitySchemes" | "links" | "callbacks" | "encoding" | "variables" | "content"
        | "mapping" => Keys::Names { extensions: false },
        "scopes" => Keys::Scopes,
        _ => Keys::Keywords,
    }
}

/// The document reduced to what must match (see the module documentation).
fn normalise_document(doc: &Value) -> Value {
    let mut out = normalise(doc, Keys::Keywords);
    if let Value::Object(map) = &mut out
        && let Some(info) = doc.get("info")
    {
        let mut kept = Map::new();
        if let Some(version) = info.get("version") {
            kept.insert("version".into(), version.clone());
        }
        map.insert("info".into(), Value::Object(kept));
    }
    out
}

fn normalise(value: &Value, keys: Keys) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let extension = k.starts_with("x-");
                match keys {
                    Keys::Keywords => {
                        if extension || TEXTS.contains(&k.as_str()) {
                            continue;
                        }
                        let v = if DATA.contains(&k.as_str()) {
                            data(k, v)
                        } else {
                            normalise(v, keys_of(k))
                        };
                        out.insert(k.clone(), v);
                    }
                    Keys::Names { extensions } => {
                        if extensions && extension {
                            continue;
                        }
                        out.insert(k.clone(), normalise(v, Keys::Keywords));
                    }
                    Keys::Scopes => {
                        out.insert(k.clone(), Value::Null);
                    }
                }
            }
            Value::Object(out)
        }
        // Elements of arrays (parameters, servers, allOf, tags) are keyword objects.
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| normalise(v, Keys::Keywords)).collect())
        }
        other => number(other),
    }
}

/// A data value as written; a `required` list of names is a set, so it is sorted.
fn data(key: &str, value: &Value) -> Value {
    match value {
        Value::Array(items) if key == "required" => {
            let mut sorted: Vec<Value> = items.iter().map(number).collect();
            sorted.sort_by_key(Value::to_string);
            Value::Array(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| data("", v)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), data("", v))).collect())
        }
        other => number(other),
    }
}

/// `250.0` and `250` are the same number (YAML and JSON writers differ in this).
fn number(value: &Value) -> Value {
    match value.as_f64() {
        Some(f) if value.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
        _ => value.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// `$.paths["/berichten"].get` style: identifiers after a dot, other names quoted.
fn child(path: &str, key: &str) -> String {
    let mut chars = key.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Every difference between `ours` and `published` (both normalised), one line each.
fn differences(ours: &Value, published: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff("$", ours, published, &mut out);
    out
}

fn diff(path: &str, ours: &Value, published: &Value, out: &mut Vec<String>) {
    match (ours, published) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, pv) in b {
                match a.get(k) {
                    Some(ov) => diff(&child(path, k), ov, pv, out),
                    None => out.push(format!("{}: missing here; published: {pv}", child(path, k))),
                }
            }
            for (k, ov) in a {
                if !b.contains_key(k) {
                    out.push(format!(
                        "{}: not in the published document; here: {ov}",
                        child(path, k)
                    ));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.iter().chain(b).all(is_scalar) {
                if a != b {
                    out.push(format!("{path}: here {ours}; published {published}"));
                }
                return;
            }
            for (i, (ov, pv)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), ov, pv, out);
            }
            for (i, pv) in b.iter().enumerate().skip(a.len()) {
                out.push(format!("{path}[{i}]: missing here; published: {pv}"));
            }
            for (i, ov) in a.iter().enumerate().skip(b.len()) {
                out.push(format!(
                    "{path}[{i}]: not in the published document; here: {ov}"
                ));
            }
        }
        _ => {
            if ours != published {
                out.push(format!("{path}: here {ours}; published {published}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn descriptions_match_their_published_documents() {
    let shared = shared();
    let files = described();
    assert!(
        !files.is_empty(),
        "no file under {} carries `x-published`",
        workspace().join("openapi").display()
    );
    let mut failures = Vec::new();
    for (ours, rel) in &files {
        let shown = ours
            .strip_prefix(workspace())
            .unwrap_or(ours)
            .display()
            .to_string();
        let published = published_path(&shared, ours, rel);
        let a = normalise_document(&load(ours));
        let b = normalise_document(&load(&published));
        let diffs = differences(&a, &b);
        if diffs.is_empty() {
            let operations = b["paths"].as_object().map_or(0, |paths| {
                paths
                    .values()
                    .filter_map(Value::as_object)
                    .map(|item| item.keys().filter(|k| is_method(k)).count())
                    .sum()
            });
            let schemas = b
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map_or(0, Map::len);
            println!("{shown} matches {rel}: {operations} operations, {schemas} schemas");
        } else {
            println!("{shown} differs from {rel} ({} differences):", diffs.len());
            for d in &diffs {
                println!("  {d}");
            }
            failures.push(format!("{shown}: {} differences", diffs.len()));
        }
    }
    assert!(
        failures.is_empty(),
        "descriptions differ from their published documents (details above): {failures:?}"
    );
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// The same files through the generator: each parses and yields its operations.
#[test]
fn descriptions_generate() {
    let files = described();
    assert!(!files.is_empty(), "no file carries `x-published`");
    for (ours, _) in &files {
        let shown = ours
            .strip_prefix(workspace())
            .unwrap_or(ours)
            .display()
            .to_string();
        let module =
            sdk_codegen::openapi::generate(ours, &shown).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(module.operations > 0, "{shown}: no operations");
        println!(
            "{shown}: {} operations, {} types",
            module.operations, module.types
        );
    }
}

mod comparator {
    use serde_json::{Value, json};

    use super::{differences, normalise_document};

    fn published() -> Value {
        json!({
            "openapi": "3.0.1",
            "info": {"title": "Published", "description": "Their words.", "version": "1.2.0"},
            "paths": {
                "/things/{id}": {
                    "get": {
                        "operationId": "GetThing",
                        "summary": "Their summary.",
                        "parameters": [{
                            "name": "id", "in": "path", "required": true,
                            "description": "Their words.",
                            "schema": {"type": "string", "format": "uuid"}
                        }],
                        "responses": {
                            "200": {
                                "description": "OK",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }}
                            }
                        }
                    }
                }
            },
            "components": {"schemas": {
                "Thing": {
                    "type": "object",
                    "description": "Their words.",
                    "required": ["kind", "title"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["A", "B"]},
                        "title": {"type": "string", "example": "x"},
                        "size": {"type": "integer", "minimum": 1}
                    },
                    "additionalProperties": false
                }
            }}
        })
    }

    fn diff_after(change: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut ours = published();
        change(&mut ours);
        differences(
            &normalise_document(&ours),
            &normalise_document(&published()),
        )
    }

    #[test]
    fn texts_examples_extensions_and_info_are_ignored() {
        let diffs = diff_after(|v| {
            v["info"] = json!({"title": "Ours", "version": "1.2.0", "contact": {"name": "us"}});
            v["x-published"] = json!("somewhere.json");
            let op = &mut v["paths"]["/things/{id}"]["get"];
            op["summary"] = json!("Our summary.");
            op["x-provenance"] = json!("published");
            op["parameters"][0]["description"] = json!("Our words.");
            op["responses"]["200"]["description"] = json!("Found.");
            let thing = &mut v["components"]["schemas"]["Thing"];
            thing["description"] = json!("Our words.");
            thing["title"] = json!("A thing");
            thing["properties"]["title"]["example"] = json!("y");
            // `required` is a set.
            thing["required"] = json!(["title", "kind"]);
        });
        assert!(diffs.is_empty(), "{diffs:#?}");
    }

    #[test]
    fn a_changed_enum_value_is_caught() {
        let diffs = diff_after(|v| {
            v["components"]["schemas"]["Thing"]["properties"]["kind"]["enum"][1] = json!("C");
        });
        assert_eq!(
            diffs,
            [
                r#"$.components.schemas.Thing.properties.kind.enum: here ["A","C"]; published ["A","B"]"#
            ]
        );
    }

    #[test]
    fn a_missing_property_is_caught_even_when_named_like_a_text_keyword() {
        let diffs = diff_after(|v| {
            let props = v["components"]["schemas"]["Thing"]["properties"]
                .as_object_mut()
                .unwrap();
            props.remove("size");
            props.remove("title");
        });
        assert_eq!(
            diffs,
            [
                r#"$.components.schemas.Thing.properties.title: missing here; published: {"type":"string"}"#,
                r#"$.components.schemas.Thing.properties.size: missing here; published: {"type":"integer","minimum":1}"#,
            ]
        );
    }

    #[test]
    fn a_changed_required_list_is_caught() {
        let diffs = diff_after(|v| {
            v["components"]["schemas"]["Thing"]["required"] = json!(["kind"]);
        });
        assert_eq!(
            diffs,
            [r#"$.components.schemas.Thing.required: here ["kind"]; published ["kind","title"]"#]
        );
        let diffs = diff_after(|v| {
            v["components"]["schemas"]["Thing"]["required"] = json!(["kind", "size"]);
        });
        assert_eq!(diffs.len(), 1, "{diffs:#?}");
    }

    #[test]
    fn operations_parameters_responses_and_version_are_compared() {
        let diffs = diff_after(|v| {
            v["info"]["version"] = json!("1.3.0");
            let op = &mut v["paths"]["/things/{id}"]["get"];
            op["operationId"] = json!("FetchThing");
            op["parameters"][0]["schema"]["format"] = json!("int64");
            let responses = op["responses"].as_object_mut().unwrap();
            let ok = responses.remove("200").unwrap();
            responses.insert("201".into(), ok);
        });
        assert_eq!(diffs.len(), 5, "{diffs:#?}");
        assert!(diffs.iter().any(|d| d.starts_with("$.info.version:")));
        assert!(diffs.iter().any(|d| d.starts_with(
            r#"$.paths["/things/{id}"].get.parameters[0].schema.format: here "int64""#
        )));
        assert!(diffs.iter().any(|d| {
            d.starts_with(r#"$.paths["/things/{id}"].get.responses["200"]: missing here"#)
        }));
        assert!(diffs.iter().any(|d| d.starts_with(
            r#"$.paths["/things/{id}"].get.responses["201"]: not in the published document"#
        )));
    }
}

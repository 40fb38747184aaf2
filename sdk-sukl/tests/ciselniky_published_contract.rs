//! Our `openapi/sukl/ciselniky.yaml` is SÚKL's published "Číselníky SÚKL" Swagger 2.0 file
//! (suklorg/CisSuklRestApi `public/cissukl.swagger.json` @ a4232f02e081a6822f656984f95dfc76652ee5a5,
//! copied to `../shared/specs/published/sukl-cissukl-swagger/public_cissukl.swagger.json`),
//! element for element.
//!
//! Both documents are reduced to a normal form and compared:
//!
//! * kept: `swagger`, `basePath`, `schemes`, `consumes`, `produces`, `info.version`, security
//!   definitions, shared parameters and responses; every path and method with its operationId,
//!   tags, consumes/produces, parameters (keyed by name and location; each with type, format,
//!   required, enum, items, collectionFormat, lengths, pattern, bounds, default, body schema),
//!   responses (status, schema, headers with their types); every definition (type, properties
//!   and their types, formats, lengths, enums, items, `$ref`s, required lists);
//! * dropped: the texts (`description`, `summary`, `title`, `example`s), every `x-*` key, and
//!   `required: false` on a parameter (the same as leaving it out);
//! * one difference on purpose: the published `host` is `localhost:8000`, a developer's machine,
//!   so ours has no host (see the header of ciselniky.yaml); the test checks exactly that.
//!
//! Every difference is printed with its path. Control mutations prove that a change of each kind
//! is caught, and that changing only texts, examples or our marks is not a difference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The published commit our operations must name.
const SOURCE: &str =
    "suklorg/CisSuklRestApi:public/cissukl.swagger.json@a4232f02e081a6822f656984f95dfc76652ee5a5";

fn ours_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/sukl/ciselniky.yaml")
}

fn published_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/sukl-cissukl-swagger/public_cissukl.swagger.json");
    assert!(
        path.is_file(),
        "the published Číselníky SÚKL file is missing: expected {} (../shared next to the \
         checkout; this test fails rather than skipping the comparison)",
        path.display()
    );
    path
}

/// JSON or YAML, read the way the generator reads it.
fn load(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sdk_codegen::openapi::parse_document(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ours() -> Value {
    load(&ours_path())
}

fn published() -> Value {
    load(&published_path())
}

// ---------------------------------------------------------------------------------------------
// Normal form

const TEXTS: &[&str] = &["description", "summary", "title", "example", "examples"];
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// A schema, parameter, header or other keyword object without texts and extensions. Names
/// chosen by the author (properties, definitions) are kept whatever they are called.
fn keywords(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if k.starts_with("x-") || TEXTS.contains(&k.as_str()) {
                    continue;
                }
                let v = match k.as_str() {
                    // Name → keyword object maps.
                    "properties" | "headers" | "definitions" | "securityDefinitions" => names(v),
                    // Data: as written (a `required` list is a set).
                    "enum" | "default" => number(v),
                    "required" => match v {
                        Value::Array(items) => {
                            let mut sorted: Vec<Value> = items.clone();
                            sorted.sort_by_key(Value::to_string);
                            Value::Array(sorted)
                        }
                        other => other.clone(),
                    },
                    _ => keywords(v),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(keywords).collect()),
        other => number(other),
    }
}

fn names(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), keywords(v))).collect())
        }
        other => keywords(other),
    }
}

/// `7.0` and `7` are the same number (YAML and JSON writers differ).
fn number(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) if v.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
        _ => v.clone(),
    }
}

/// Parameters keyed by `name (in)`: their order carries no meaning, and a difference then names
/// the parameter. `required: false` is the same as no `required`.
fn parameters(v: Option<&Value>) -> Value {
    let mut out = Map::new();
    for p in v.and_then(Value::as_array).into_iter().flatten() {
        let mut p = keywords(p);
        let key = match (p.get("$ref"), p.get("name"), p.get("in")) {
            (Some(r), _, _) => format!("$ref {}", r.as_str().unwrap_or("?")),
            (None, Some(n), Some(i)) => {
                format!(
                    "{} ({})",
                    n.as_str().unwrap_or("?"),
                    i.as_str().unwrap_or("?")
                )
            }
            _ => format!("#{}", out.len()),
        };
        if let Some(obj) = p.as_object_mut()
            && obj.get("required") == Some(&Value::Bool(false))
        {
            obj.remove("required");
        }
        if out.insert(key.clone(), p).is_some() {
            out.insert(format!("{key} (repeated)"), Value::Bool(true));
        }
    }
    Value::Object(out)
}

/// One operation: everything but texts and marks, parameters keyed.
fn operation(op: &Value) -> Value {
    let mut out = keywords(op);
    let obj = out.as_object_mut().unwrap();
    obj.insert("parameters".into(), parameters(op.get("parameters")));
    if let Some(rs) = op.get("responses").and_then(Value::as_object) {
        obj.insert(
            "responses".into(),
            Value::Object(
                rs.iter()
                    .filter(|(code, _)| !code.starts_with("x-"))
                    .map(|(code, r)| (code.clone(), keywords(r)))
                    .collect(),
            ),
        );
    }
    out
}

/// The whole document in normal form, as `key → value` facts (flat at the top so that a
/// difference is reported by operation or definition).
fn normal_form(doc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in doc.as_object().unwrap() {
        match k.as_str() {
            "paths" | "definitions" | "info" => {}
            k if k.starts_with("x-") || TEXTS.contains(&k) => {}
            "parameters" | "responses" | "securityDefinitions" => {
                out.insert(format!("top {k}"), names(v));
            }
            _ => {
                out.insert(format!("top {k}"), keywords(v));
            }
        }
    }
    out.insert(
        "top info.version".into(),
        doc.pointer("/info/version").cloned().unwrap_or(Value::Null),
    );
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if path.starts_with("x-") {
            continue;
        }
        let shared = item.get("parameters");
        if shared.is_some() {
            out.insert(format!("path {path} parameters"), parameters(shared));
        }
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                out.insert(format!("{} {path}", method.to_uppercase()), operation(op));
            } else if method != "parameters" && !method.starts_with("x-") {
                out.insert(format!("path {path} {method}"), keywords(op));
            }
        }
    }
    for (name, schema) in doc["definitions"].as_object().into_iter().flatten() {
        out.insert(format!("definition {name}"), keywords(schema));
    }
    out
}

/// `a.b["c d"]` style paths.
fn child(path: &str, key: &str) -> String {
    let ident = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

fn diff(path: &str, ours: &Value, published: &Value, out: &mut Vec<String>) {
    match (ours, published) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, pv) in b {
                match a.get(k) {
                    Some(ov) => diff(&child(path, k), ov, pv, out),
                    None => out.push(format!("{}: missing here; published {pv}", child(path, k))),
                }
            }
            for (k, ov) in a {
                if !b.contains_key(k) {
                    out.push(format!("{}: not published; here {ov}", child(path, k)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (ov, pv)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), ov, pv, out);
            }
        }
        _ => {
            if ours != published {
                out.push(format!("{path}: here {ours}; published {published}"));
            }
        }
    }
}

/// Every difference between our document and the published one, the known `host` aside.
fn differences(ours: &Value, published: &Value) -> Vec<String> {
    let mut a = normal_form(ours);
    let mut b = normal_form(published);
    // The one difference on purpose: the published host is a developer's machine.
    let mut out = Vec::new();
    match (a.remove("top host"), b.remove("top host")) {
        (None, Some(Value::String(h))) if h == "localhost:8000" => {}
        (here, there) => out.push(format!(
            "host: here {here:?}; published {there:?} (expected: none here, `localhost:8000` \
             published)"
        )),
    }
    diff("$", &Value::Object(a), &Value::Object(b), &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn our_description_is_the_published_contract() {
    let (ours, published) = (ours(), published());
    let diffs = differences(&ours, &published);
    for d in &diffs {
        println!("  {d}");
    }
    assert!(
        diffs.is_empty(),
        "{} differences between openapi/sukl/ciselniky.yaml and the published file (above)",
        diffs.len()
    );

    // The comparison saw what it should: 35 paths, 35 operations (all GET but POST /cdnu), 43
    // definitions, the properties of each.
    let b = normal_form(&published);
    let ops: Vec<&String> = b
        .keys()
        .filter(|k| {
            METHODS
                .iter()
                .any(|m| k.starts_with(&format!("{} ", m.to_uppercase())))
        })
        .collect();
    assert_eq!(ops.len(), 35, "{ops:?}");
    assert_eq!(published["paths"].as_object().unwrap().len(), 35);
    assert_eq!(
        ops.iter().filter(|k| k.starts_with("GET ")).count(),
        34,
        "all GET but one"
    );
    assert!(b.contains_key("POST /cdnu"));
    let defs = b.keys().filter(|k| k.starts_with("definition ")).count();
    assert_eq!(defs, 43);
    let properties: usize = b
        .iter()
        .filter(|(k, _)| k.starts_with("definition "))
        .filter_map(|(_, v)| v.get("properties").and_then(Value::as_object))
        .map(Map::len)
        .sum();
    let parameters: usize = b
        .iter()
        .filter_map(|(_, v)| v.get("parameters").and_then(Value::as_object))
        .map(Map::len)
        .sum();
    assert!(properties > 300, "{properties} properties compared");
    println!(
        "ciselniky.yaml matches public/cissukl.swagger.json: {} operations, {defs} definitions, \
         {properties} properties, {parameters} parameters",
        ops.len()
    );
}

#[test]
fn every_operation_is_marked_published_with_its_source() {
    let ours = ours();
    let mut seen = 0;
    for (path, item) in ours["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            seen += 1;
            let at = format!("{} {path}", method.to_uppercase());
            assert_eq!(op["x-provenance"], "published", "{at}");
            assert_eq!(op["x-provenance-source"], SOURCE, "{at}");
            assert!(
                op.get("summary")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty()),
                "{at}: no summary of ours"
            );
        }
    }
    assert_eq!(seen, 35);
    // No host of ours, invented or copied; the published base path.
    assert!(ours.get("host").is_none());
    assert_eq!(ours["basePath"], "/cissuklapi/v1");
}

/// The texts are ours: no published description, summary or example appears in our file.
#[test]
fn the_texts_are_our_own() {
    fn texts(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("description" | "summary" | "title", Value::String(s)) => {
                            out.insert(s.clone());
                        }
                        ("example", _) => {
                            out.insert(format!("example {v}"));
                        }
                        _ => texts(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
            _ => {}
        }
    }
    let (mut theirs, mut mine) = (BTreeSet::new(), BTreeSet::new());
    texts(&published(), &mut theirs);
    texts(&ours(), &mut mine);
    assert!(
        !mine.iter().any(|t| t.starts_with("example ")),
        "examples are left out"
    );
    // The API's own name is the one text both carry.
    let shared: Vec<&String> = mine
        .intersection(&theirs)
        .filter(|t| t.as_str() != "Číselníky SÚKL")
        .collect();
    assert!(shared.is_empty(), "published texts in ours: {shared:?}");
    // Every definition, property and parameter carries a description of ours.
    let ours = ours();
    for (name, schema) in ours["definitions"].as_object().unwrap() {
        assert!(schema["description"].is_string(), "definition {name}");
        for (p, s) in schema["properties"].as_object().into_iter().flatten() {
            assert!(s["description"].is_string(), "{name}.{p}");
        }
    }
    for (path, item) in ours["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(
                    p["description"].is_string(),
                    "{method} {path} {}",
                    p["name"]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Control mutations: each change to our document must be reported, naming where it is.

/// A change to our document.
type Mutation = Box<dyn FnOnce(&mut Value)>;

fn mutated(change: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc = ours();
    change(&mut doc);
    differences(&doc, &published())
}

fn assert_caught(what: &str, diffs: &[String], needle: &str) {
    assert!(
        diffs.iter().any(|d| d.contains(needle)),
        "{what}: not caught (no difference mentions `{needle}`): {diffs:#?}"
    );
}

#[test]
fn control_mutations_are_caught() {
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "a property's maxLength",
            Box::new(|d| {
                d["definitions"]["Lekarna"]["properties"]["KOD_PRACOVISTE"]["maxLength"] = json!(10)
            }),
            "definition Lekarna\"].properties.KOD_PRACOVISTE.maxLength",
        ),
        (
            "a property left out",
            Box::new(|d| {
                d["definitions"]["ScauLP"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("DPH");
            }),
            "properties.DPH: missing here",
        ),
        (
            "a property's type",
            Box::new(|d| {
                d["definitions"]["CenyPuvodce"]["properties"]["CENA_PUVODCE"]["type"] =
                    json!("string")
            }),
            "CENA_PUVODCE.type",
        ),
        (
            "a property's format",
            Box::new(|d| {
                d["definitions"]["ScauLP"]["properties"]["NEOMEZ"]
                    .as_object_mut()
                    .unwrap()
                    .remove("format");
            }),
            "NEOMEZ.format: missing here",
        ),
        (
            "an enumeration value",
            Box::new(|d| {
                d["paths"]["/lekarny"]["get"]["parameters"][1]["enum"] = json!(["zarazeno"])
            }),
            "[\"status (query)\"].enum",
        ),
        (
            "a parameter's location",
            Box::new(|d| {
                d["paths"]["/paralelnikody"]["get"]["parameters"][0]["in"] = json!("header")
            }),
            "[\"kod_sukl (query)\"]: missing here",
        ),
        (
            "a parameter made required",
            Box::new(|d| d["paths"]["/scau"]["get"]["parameters"][2]["required"] = json!(true)),
            "[\"obdobi (query)\"].required",
        ),
        (
            "a parameter's type",
            Box::new(|d| {
                d["paths"]["/lecivepripravky"]["get"]["parameters"][4]["type"] = json!("integer")
            }),
            "[\"limit (query)\"].type",
        ),
        (
            "an error response's schema",
            Box::new(|d| {
                d["paths"]["/lecivepripravky/{kod_sukl}"]["get"]["responses"]["404"]["schema"]["$ref"] =
                    json!("#/definitions/Error400")
            }),
            "responses[\"404\"].schema.$ref",
        ),
        (
            "a response header left out",
            Box::new(|d| {
                d["paths"]["/scau"]["get"]["responses"]["200"]
                    .as_object_mut()
                    .unwrap()
                    .remove("headers");
            }),
            "responses[\"200\"].headers: missing here",
        ),
        (
            "a response status added",
            Box::new(|d| {
                d["paths"]["/cdnu"]["post"]["responses"]["500"] = json!({"description": "x"})
            }),
            "responses[\"500\"]: not published",
        ),
        (
            "a media type",
            Box::new(|d| d["paths"]["/lekarny"]["get"]["produces"] = json!(["application/json"])),
            "GET /lekarny\"].produces",
        ),
        (
            "an operation added",
            Box::new(|d| {
                d["paths"]["/lekarny/{kod_pracoviste}"]["delete"] =
                    json!({"responses": {"204": {"description": "x"}}})
            }),
            "DELETE /lekarny/{kod_pracoviste}\"]: not published",
        ),
        (
            "an operationId added",
            Box::new(|d| d["paths"]["/lekarny"]["get"]["operationId"] = json!("lekarny")),
            "GET /lekarny\"].operationId: not published",
        ),
        (
            "a definition renamed",
            Box::new(|d| {
                let defs = d["definitions"].as_object_mut().unwrap();
                let item = defs.remove("organizace").unwrap();
                defs.insert("Organizace2".into(), item);
            }),
            "definition organizace\"]: missing here",
        ),
        (
            "a tag",
            Box::new(|d| d["paths"]["/scau"]["get"]["tags"] = json!(["Scau"])),
            "GET /scau\"].tags",
        ),
        (
            "a host invented",
            Box::new(|d| d["host"] = json!("api.sukl.cz")),
            "host: here",
        ),
        (
            "the base path",
            Box::new(|d| d["basePath"] = json!("/cissuklapi/v2")),
            "top basePath",
        ),
    ];
    let count = cases.len();
    for (what, change, needle) in cases {
        let diffs = mutated(change);
        assert_caught(what, &diffs, needle);
    }
    println!("{count} control mutations caught");
}

#[test]
fn texts_examples_and_marks_are_not_differences() {
    let diffs = mutated(|d| {
        d["info"]["title"] = json!("Something else");
        d["paths"]["/lekarny"]["get"]["summary"] = json!("Other words.");
        d["paths"]["/lekarny"]["get"]["parameters"][1]["description"] = json!("Other words.");
        d["definitions"]["Lekarna"]["properties"]["NAZEV"]["example"] =
            json!("Lékárna U Zlatého hada");
        d["definitions"]["Lekarna"]["description"] = json!("Other words.");
        d["paths"]["/scau"]["get"]
            .as_object_mut()
            .unwrap()
            .remove("x-provenance-source");
        // `required: false` written or not is the same.
        d["paths"]["/scau"]["get"]["parameters"][2]
            .as_object_mut()
            .unwrap()
            .remove("required");
    });
    assert!(diffs.is_empty(), "{diffs:#?}");
}

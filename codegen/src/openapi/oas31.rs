//! OpenAPI 3.1 (JSON Schema 2020-12) → the OpenAPI 3.0 dialect the rest of the front end reads,
//! as Swagger 2.0 is normalised in `swagger2`. Every rewrite keeps the meaning:
//!
//! * `type: [T, "null"]` → `type: T` + `nullable: true` (several non-null types: no `type`,
//!   any value); `type: "null"` alone → a nullable value that can only be `null`;
//! * `oneOf`/`anyOf` with a `{type: "null"}` member → the other members, `nullable: true`
//!   (one member left: `allOf: [it]`, the 3.0 way of a nullable reference);
//! * `const: v` → `enum: [v]` (typed by the constant when the schema has no `type`); `examples: [a, …]` → `example: a`;
//! * numeric `exclusiveMinimum: n` → `minimum: n` + `exclusiveMinimum: true` (and maximum);
//! * `allOf` members that only annotate (`{readOnly: true}`) are folded into their schema;
//! * `paths` may be absent (components only); `webhooks` and `components/pathItems` are not
//!   operations a client calls, and are left out.
//!
//! The schema rewrites also apply to 3.0 and Swagger documents: JSON Schema documents of newer
//! drafts (2019-09) reach them through references, and none of these forms is valid 3.0 anyway.

use serde_json::{Map, Value, json};

use super::bundle::{Ctx, child_ctx};

/// Rewrites a 3.1 document's structure into 3.0's (schemas: [`normalise_schemas`]).
pub(crate) fn normalise(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    if let Some(Value::Object(c)) = root.get_mut("components") {
        c.remove("pathItems");
    }
}

/// Rewrites every schema of the document (see the module docs).
pub(crate) fn normalise_schemas(doc: &mut Value) {
    let swagger2 = doc.get("swagger").is_some();
    walk(doc, Ctx::Other, "", swagger2);
}

fn walk(v: &mut Value, ctx: Ctx, key: &str, swagger2: bool) {
    match v {
        Value::Array(items) => {
            for item in items {
                walk(item, ctx, key, swagger2);
            }
        }
        Value::Object(m) => {
            if ctx == Ctx::Schema {
                schema(m);
            }
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let c = child_ctx(ctx, key, &k, swagger2);
                if c == Ctx::Data {
                    continue;
                }
                if let Some(child) = m.get_mut(&k) {
                    walk(child, c, &k, swagger2);
                }
            }
        }
        _ => {}
    }
}

fn is_null_schema(v: &Value) -> bool {
    match v.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().all(|t| t == "null"),
        _ => false,
    }
}

/// Keywords that only annotate (no constraint on the value's shape).
const ANNOTATIONS: &[&str] = &[
    "readOnly",
    "writeOnly",
    "nullable",
    "description",
    "title",
    "deprecated",
    "example",
    "default",
];

/// `allOf` members that only annotate (`allOf: [{readOnly: true}, {$ref: X}]`, a common way
/// to mark a reference read-only in 3.0) are folded into the schema that holds them.
fn fold_annotation_members(m: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = m.get("allOf") else {
        return;
    };
    let is_annotation = |v: &Value| {
        v.as_object().is_some_and(|o| {
            !o.is_empty()
                && !o.contains_key("$ref")
                && o.keys()
                    .all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
        })
    };
    if !members.iter().any(is_annotation) {
        return;
    }
    let (notes, rest): (Vec<Value>, Vec<Value>) =
        members.iter().cloned().partition(|v| is_annotation(v));
    for note in notes {
        if let Value::Object(o) = note {
            for (k, v) in o {
                m.entry(k).or_insert(v);
            }
        }
    }
    if rest.is_empty() {
        m.remove("allOf");
    } else {
        m.insert("allOf".into(), Value::Array(rest));
    }
}

/// One schema object's own keywords.
fn schema(m: &mut Map<String, Value>) {
    fold_annotation_members(m);
    if let Some(t) = m.get("type").cloned() {
        let types: Vec<&str> = match &t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = types.contains(&"null");
        let others: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        if nullable || t.is_array() {
            match others.as_slice() {
                [one] => {
                    m.insert("type".into(), Value::String((*one).to_owned()));
                }
                [] => {
                    m.remove("type");
                    m.entry("enum").or_insert_with(|| json!([null]));
                }
                _ => {
                    m.remove("type");
                }
            }
            if nullable {
                m.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = m.get(key) else {
            continue;
        };
        if !members.iter().any(is_null_schema) || members.len() < 2 {
            continue;
        }
        let rest: Vec<Value> = members
            .iter()
            .filter(|x| !is_null_schema(x))
            .cloned()
            .collect();
        m.insert("nullable".into(), Value::Bool(true));
        if rest.len() == 1 && !m.contains_key("allOf") {
            m.remove(key);
            m.insert("allOf".into(), Value::Array(rest));
        } else {
            m.insert(key.into(), Value::Array(rest));
        }
    }
    if let Some(c) = m.remove("const") {
        // Without a `type`, the constant's own JSON type is the schema's.
        let inferred = match &c {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let Some(t) = inferred
            && !m.contains_key("type")
        {
            m.insert("type".into(), Value::String(t.to_owned()));
        }
        m.entry("enum").or_insert_with(|| Value::Array(vec![c]));
    }
    if let Some(Value::Array(examples)) = m.get("examples").cloned() {
        m.remove("examples");
        if let Some(first) = examples.into_iter().next() {
            m.entry("example").or_insert(first);
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = m.get(exclusive).cloned() {
            m.insert(bound.into(), n);
            m.insert(exclusive.into(), Value::Bool(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(mut v: Value) -> Value {
        if let Some(m) = v.as_object_mut() {
            schema(m);
        }
        v
    }

    #[test]
    fn type_arrays_with_null_become_nullable() {
        assert_eq!(
            norm(json!({"type": ["string", "null"]})),
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(norm(json!({"type": ["string", "integer"]})), json!({}));
    }

    #[test]
    fn null_members_of_unions_become_nullable() {
        assert_eq!(
            norm(json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
    }

    #[test]
    fn annotation_only_all_of_members_fold_into_the_schema() {
        assert_eq!(
            norm(json!({"allOf": [{"readOnly": true}, {"$ref": "#/components/schemas/Id"}]})),
            json!({"allOf": [{"$ref": "#/components/schemas/Id"}], "readOnly": true})
        );
    }

    #[test]
    fn const_examples_and_numeric_exclusive_bounds() {
        assert_eq!(
            norm(json!({"const": "x"})),
            json!({"type": "string", "enum": ["x"]})
        );
        assert_eq!(
            norm(json!({"type": "number", "const": 2})),
            json!({"type": "number", "enum": [2]})
        );
        assert_eq!(norm(json!({"examples": [1, 2]})), json!({"example": 1}));
        assert_eq!(
            norm(json!({"exclusiveMinimum": 0})),
            json!({"exclusiveMinimum": true, "minimum": 0})
        );
    }
}

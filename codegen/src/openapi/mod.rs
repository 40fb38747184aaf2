//! OpenAPI front end: OpenAPI 3.0.x (or Swagger 2.0, normalised on input) → one Rust module
//! that compiles against `sdk-runtime` with the `rest` feature.
//!
//! Stages, one file each:
//!
//! 1. here: read JSON or YAML into a `serde_json::Value`; a Swagger 2.0 document goes through
//!    [`swagger2::normalise`]; record where every body schema sits in the original document;
//!    parse with `openapiv3`.
//! 2. `convert`: schemas → the service model's types (structs of properties, string enums with
//!    a catch-all, `oneOf`/discriminator unions, aliases); operations → the model's operations
//!    (parameters, bodies, success responses as output, error statuses as typed errors,
//!    security requirements, provenance from `x-provenance`). The one emitter
//!    ([`crate::emit`]) writes the module, as it does for WSDL.
//! 3. `samples`: representative JSON instances of every component schema and every JSON body,
//!    for round-trip and schema-validation checks (`cargo xtask conformance`).
//!
//! Choices a user will notice:
//!
//! * `date`, `date-time`, `uuid`, `uri`, `email`, … stay `String` (documented with their format):
//!   values round-trip byte for byte, and servers that stretch the formats still decode.
//! * Optional and nullable are distinct: optional → `Option<T>` (left out when `None`); required
//!   nullable → `Option<T>` written as `null`; optional nullable →
//!   `sdk_runtime::rest::Nullable<T>` (absent, `null` and a value differ).
//! * `additionalProperties: false` becomes `#[serde(deny_unknown_fields)]` only on types that no
//!   response reaches (read leniently, write strictly) and that have no flattened map.
//! * `readOnly`/`writeOnly` properties are documented, and are `Option` even when `required`
//!   (OpenAPI 3.0 requires them only in one direction).

pub mod bundle;
mod convert;
mod oas31;
mod requests;
mod samples;
pub mod swagger2;

use std::path::Path;

use serde_json::Value;

use crate::Error;
use crate::config::Overlay;
use crate::locate::Locations;
use crate::model::{Provenance, ServiceModel};

pub use crate::model::json::Unsatisfiable;
pub use requests::{BrokenRequest, RestRequestSample, request_samples};

/// A generated REST module and what the conformance runner needs to exercise it.
#[derive(Debug, Clone)]
pub struct RestModule {
    /// A complete Rust module file; compiles as `pub mod x;` in a crate whose only dependencies
    /// are `sdk-runtime` (feature `rest`), `serde` (derive) and `serde_json`.
    pub code: String,
    /// Number of generated types.
    pub types: usize,
    /// Number of operations.
    pub operations: usize,
    /// Representative JSON instances of the generated types.
    pub samples: Vec<JsonSample>,
}

/// A representative JSON instance of one generated type.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSample {
    /// What the sample is, e.g. `getFoo.response.200` or `schema Foo #2`.
    pub label: String,
    /// The Rust type, as a type expression relative to the module: a path such as
    /// `types::Foo`, or e.g. `::std::vec::Vec<types::Foo>` for an inline array body.
    pub rust_type: String,
    /// JSON pointer into the original spec document of the schema the value must satisfy.
    pub schema_pointer: String,
    /// The instance.
    pub value: Value,
    /// Set when no instance can satisfy the schema because the spec contradicts itself (e.g. a
    /// `date` string with `maxLength: 1`): the value is then the closest the builder could make,
    /// and a validator must reject it.
    pub unsatisfiable: Option<Unsatisfiable>,
}

/// Generates the module for the OpenAPI 3.0.x or Swagger 2.0 document `spec` (JSON or YAML),
/// a published description (operations without an `x-provenance` mark are `published`);
/// `shown_source` is the path printed in the header.
pub fn generate(spec: &Path, shown_source: &str) -> Result<RestModule, Error> {
    generate_with(spec, shown_source, &Locations::new())
}

/// Like [`generate`], resolving references to other files and URLs through `locations`.
pub fn generate_with(
    spec: &Path,
    shown_source: &str,
    locations: &Locations,
) -> Result<RestModule, Error> {
    crate::with_deep_stack(|| {
        let bundled = bundle::bundle(spec, locations)?;
        generate_bundled(&bundled, shown_source).map_err(|m| Error::spec(spec, m))
    })
}

/// Like [`generate`], for a self-contained document already read.
pub fn generate_from_value(original: &Value, shown_source: &str) -> Result<RestModule, String> {
    generate_bundled(
        &bundle::Bundled {
            doc: original.clone(),
            origins: Default::default(),
        },
        shown_source,
    )
}

fn generate_bundled(bundled: &bundle::Bundled, shown_source: &str) -> Result<RestModule, String> {
    let overlay = Overlay::default();
    let model = model_from_value(bundled, &overlay, Some(Provenance::Published), shown_source)?;
    let code = crate::emit::service_file(&model, &crate::emit::Options::default())
        .map_err(|e| e.to_string())?;
    let samples = samples::all(&model);
    Ok(RestModule {
        code,
        types: model.types.types.len(),
        operations: model.operations.len(),
        samples,
    })
}

/// The service model of the description `spec` of a crate: `overlay` marks personal data,
/// `default_provenance` applies to operations without an `x-provenance` mark.
pub fn service_model(
    spec: &Path,
    locations: &Locations,
    overlay: &Overlay,
    default_provenance: Option<Provenance>,
    shown_source: &str,
) -> Result<ServiceModel, Error> {
    let bundled = bundle::bundle(spec, locations)?;
    model_from_value(&bundled, overlay, default_provenance, shown_source)
        .map_err(|m| Error::spec(spec, m))
}

fn model_from_value(
    bundled: &bundle::Bundled,
    overlay: &Overlay,
    default_provenance: Option<Provenance>,
    shown_source: &str,
) -> Result<ServiceModel, String> {
    let mut loaded = load(&bundled.doc)?;
    loaded.origins = bundled.origins.clone();
    convert::build(
        &loaded,
        &convert::Settings {
            overlay,
            default_provenance,
            source: shown_source,
        },
    )
}

/// JSON when it parses as JSON, YAML otherwise (YAML 1.2 is a superset of JSON, but JSON
/// parsing is exact about numbers and faster).
pub fn parse_document(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(json_err) => serde_norway::from_str::<Lenient>(text)
            .map(|l| l.0)
            .map_err(|yaml_err| format!("neither JSON ({json_err}) nor YAML ({yaml_err})")),
    }
}

/// A JSON value read from YAML. Not `serde_json::Value` directly: YAML has non-string keys
/// (`200:` in `responses`) and integers beyond 64 bits (certificate serial numbers in examples),
/// which become strings and floats here instead of failing the whole document.
struct Lenient(Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::from(v as f64), Value::from))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| Value::from(v as f64), Value::from))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            let key = match k {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A document ready for the model.
pub(crate) struct Loaded {
    /// The parsed OpenAPI 3 document (security schemes removed, see `security_schemes`).
    pub api: openapiv3::OpenAPI,
    /// `components/securitySchemes` as written (openapiv3 knows no `mutualTLS`).
    pub security_schemes: Vec<(String, Value)>,
    /// Whether the original is Swagger 2.0 (component schemas sit under `/definitions`).
    pub swagger2: bool,
    /// Components hoisted from other files → `file#pointer` they came from.
    pub origins: std::collections::BTreeMap<String, String>,
}

impl Loaded {
    /// Pointer of a component schema in the original document.
    pub fn component_pointer(&self, name: &str) -> String {
        if let Some(origin) = self.origins.get(name) {
            return origin.clone();
        }
        let token = swagger2::pointer_token(name);
        if self.swagger2 {
            format!("/definitions/{token}")
        } else {
            format!("/components/schemas/{token}")
        }
    }
}

fn load(original: &Value) -> Result<Loaded, String> {
    let (mut doc, swagger2) = if original.get("swagger").is_some() {
        let version = original
            .get("swagger")
            .and_then(Value::as_str)
            .unwrap_or("");
        if version != "2.0" {
            return Err(format!("unsupported Swagger version `{version}`"));
        }
        (swagger2::normalise(original)?, true)
    } else {
        let version = original
            .get("openapi")
            .and_then(Value::as_str)
            .ok_or("neither `openapi` nor `swagger` at the top level")?;
        let mut doc = original.clone();
        if version.starts_with("3.1") {
            oas31::normalise(&mut doc);
        } else if !version.starts_with("3.0") {
            return Err(format!(
                "unsupported OpenAPI version `{version}` (3.0.x, 3.1.x and Swagger 2.0 are)"
            ));
        }
        mark_origins(&mut doc);
        (doc, false)
    };
    // JSON Schema documents of newer drafts reach 3.0 and Swagger descriptions through
    // references; annotation-only `allOf` members are everywhere.
    oas31::normalise_schemas(&mut doc);
    let security_schemes = doc
        .pointer_mut("/components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("securitySchemes"))
        .and_then(|s| match s {
            Value::Object(m) => Some(m.into_iter().collect()),
            _ => None,
        })
        .unwrap_or_default();
    let api: openapiv3::OpenAPI = serde_json::from_value(doc)
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
    Ok(Loaded {
        api,
        security_schemes,
        swagger2,
        origins: Default::default(),
    })
}

/// Records in every media type of request bodies and responses (under paths and components)
/// the pointer of its schema, as [`swagger2::normalise`] does for Swagger documents.
fn mark_origins(doc: &mut Value) {
    fn mark_content(holder: &mut Value, at: &str) {
        if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
            for (ct, media) in content.iter_mut() {
                if let Some(m) = media.as_object_mut()
                    && m.contains_key("schema")
                {
                    m.insert(
                        swagger2::ORIGIN.into(),
                        Value::String(format!(
                            "{at}/content/{}/schema",
                            swagger2::pointer_token(ct)
                        )),
                    );
                }
            }
        }
    }
    fn mark_responses(responses: &mut Value, at: &str) {
        if let Some(rs) = responses.as_object_mut() {
            for (code, r) in rs.iter_mut() {
                let at = based(r, &format!("{at}/{}", swagger2::pointer_token(code)));
                mark_content(r, &at);
            }
        }
    }
    /// Where an object is: `at`, or the `file#pointer` it was inlined from by the bundler.
    fn based(v: &Value, at: &str) -> String {
        v.get(bundle::BASE)
            .and_then(Value::as_str)
            .map_or_else(|| at.to_owned(), str::to_owned)
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_at = based(item, &format!("/paths/{}", swagger2::pointer_token(path)));
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                let at = based(op, &format!("{item_at}/{method}"));
                if let Some(body) = op.get_mut("requestBody") {
                    let at = based(body, &format!("{at}/requestBody"));
                    mark_content(body, &at);
                }
                if let Some(rs) = op.get_mut("responses") {
                    mark_responses(rs, &format!("{at}/responses"));
                }
            }
        }
    }
    if let Some(bodies) = doc
        .pointer_mut("/components/requestBodies")
        .and_then(Value::as_object_mut)
    {
        for (name, body) in bodies.iter_mut() {
            let at = format!(
                "/components/requestBodies/{}",
                swagger2::pointer_token(name)
            );
            mark_content(body, &at);
        }
    }
    if let Some(rs) = doc.pointer_mut("/components/responses") {
        mark_responses(rs, "/components/responses");
    }
}

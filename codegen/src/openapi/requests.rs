//! Request documents of REST operations, as `sdk_runtime::requests::RestRequest` reads them
//! (`{"params": {name: value}, "body": value}`): one valid request per operation, from the
//! samples of its parameters' and body's types, and that request once per facet of each value
//! in it with that value breaking the facet — what the audit of the request path sends.

use serde_json::{Map, Value, json};

use super::samples::write_sample;
use crate::model::json::{Scalar, ScalarKind};
use crate::model::rest::Body;
use crate::model::{OperationBinding, ServiceModel, TypeKind, TypeModel, TypeRef};
use crate::violations::NOT_LISTED;

/// The requests of one REST operation.
#[derive(Debug, Clone)]
pub struct RestRequestSample {
    /// The operation's name.
    pub operation: String,
    /// A valid request: every parameter, and the body.
    pub valid: Value,
    /// The valid request with one value breaking one facet.
    pub broken: Vec<BrokenRequest>,
}

/// A request with one value breaking one facet.
#[derive(Debug, Clone)]
pub struct BrokenRequest {
    /// JSON pointer of the value in the request document.
    pub pointer: String,
    /// The facet (JSON Schema keyword) broken.
    pub facet: &'static str,
    /// The value written.
    pub value: Value,
    /// The request document.
    pub request: Value,
}

/// The requests of every REST operation of `service`.
pub fn request_samples(service: &ServiceModel) -> Vec<RestRequestSample> {
    let model = &service.types;
    let mut out = Vec::new();
    for op in &service.operations {
        let OperationBinding::Rest(r) = &op.binding else {
            continue;
        };
        let mut params = Map::new();
        let mut typed: Vec<(String, TypeRef)> = Vec::new();
        for p in &r.params {
            if let Some(v) = write_sample(model, &p.ty) {
                params.insert(p.wire.clone(), v);
                typed.push((format!("/params/{}", escape(&p.wire)), p.ty.clone()));
            }
        }
        let mut body = Value::Null;
        match &r.body {
            Some(Body::Json { ty, .. }) => {
                if let Some(v) = write_sample(model, ty) {
                    body = v;
                    typed.push(("/body".to_owned(), ty.clone()));
                }
            }
            Some(Body::Text { .. }) | Some(Body::Bytes { .. }) => {
                body = Value::String("sample".into());
            }
            Some(Body::Form { fields }) | Some(Body::Multipart { fields }) => {
                for f in fields {
                    let pointer = format!("/params/{}", escape(&f.wire));
                    match &f.ty {
                        Some(t) => {
                            if let Some(v) = write_sample(model, t) {
                                params.insert(f.wire.clone(), v);
                                typed.push((pointer, t.clone()));
                            }
                        }
                        None => {
                            params.insert(f.wire.clone(), json!([115, 97, 109]));
                        }
                    }
                }
            }
            None => {}
        }
        let valid = json!({ "params": params, "body": body });
        let mut broken = Vec::new();
        for (pointer, ty) in &typed {
            let Some(value) = valid.pointer(pointer) else {
                continue;
            };
            let mut found = Vec::new();
            breaks(model, ty, value, pointer.clone(), &mut found, 0);
            for (at, facet, bad) in found {
                let mut request = valid.clone();
                if let Some(slot) = request.pointer_mut(&at) {
                    *slot = bad.clone();
                    broken.push(BrokenRequest {
                        pointer: at,
                        facet,
                        value: bad,
                        request,
                    });
                }
            }
        }
        out.push(RestRequestSample {
            operation: op.name.clone(),
            valid,
            broken,
        });
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

const MAX_DEPTH: usize = 12;

/// Every value in `value` (of type `ty`, at `pointer`) with a facet some other value of its
/// JSON type breaks: (pointer, facet, breaking value). The first item of an array stands for
/// all of them.
fn breaks(
    model: &TypeModel,
    ty: &TypeRef,
    value: &Value,
    pointer: String,
    out: &mut Vec<(String, &'static str, Value)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match ty {
        TypeRef::Scalar(s) => {
            for (facet, v) in scalar_breaks(s) {
                out.push((pointer.clone(), facet, v));
            }
        }
        TypeRef::Array {
            item,
            min_items,
            max_items,
        } => {
            let Value::Array(items) = value else { return };
            if let Some(first) = items.first() {
                breaks(model, item, first, format!("{pointer}/0"), out, depth + 1);
                if let Some(max) = max_items
                    && *max < 1000
                {
                    out.push((
                        pointer.clone(),
                        "maxItems",
                        Value::Array(vec![first.clone(); max + 1]),
                    ));
                }
            }
            if let Some(min) = min_items
                && *min > 0
                && items.len() >= *min
            {
                out.push((
                    pointer.clone(),
                    "minItems",
                    Value::Array(items[..min - 1].to_vec()),
                ));
            }
        }
        TypeRef::Nullable(inner) if !value.is_null() => {
            breaks(model, inner, value, pointer, out, depth + 1);
        }
        TypeRef::Map(inner) => {
            if let Value::Object(m) = value
                && let Some((k, v)) = m.iter().next()
            {
                breaks(
                    model,
                    inner,
                    v,
                    format!("{pointer}/{}", escape(k)),
                    out,
                    depth + 1,
                );
            }
        }
        TypeRef::Def(id) => match model.get(*id).map(|t| &t.kind) {
            Some(TypeKind::Struct(st)) => {
                let Value::Object(m) = value else { return };
                for f in &st.fields {
                    if let Some(v) = m.get(&f.wire.local) {
                        let at = format!("{pointer}/{}", escape(&f.wire.local));
                        breaks(model, &f.ty, v, at, out, depth + 1);
                    }
                }
            }
            Some(TypeKind::Enum(e)) if !e.values.iter().any(|v| v.value == NOT_LISTED) => {
                out.push((pointer, "enum", Value::String(NOT_LISTED.into())));
            }
            Some(TypeKind::Alias(inner)) => breaks(model, inner, value, pointer, out, depth + 1),
            _ => {}
        },
        _ => {}
    }
}

/// For a scalar: each keyword a value of its JSON type can break, with such a value.
fn scalar_breaks(s: &Scalar) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    match s.kind {
        ScalarKind::String => {
            if let Some(p) = &s.pattern
                && let Ok(re) = regex::Regex::new(p)
                && let Some(v) = ["~", "zz", "0", "sample text", "Z9", "-"]
                    .iter()
                    .find(|c| !re.is_match(c))
            {
                out.push(("pattern", json!(v)));
            }
            if let Some(n) = s.min_length
                && n > 0
            {
                out.push(("minLength", json!("x".repeat(n - 1))));
            }
            if let Some(n) = s.max_length
                && n < 100_000
            {
                out.push(("maxLength", json!("x".repeat(n + 1))));
            }
            if !s.enumeration.is_empty() && !s.enumeration.contains(&json!(NOT_LISTED)) {
                out.push(("enum", json!(NOT_LISTED)));
            }
        }
        ScalarKind::I32 | ScalarKind::I64 | ScalarKind::F64 | ScalarKind::Decimal => {
            let fits = |v: f64| match s.kind {
                ScalarKind::I32 => v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX),
                ScalarKind::I64 => v.abs() < 9.0e15,
                _ => v.is_finite(),
            };
            let number = |v: f64| {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    json!(v as i64)
                } else {
                    json!(v)
                }
            };
            let integral = matches!(s.kind, ScalarKind::I32 | ScalarKind::I64);
            if let Some(min) = s.minimum {
                let v = if s.exclusive_minimum { min } else { min - 1.0 };
                let v = if integral { v.floor() } else { v };
                if fits(v) {
                    out.push(("minimum", number(v)));
                }
            }
            if let Some(max) = s.maximum {
                let v = if s.exclusive_maximum { max } else { max + 1.0 };
                let v = if integral { v.ceil() } else { v };
                if fits(v) {
                    out.push(("maximum", number(v)));
                }
            }
            if let Some(m) = s.multiple_of
                && m > 0.0
            {
                let v = if integral {
                    if m > 1.0 { m + 1.0 } else { f64::NAN }
                } else {
                    m * 1.5
                };
                if fits(v) && (v / m).fract() != 0.0 {
                    out.push(("multipleOf", number(v)));
                }
            }
            if !s.enumeration.is_empty() {
                let top = s
                    .enumeration
                    .iter()
                    .filter_map(Value::as_f64)
                    .fold(0.0_f64, f64::max);
                let v = top + 1000.0;
                if fits(v) {
                    out.push(("enum", number(v)));
                }
            }
        }
        ScalarKind::Bool => {}
    }
    out
}

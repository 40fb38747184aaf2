//! Representative JSON instances of the generated types, for round-trip and schema checks.
//!
//! Per type several samples: every property present (values from formats, enums, examples and
//! bounds), only the required ones (other values, so that two samples differ even without
//! optional properties), and nullable properties as `null`; a union gives one sample per
//! alternative. Request bodies leave `readOnly` properties out, responses `writeOnly` ones.

use serde_json::{Map, Value, json};

use super::JsonSample;
use super::emit::ty_text;
use super::model::{Body, Code, DefKind, Model, ResponseBody, Scalar, ScalarKind, Ty};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every property.
    Full,
    /// Required properties only.
    Minimal,
    /// Every property, nullable ones as `null`.
    Nulls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Component schemas: no direction.
    Plain,
    /// Request bodies: no `readOnly` properties.
    Write,
    /// Response bodies: no `writeOnly` properties.
    Read,
}

const MAX_DEPTH: usize = 6;

pub fn all(model: &Model) -> Vec<JsonSample> {
    let mut out = Vec::new();
    for (name, id) in &model.components {
        let Some(pointer) = model.component_of(*id) else {
            continue;
        };
        let ty = Ty::Named(*id);
        for (i, value) in samples(model, &ty, Direction::Plain)
            .into_iter()
            .enumerate()
        {
            out.push(JsonSample {
                label: format!("schema {name} #{}", i + 1),
                rust_type: ty_text(model, &ty),
                schema_pointer: pointer.to_owned(),
                value,
            });
        }
    }
    for op in &model.operations {
        if let Some(Body::Json {
            ty,
            pointer: Some(pointer),
            ..
        }) = &op.body
        {
            for (i, value) in samples(model, ty, Direction::Write).into_iter().enumerate() {
                out.push(JsonSample {
                    label: format!("{}.request #{}", op.name, i + 1),
                    rust_type: ty_text(model, ty),
                    schema_pointer: pointer.clone(),
                    value,
                });
            }
        }
        for r in &op.responses {
            if let ResponseBody::Json {
                ty,
                pointer: Some(pointer),
            } = &r.body
            {
                let code = match r.code {
                    Code::Exact(c) => c.to_string(),
                    Code::Range(n) => format!("{n}XX"),
                    Code::Default => "default".into(),
                };
                for (i, value) in samples(model, ty, Direction::Read).into_iter().enumerate() {
                    out.push(JsonSample {
                        label: format!("{}.response.{code} #{}", op.name, i + 1),
                        rust_type: ty_text(model, ty),
                        schema_pointer: pointer.clone(),
                        value,
                    });
                }
            }
        }
    }
    out
}

struct Gen<'a> {
    model: &'a Model,
    dir: Direction,
}

fn samples(model: &Model, ty: &Ty, dir: Direction) -> Vec<Value> {
    let g = Gen { model, dir };
    let mut out: Vec<Value> = Vec::new();
    let mut push = |v: Option<Value>| {
        if let Some(v) = v
            && !out.contains(&v)
        {
            out.push(v);
        }
    };
    if let Some(DefKind::OneOf(o)) = g.def_kind(ty) {
        for i in 0..o.variants.len() {
            push(g.union(ty, Mode::Full, i, 0));
        }
        push(g.union(ty, Mode::Minimal, 1, 0));
        push(g.union(ty, Mode::Nulls, 0, 0));
        return out;
    }
    push(g.value(ty, Mode::Full, 0, 0, None));
    push(g.value(ty, Mode::Minimal, 1, 0, None));
    push(g.value(ty, Mode::Nulls, 0, 0, None));
    out
}

impl Gen<'_> {
    fn def_kind(&self, ty: &Ty) -> Option<&DefKind> {
        match ty {
            Ty::Named(id) => match self.model.defs.get(*id).map(|d| &d.kind) {
                Some(DefKind::Alias(t)) => self.def_kind(t),
                other => other,
            },
            _ => None,
        }
    }

    /// Alternative `branch` of the union `ty`.
    fn union(&self, ty: &Ty, mode: Mode, branch: usize, depth: usize) -> Option<Value> {
        let Some(DefKind::OneOf(o)) = self.def_kind(ty) else {
            return self.value(ty, mode, branch, depth, None);
        };
        if o.variants.is_empty() {
            return Some(json!({}));
        }
        let v = o.variants.get(branch % o.variants.len())?;
        let tag = match (&o.discriminator, v.tags.first()) {
            (Some(d), Some(t)) => Some((d.property.as_str(), t.as_str())),
            _ => None,
        };
        self.value(&v.ty, mode, branch, depth + 1, tag)
    }

    /// A value of `ty`; `variant` varies scalars; `tag` forces a discriminator property.
    fn value(
        &self,
        ty: &Ty,
        mode: Mode,
        variant: usize,
        depth: usize,
        tag: Option<(&str, &str)>,
    ) -> Option<Value> {
        match ty {
            Ty::Scalar(s) => Some(scalar(s, variant)),
            Ty::Any => Some(json!("any value")),
            Ty::Nullable(t) => {
                if mode == Mode::Nulls {
                    Some(Value::Null)
                } else {
                    self.value(t, mode, variant, depth, None)
                }
            }
            Ty::Array {
                item,
                min_items,
                max_items,
            } => {
                let min = min_items.unwrap_or(0);
                let mut n = if mode == Mode::Minimal || depth >= MAX_DEPTH {
                    min
                } else {
                    min.max(1)
                };
                if let Some(max) = max_items {
                    n = n.min(*max);
                }
                let mut items = Vec::new();
                for i in 0..n {
                    items.push(self.value(item, mode, variant + i, depth + 1, None)?);
                }
                Some(Value::Array(items))
            }
            Ty::Map(v) => {
                if mode == Mode::Minimal || depth >= MAX_DEPTH {
                    Some(json!({}))
                } else {
                    let mut m = Map::new();
                    m.insert(
                        "key1".into(),
                        self.value(v, mode, variant, depth + 1, None)?,
                    );
                    Some(Value::Object(m))
                }
            }
            Ty::Named(id) => {
                let def = self.model.defs.get(*id)?;
                match &def.kind {
                    DefKind::Alias(t) => self.value(t, mode, variant, depth, tag),
                    DefKind::Enum(e) => {
                        Some(match e.variants.get(variant % e.variants.len().max(1)) {
                            Some((_, wire)) => Value::String(wire.clone()),
                            None => json!("unlisted value"),
                        })
                    }
                    DefKind::OneOf(_) => self.union(ty, mode, variant, depth),
                    DefKind::Struct(s) => {
                        let mut m = Map::new();
                        for f in &s.fields {
                            if (self.dir == Direction::Write && f.read_only)
                                || (self.dir == Direction::Read && f.write_only)
                            {
                                continue;
                            }
                            if let Some((prop, t)) = tag
                                && prop == f.wire
                            {
                                m.insert(f.wire.clone(), Value::String(t.to_owned()));
                                continue;
                            }
                            // OpenAPI 3.0: a required read-only property is required in
                            // responses only, a write-only one in requests only.
                            let needed = f.required
                                && match self.dir {
                                    Direction::Plain => !f.read_only && !f.write_only,
                                    Direction::Read => !f.write_only,
                                    Direction::Write => !f.read_only,
                                };
                            let present = needed
                                || (depth < MAX_DEPTH
                                    && match mode {
                                        Mode::Full => true,
                                        Mode::Minimal => false,
                                        Mode::Nulls => f.nullable,
                                    });
                            if !present {
                                continue;
                            }
                            let value = if mode == Mode::Nulls && f.nullable {
                                Some(Value::Null)
                            } else {
                                self.value(&f.ty, mode, variant, depth + 1, None)
                            };
                            match value {
                                Some(v) => {
                                    m.insert(f.wire.clone(), v);
                                }
                                None if needed => return None,
                                None => {}
                            }
                        }
                        if let Some((prop, t)) = tag
                            && !m.contains_key(prop)
                        {
                            m.insert(prop.to_owned(), Value::String(t.to_owned()));
                        }
                        if let Some((_, t)) = &s.additional
                            && mode == Mode::Full
                            && depth < MAX_DEPTH
                        {
                            let key = (1..)
                                .map(|i| format!("extra{i}"))
                                .find(|k| !m.contains_key(k))
                                .unwrap_or_default();
                            if let Some(v) = self.value(t, mode, variant, depth + 1, None) {
                                m.insert(key, v);
                            }
                        }
                        Some(Value::Object(m))
                    }
                }
            }
        }
    }
}

fn scalar(s: &Scalar, variant: usize) -> Value {
    if !s.enumeration.is_empty() {
        return s.enumeration[variant % s.enumeration.len()].clone();
    }
    match s.kind {
        ScalarKind::Bool => Value::Bool(variant.is_multiple_of(2)),
        ScalarKind::I32 | ScalarKind::I64 => {
            let mut lo = s.minimum.map_or(1, |m| m.ceil() as i64);
            if s.exclusive_minimum && s.minimum.is_some_and(|m| m.ceil() as i64 == lo) {
                lo += 1;
            }
            let mut hi = s.maximum.map_or(i64::MAX, |m| m.floor() as i64);
            if s.exclusive_maximum && s.maximum.is_some_and(|m| m.floor() as i64 == hi) {
                hi -= 1;
            }
            let v = lo.saturating_add(variant as i64 % 3);
            Value::from(if v > hi { lo } else { v })
        }
        ScalarKind::F64 => {
            let base = s.minimum.unwrap_or(0.0) + 1.5 + variant as f64;
            let v = match s.maximum {
                Some(max) if base >= max => {
                    let lo = s.minimum.unwrap_or(max - 1.0);
                    (lo + max) / 2.0
                }
                _ => base,
            };
            Value::from(v)
        }
        ScalarKind::String => Value::String(string(s, variant)),
    }
}

fn string(s: &Scalar, variant: usize) -> String {
    let by_format = match s.format.as_deref() {
        Some("date") => Some(["2024-01-31", "2023-12-01"][variant % 2].to_owned()),
        Some("date-time") => {
            Some(["2024-01-31T12:34:56Z", "2023-12-01T08:00:00+01:00"][variant % 2].to_owned())
        }
        Some("uuid") => Some(
            [
                "3f2c1b9e-8a4d-4c6e-9f1a-2b3c4d5e6f70",
                "0b6e2c4a-1d3f-4a5b-8c7d-9e0f1a2b3c4d",
            ][variant % 2]
                .to_owned(),
        ),
        Some("uri" | "url") => Some(format!("https://example.org/resource/{}", variant + 1)),
        Some("email") => Some(format!("user{}@example.org", variant + 1)),
        Some("byte") => Some(["aGVsbG8=", "d29ybGQ="][variant % 2].to_owned()),
        Some("ipv4") => Some(format!("192.0.2.{}", variant + 1)),
        Some("ipv6") => Some("2001:db8::1".to_owned()),
        Some("hostname") => Some("host.example.org".to_owned()),
        _ => None,
    };
    if let Some(v) = by_format {
        // A format value that breaks a length facet would fail anyway; lengths win.
        let n = v.chars().count();
        if s.min_length.is_none_or(|m| n >= m) && s.max_length.is_none_or(|m| n <= m) {
            return v;
        }
    }
    let fits = |v: &str| {
        let n = v.chars().count();
        s.min_length.is_none_or(|m| n >= m) && s.max_length.is_none_or(|m| n <= m)
    };
    if let Some(Value::String(e)) = &s.example
        && fits(e)
    {
        return e.clone();
    }
    if let Some(p) = &s.pattern
        && let Some(v) = from_pattern(p, variant)
    {
        return v;
    }
    let min = s.min_length.unwrap_or(0);
    let max = s.max_length.unwrap_or(usize::MAX);
    let mut text = if variant.is_multiple_of(2) {
        "sample".to_owned()
    } else {
        "other".to_owned()
    };
    while text.chars().count() < min {
        text.push('x');
    }
    text.chars().take(max.max(min)).collect()
}

/// A value for simple patterns (`^[0-9]{8}$`, `^\d{3,5}$`, `^[A-Z]{2}$`); `None` for others.
fn from_pattern(p: &str, variant: usize) -> Option<String> {
    let inner = p.strip_prefix('^')?.strip_suffix('$')?;
    let (class, rest) = if let Some(r) = inner.strip_prefix("\\d") {
        ('0', r)
    } else if let Some(r) = inner.strip_prefix("[0-9]") {
        ('0', r)
    } else if let Some(r) = inner.strip_prefix("[A-Z]") {
        ('A', r)
    } else if let Some(r) = inner.strip_prefix("[a-z]") {
        ('a', r)
    } else {
        return None;
    };
    let count = rest.strip_prefix('{')?.strip_suffix('}')?;
    let n: usize = count.split(',').next()?.trim().parse().ok()?;
    let base = u8::try_from(class).ok()?;
    let span = if class == '0' { 10 } else { 26 };
    Some(
        (0..n)
            .map(|i| char::from(base + u8::try_from((i + variant) % span).unwrap_or(0)))
            .collect(),
    )
}

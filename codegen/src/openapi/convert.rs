//! Schemas and operations of an OpenAPI document → the service model ([`crate::model`]), the
//! same the WSDL front end fills: JSON objects become structs of properties, string enums
//! enums, `oneOf`/`anyOf` unions, other named schemas aliases; operations carry their
//! provenance (`x-provenance`), their success responses as output and their error statuses as
//! typed errors.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema,
    SchemaData, SchemaKind, StatusCode, Type,
};
use serde_json::Value;

use super::Loaded;
use super::swagger2::ORIGIN;
use crate::config::Overlay;
use crate::docs::sanitize;
use crate::model::json::{
    Access, Discriminator, OneOfDef, Scalar, ScalarKind, Unsatisfiable, Variant,
};
use crate::model::rest::{
    Body, Code, FlowModel, FormField, Location, Param, Resp, ResponseBody, RestOperation,
    RestService, Scheme, SchemeModel,
};
use crate::model::{
    Encoding, EnumDef, EnumValue, ErrorCase, ErrorMatch, Field, FieldKind, OperationBinding,
    OperationModel, Protocol, Provenance, ServiceModel, StructDef, TypeDef, TypeId, TypeKind,
    TypeModel, TypeRef,
};
use crate::names;
use crate::wsdl::QName;

/// Index into the type list being built.
type DefId = usize;

/// Sanitized doc paragraphs, empty ones dropped: the model holds rustdoc-safe Markdown.
fn clean(paragraphs: Vec<String>) -> Vec<String> {
    paragraphs
        .iter()
        .map(|p| sanitize(p))
        .filter(|p| !p.is_empty())
        .collect()
}

/// What the front end needs besides the document.
pub(crate) struct Settings<'a> {
    /// Names, sensitivity.
    pub overlay: &'a Overlay,
    /// Provenance of operations without an `x-provenance` mark.
    pub default_provenance: Option<Provenance>,
    /// The spec path shown in headers.
    pub source: &'a str,
}

/// A schema or a reference to one, whichever box it comes in.
#[derive(Clone, Copy)]
pub(crate) enum SRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

/// A schema that constrains nothing (only annotations such as `readOnly` or `description`).
fn annotation_only(s: SRef<'_>) -> bool {
    let SRef::Item(schema) = s else {
        return false;
    };
    let v = View::of(schema);
    v.typ.is_none()
        && v.format.is_none()
        && v.properties.is_empty()
        && v.required.is_empty()
        && v.additional.is_none()
        && v.items.is_none()
        && v.string_enum.is_empty()
        && v.other_enum.is_empty()
        && v.one_of.is_empty()
        && v.all_of.is_empty()
        && v.any_of.is_empty()
        && v.min_length.is_none()
        && v.max_length.is_none()
        && v.pattern.is_none()
        && v.minimum.is_none()
        && v.maximum.is_none()
}

/// One view of a schema, whichever `SchemaKind` openapiv3 parsed it into.
#[derive(Default)]
struct View<'a> {
    typ: Option<&'a str>,
    format: Option<String>,
    properties: Vec<(&'a str, SRef<'a>)>,
    required: Vec<&'a str>,
    additional: Option<&'a AdditionalProperties>,
    items: Option<SRef<'a>>,
    /// String enum values (`None` = `null` allowed).
    string_enum: Vec<Option<String>>,
    other_enum: Vec<Value>,
    one_of: Vec<SRef<'a>>,
    all_of: Vec<SRef<'a>>,
    any_of: Vec<SRef<'a>>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<String>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: bool,
    exclusive_maximum: bool,
    multiple_of: Option<f64>,
    min_items: Option<usize>,
    max_items: Option<usize>,
}

fn format_text<T: serde::Serialize>(f: &openapiv3::VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        openapiv3::VariantOrUnknownOrEmpty::Item(i) => serde_json::to_value(i)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        openapiv3::VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        openapiv3::VariantOrUnknownOrEmpty::Empty => None,
    }
}

impl<'a> View<'a> {
    fn of(s: &'a Schema) -> Self {
        let mut v = View::default();
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                v.typ = Some("string");
                v.format = format_text(&t.format);
                v.pattern = t.pattern.clone();
                v.string_enum = t.enumeration.clone();
                v.min_length = t.min_length;
                v.max_length = t.max_length;
            }
            SchemaKind::Type(Type::Number(t)) => {
                v.typ = Some("number");
                v.format = format_text(&t.format);
                v.minimum = t.minimum;
                v.maximum = t.maximum;
                v.exclusive_minimum = t.exclusive_minimum;
                v.exclusive_maximum = t.exclusive_maximum;
                v.multiple_of = t.multiple_of;
                v.other_enum = t
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|n| Value::from(*n))
                    .collect();
            }
            SchemaKind::Type(Type::Integer(t)) => {
                v.typ = Some("integer");
                v.format = format_text(&t.format);
                v.minimum = t.minimum.map(|n| n as f64);
                v.maximum = t.maximum.map(|n| n as f64);
                v.exclusive_minimum = t.exclusive_minimum;
                v.exclusive_maximum = t.exclusive_maximum;
                v.multiple_of = t.multiple_of.map(|n| n as f64);
                v.other_enum = t
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|n| Value::from(*n))
                    .collect();
            }
            SchemaKind::Type(Type::Boolean(t)) => {
                v.typ = Some("boolean");
                v.other_enum = t
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|b| Value::from(*b))
                    .collect();
            }
            SchemaKind::Type(Type::Object(o)) => {
                v.typ = Some("object");
                v.properties = o
                    .properties
                    .iter()
                    .map(|(k, s)| (k.as_str(), s.into()))
                    .collect();
                v.required = o.required.iter().map(String::as_str).collect();
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.typ = Some("array");
                v.items = a.items.as_ref().map(Into::into);
                v.min_items = a.min_items;
                v.max_items = a.max_items;
            }
            SchemaKind::OneOf { one_of } => v.one_of = one_of.iter().map(Into::into).collect(),
            SchemaKind::AllOf { all_of } => v.all_of = all_of.iter().map(Into::into).collect(),
            SchemaKind::AnyOf { any_of } => v.any_of = any_of.iter().map(Into::into).collect(),
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(a) => {
                v.typ = a.typ.as_deref();
                v.format = a.format.clone();
                v.pattern = a.pattern.clone();
                v.properties = a
                    .properties
                    .iter()
                    .map(|(k, s)| (k.as_str(), s.into()))
                    .collect();
                v.required = a.required.iter().map(String::as_str).collect();
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref().map(Into::into);
                if a.typ.as_deref() == Some("string") || a.enumeration.iter().all(Value::is_string)
                {
                    v.string_enum = a
                        .enumeration
                        .iter()
                        .map(|e| e.as_str().map(str::to_owned))
                        .collect();
                } else {
                    v.other_enum = a.enumeration.clone();
                }
                v.one_of = a.one_of.iter().map(Into::into).collect();
                v.all_of = a.all_of.iter().map(Into::into).collect();
                v.any_of = a.any_of.iter().map(Into::into).collect();
                v.min_length = a.min_length;
                v.max_length = a.max_length;
                v.minimum = a.minimum;
                v.maximum = a.maximum;
                v.exclusive_minimum = a.exclusive_minimum.unwrap_or(false);
                v.exclusive_maximum = a.exclusive_maximum.unwrap_or(false);
                v.multiple_of = a.multiple_of;
                v.min_items = a.min_items;
                v.max_items = a.max_items;
            }
        }
        v
    }

    fn is_object_like(&self) -> bool {
        self.typ == Some("object") || !self.properties.is_empty()
    }
}

/// ASCII for German and Czech (and other Latin) letters, so that names stay readable and plain:
/// `Größe` → `Groesse`, `příjmení` → `prijmeni`. Other non-ASCII characters separate words.
pub(crate) fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let r = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'Ä' => "Ae",
            'Ö' => "Oe",
            'Ü' => "Ue",
            'ß' => "ss",
            'á' | 'à' | 'â' | 'ã' | 'å' | 'ą' => "a",
            'Á' | 'À' | 'Â' | 'Ã' | 'Å' | 'Ą' => "A",
            'č' | 'ć' | 'ç' => "c",
            'Č' | 'Ć' | 'Ç' => "C",
            'ď' => "d",
            'Ď' => "D",
            'é' | 'ě' | 'è' | 'ê' | 'ë' | 'ę' => "e",
            'É' | 'Ě' | 'È' | 'Ê' | 'Ë' | 'Ę' => "E",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'Í' | 'Ì' | 'Î' | 'Ï' => "I",
            'ľ' | 'ĺ' | 'ł' => "l",
            'Ľ' | 'Ĺ' | 'Ł' => "L",
            'ň' | 'ń' | 'ñ' => "n",
            'Ň' | 'Ń' | 'Ñ' => "N",
            'ó' | 'ò' | 'ô' | 'õ' | 'ø' => "o",
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ø' => "O",
            'ř' | 'ŕ' => "r",
            'Ř' | 'Ŕ' => "R",
            'š' | 'ś' => "s",
            'Š' | 'Ś' => "S",
            'ť' => "t",
            'Ť' => "T",
            'ú' | 'ů' | 'ù' | 'û' => "u",
            'Ú' | 'Ů' | 'Ù' | 'Û' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' => "Y",
            'ž' | 'ź' | 'ż' => "z",
            'Ž' | 'Ź' | 'Ż' => "Z",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(r);
    }
    out
}

fn snake(s: &str) -> String {
    names::snake(&ascii(s))
}

fn camel(s: &str) -> String {
    // `names::camel` keeps clear of prelude names (`Error` → `Error_`); generated REST modules
    // spell every std type with its full path, so only `Self` needs that.
    let c = names::camel(&ascii(s));
    match c.strip_suffix('_') {
        Some(base) if base != "Self" && !base.ends_with('_') => base.to_owned(),
        _ => c,
    }
}

/// `#/components/schemas/Name` → `Name`.
pub(crate) fn component_name(reference: &str) -> Result<String, String> {
    reference
        .strip_prefix("#/components/schemas/")
        .filter(|n| !n.contains('/'))
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
        .ok_or_else(|| format!("unsupported schema reference `{reference}` (only #/components/schemas/… and #/definitions/…)"))
}

/// A reference to the type being built as `id`.
fn named(id: DefId) -> TypeRef {
    TypeRef::Def(TypeId(id))
}

/// `x-sensitive: true` on a schema or parameter: personal data, redacted in `Debug`.
fn marked_sensitive(mark: Option<&Value>) -> bool {
    mark.and_then(Value::as_bool) == Some(true)
}

struct Builder<'a> {
    api: &'a OpenAPI,
    settings: &'a Settings<'a>,
    defs: Vec<TypeDef>,
    names: BTreeSet<String>,
    components: BTreeMap<String, DefId>,
    /// Which components are allOf-children of which (for discriminator bases).
    children: BTreeMap<String, Vec<String>>,
}

pub(crate) fn build(loaded: &Loaded, settings: &Settings<'_>) -> Result<ServiceModel, String> {
    let api = &loaded.api;
    let mut b = Builder {
        api,
        settings,
        defs: Vec::new(),
        names: BTreeSet::new(),
        components: BTreeMap::new(),
        children: BTreeMap::new(),
    };
    let schemas: Vec<(&String, &ReferenceOr<Schema>)> = api
        .components
        .as_ref()
        .map(|c| c.schemas.iter().collect())
        .unwrap_or_default();
    let mut components = Vec::new();
    for (name, schema) in &schemas {
        let id = b.reserve(&camel(name));
        b.defs[id].pointer = Some(loaded.component_pointer(name));
        b.components.insert((*name).clone(), id);
        components.push(((*name).clone(), id));
        if let ReferenceOr::Item(s) = schema {
            for part in View::of(s).all_of {
                if let SRef::Ref(r) = part
                    && let Ok(parent) = component_name(r)
                {
                    b.children.entry(parent).or_default().push((*name).clone());
                }
            }
        }
    }
    for (name, schema) in &schemas {
        let id = b.components[*name];
        let kind = match schema {
            ReferenceOr::Reference { reference } => {
                let target = component_name(reference)?;
                let tid = b.component(&target)?;
                TypeKind::Alias(named(tid))
            }
            ReferenceOr::Item(s) => {
                let name = b.defs[id].rust_name.clone();
                b.defs[id].doc = clean(schema_doc(&s.schema_data));
                b.named_kind(s, &name, Some(name.as_str()))?
            }
        };
        b.defs[id].kind = kind;
    }

    let mut operations = Vec::new();
    let mut op_names = BTreeSet::new();
    for (path, item) in api.paths.paths.iter() {
        let item = match item {
            ReferenceOr::Item(i) => i,
            ReferenceOr::Reference { reference } => {
                return Err(format!(
                    "path item references (`{reference}`) are not supported"
                ));
            }
        };
        for (method, op) in item.iter() {
            operations.push(b.operation(path, method, op, &item.parameters, &mut op_names)?);
        }
    }

    mark_boxes(&mut b.defs);
    mark_responses(&mut b.defs, &operations);
    let components = components
        .into_iter()
        .map(|(name, id)| (name, TypeId(id)))
        .collect();

    let schemes = security_schemes(&loaded.security_schemes)?;
    let servers = api
        .servers
        .iter()
        .map(|s| {
            let mut url = s.url.clone();
            if let Some(vars) = &s.variables {
                for (k, v) in vars {
                    url = url.replace(&format!("{{{k}}}"), &v.default);
                }
            }
            (url, s.description.clone())
        })
        .collect();
    Ok(ServiceModel {
        name: api.info.title.clone(),
        doc: clean(api.info.description.iter().cloned().collect()),
        source: settings.source.to_owned(),
        protocol: Protocol::Rest(RestService {
            version: api.info.version.clone(),
            servers,
            schemes,
            components,
            swagger2: loaded.swagger2,
        }),
        operations,
        types: TypeModel {
            types: b.defs,
            encoding: Encoding::Json,
        },
    })
}

fn schema_doc(d: &SchemaData) -> Vec<String> {
    let mut doc = Vec::new();
    if let Some(t) = &d.title {
        doc.push(t.clone());
    }
    if let Some(x) = &d.description {
        doc.push(x.clone());
    }
    if d.deprecated {
        doc.push("Deprecated by the service description.".into());
    }
    doc
}

fn scalar_doc(s: &Scalar) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(f) = &s.format {
        let what = match f.as_str() {
            "date" => "`date` (RFC 3339 full-date, e.g. `2024-01-31`), kept as text",
            "date-time" => "`date-time` (RFC 3339, e.g. `2024-01-31T12:00:00Z`), kept as text",
            "uuid" => "`uuid`, kept as text",
            "uri" => "`uri`, kept as text",
            "email" => "`email`, kept as text",
            "byte" => "`byte` (base64), kept as text",
            _ => "",
        };
        if what.is_empty() {
            parts.push(format!("Format: `{f}`."));
        } else {
            parts.push(format!("Format: {what}."));
        }
    }
    if s.min_length.is_some() || s.max_length.is_some() {
        parts.push(format!(
            "Length: {}..={} characters.",
            s.min_length.unwrap_or(0),
            s.max_length.map_or(String::new(), |m| m.to_string())
        ));
    }
    if let Some(p) = &s.pattern {
        parts.push(format!("Pattern: `{}`.", p.replace('`', "'")));
    }
    if s.minimum.is_some() || s.maximum.is_some() {
        let lo = s
            .minimum
            .map(|m| format!("{} {m}", if s.exclusive_minimum { ">" } else { ">=" }));
        let hi = s
            .maximum
            .map(|m| format!("{} {m}", if s.exclusive_maximum { "<" } else { "<=" }));
        parts.push(format!(
            "Range: {}.",
            [lo, hi]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(m) = s.multiple_of {
        parts.push(format!("Multiple of {m}."));
    }
    if !s.enumeration.is_empty() {
        let vals: Vec<String> = s.enumeration.iter().map(|v| format!("`{v}`")).collect();
        parts.push(format!("One of: {}.", vals.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

impl<'a> Builder<'a> {
    fn reserve(&mut self, name: &str) -> DefId {
        let name = names::unique(name.to_owned(), &mut self.names);
        self.defs
            .push(TypeDef::new(name, TypeKind::Alias(TypeRef::AnyJson)));
        self.defs.len() - 1
    }

    fn component(&self, name: &str) -> Result<DefId, String> {
        self.components
            .get(name)
            .copied()
            .ok_or_else(|| format!("reference to unknown schema `{name}`"))
    }

    fn component_schema(&self, name: &str) -> Option<&'a Schema> {
        let api: &'a OpenAPI = self.api;
        match api.components.as_ref()?.schemas.get(name)? {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => {
                let next = component_name(reference).ok()?;
                if next == name {
                    None
                } else {
                    self.component_schema(&next)
                }
            }
        }
    }

    fn resolve<'s>(&self, s: SRef<'s>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match s {
            SRef::Item(s) => Some(s),
            SRef::Ref(r) => self.component_schema(&component_name(r).ok()?),
        }
    }

    /// Whether a use of `s` may be `null`.
    fn nullable(&self, s: SRef<'_>) -> bool {
        let Some(schema) = self.resolve(s) else {
            return false;
        };
        if schema.schema_data.nullable {
            return true;
        }
        // `allOf: [$ref]` + `nullable` is the 3.0 way of a nullable reference; so is an
        // enum listing `null`.
        let v = View::of(schema);
        v.string_enum.iter().any(Option::is_none)
            || v.other_enum.iter().any(Value::is_null)
            || (matches!(s, SRef::Item(_))
                && v.all_of.len() == 1
                && v.properties.is_empty()
                && v.all_of.first().is_some_and(|p| self.nullable(*p)))
    }

    fn data<'s>(&self, s: SRef<'s>) -> Option<&'s SchemaData>
    where
        'a: 's,
    {
        self.resolve(s).map(|s| &s.schema_data)
    }

    /// The type of a use of a schema; inline structs, enums and unions become named types
    /// called `hint`.
    fn ty(&mut self, s: SRef<'_>, hint: &str) -> Result<TypeRef, String> {
        let schema = match s {
            SRef::Ref(r) => return Ok(named(self.component(&component_name(r)?)?)),
            SRef::Item(s) => s,
        };
        let v = View::of(schema);
        // `allOf: [$ref]` (+ nullable/description): the referenced type itself.
        if v.all_of.len() == 1
            && v.properties.is_empty()
            && v.one_of.is_empty()
            && v.any_of.is_empty()
            && v.additional.is_none()
            && let Some(part) = v.all_of.first().copied()
        {
            return self.ty(part, hint);
        }
        if !v.all_of.is_empty()
            || !v.one_of.is_empty()
            || !v.any_of.is_empty()
            || (!v.string_enum.is_empty() && v.typ.is_none_or(|t| t == "string"))
            || !v.properties.is_empty()
        {
            let id = self.reserve(hint);
            self.defs[id].doc = clean(schema_doc(&schema.schema_data));
            let kind = self.named_kind(schema, &self.defs[id].rust_name.clone(), None)?;
            self.defs[id].kind = kind;
            return Ok(named(id));
        }
        let mut t = self.plain_ty(&v, hint)?;
        if let TypeRef::Scalar(sc) = &mut t {
            sc.example = schema.schema_data.example.clone();
        }
        Ok(t)
    }

    /// A schema without its own named type: scalars, arrays, maps.
    fn plain_ty(&mut self, v: &View<'_>, hint: &str) -> Result<TypeRef, String> {
        let scalar = |kind| {
            TypeRef::Scalar(Box::new(Scalar {
                kind,
                format: v.format.clone(),
                min_length: v.min_length,
                max_length: v.max_length,
                pattern: v.pattern.clone(),
                minimum: v.minimum,
                maximum: v.maximum,
                exclusive_minimum: v.exclusive_minimum,
                exclusive_maximum: v.exclusive_maximum,
                multiple_of: v.multiple_of.filter(|m| m.is_finite() && *m > 0.0),
                enumeration: v
                    .other_enum
                    .iter()
                    .filter(|e| !e.is_null())
                    .cloned()
                    .collect(),
                example: None,
            }))
        };
        Ok(match v.typ {
            Some("string") => scalar(ScalarKind::String),
            Some("integer") => scalar(if v.format.as_deref() == Some("int32") {
                ScalarKind::I32
            } else {
                ScalarKind::I64
            }),
            // JSON numbers are decimal; only a spec that asks for a binary float gets one.
            Some("number") => scalar(match v.format.as_deref() {
                Some("float" | "double") => ScalarKind::F64,
                _ => ScalarKind::Decimal,
            }),
            Some("boolean") => scalar(ScalarKind::Bool),
            Some("array") => {
                let item = match v.items {
                    Some(i) => {
                        let nullable = self.nullable(i);
                        let t = self.ty(i, &format!("{hint}Item"))?;
                        if nullable {
                            TypeRef::Nullable(Box::new(t))
                        } else {
                            t
                        }
                    }
                    None => TypeRef::AnyJson,
                };
                TypeRef::Array {
                    item: Box::new(item),
                    min_items: v.min_items,
                    max_items: v.max_items,
                }
            }
            Some("object") | None
                if v.is_object_like() || v.additional.is_some() || v.typ.is_some() =>
            {
                match v.additional {
                    Some(AdditionalProperties::Schema(s)) => {
                        let s: SRef<'_> = (&**s).into();
                        let nullable = self.nullable(s);
                        let t = self.ty(s, &format!("{hint}Value"))?;
                        TypeRef::Map(Box::new(if nullable {
                            TypeRef::Nullable(Box::new(t))
                        } else {
                            t
                        }))
                    }
                    _ => TypeRef::Map(Box::new(TypeRef::AnyJson)),
                }
            }
            _ => TypeRef::AnyJson,
        })
    }

    /// The definition of a named type for `schema`. `component` is set for component schemas
    /// (which may be discriminator bases).
    fn named_kind(
        &mut self,
        schema: &Schema,
        name: &str,
        component: Option<&str>,
    ) -> Result<TypeKind, String> {
        let v = View::of(schema);
        if !v.one_of.is_empty() || !v.any_of.is_empty() {
            let branches = if v.one_of.is_empty() {
                &v.any_of
            } else {
                &v.one_of
            };
            return self.union(name, branches, schema.schema_data.discriminator.as_ref());
        }
        if let (Some(d), Some(own)) = (&schema.schema_data.discriminator, component) {
            // A base of an allOf hierarchy: a reference to it means any of its subtypes.
            let own_name = self
                .components
                .iter()
                .find(|(_, id)| self.defs[**id].rust_name == own)
                .map(|(n, _)| n.clone());
            let mut targets: Vec<(String, Vec<String>)> = Vec::new();
            for (tag, r) in &d.mapping {
                let target = component_name(r).unwrap_or_else(|_| r.clone());
                if Some(&target) == own_name.as_ref() {
                    continue;
                }
                match targets.iter_mut().find(|(t, _)| *t == target) {
                    Some((_, tags)) => tags.push(tag.clone()),
                    None => targets.push((target, vec![tag.clone()])),
                }
            }
            if let Some(own_name) = &own_name {
                for child in self.children.get(own_name).cloned().unwrap_or_default() {
                    if !targets.iter().any(|(t, _)| *t == child) {
                        targets.push((child.clone(), vec![child]));
                    }
                }
            }
            if !targets.is_empty() {
                let mut taken = BTreeSet::new();
                let mut variants = Vec::new();
                for (target, tags) in targets {
                    let id = self.component(&target)?;
                    variants.push(Variant {
                        rust: names::unique(camel(&target), &mut taken),
                        ty: named(id),
                        tags,
                        boxed: false,
                    });
                }
                let unknown = names::unique("Unknown".into(), &mut taken);
                return Ok(TypeKind::OneOf(OneOfDef {
                    variants,
                    discriminator: Some(Discriminator {
                        property: d.property_name.clone(),
                        unknown,
                    }),
                }));
            }
        }
        if !v.string_enum.is_empty() && v.typ.is_none_or(|t| t == "string") {
            let mut taken = BTreeSet::new();
            let mut values: Vec<EnumValue> = Vec::new();
            for value in v.string_enum.iter().flatten() {
                if values.iter().any(|e| &e.value == value) {
                    continue;
                }
                let rust = if value.is_empty() {
                    "Empty".to_owned()
                } else {
                    camel(value)
                };
                values.push(EnumValue {
                    value: value.clone(),
                    rust_name: names::unique(rust, &mut taken),
                    doc: Vec::new(),
                });
            }
            let unknown = names::unique("Unknown".into(), &mut taken);
            return Ok(TypeKind::Enum(EnumDef { values, unknown }));
        }
        if !v.all_of.is_empty() || v.is_object_like() {
            return self.object(schema, name);
        }
        let mut t = self.plain_ty(&v, name)?;
        if let TypeRef::Scalar(sc) = &mut t {
            sc.example = schema.schema_data.example.clone();
        }
        Ok(TypeKind::Alias(t))
    }

    fn union(
        &mut self,
        name: &str,
        branches: &[SRef<'_>],
        discriminator: Option<&openapiv3::Discriminator>,
    ) -> Result<TypeKind, String> {
        let mut taken = BTreeSet::new();
        let mut variants = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let ty = self.ty(*branch, &format!("{name}Variant{}", i + 1))?;
            let base = match (&ty, branch) {
                (_, SRef::Ref(r)) => camel(&component_name(r)?),
                (TypeRef::Def(TypeId(id)), _) => self.defs[*id].rust_name.clone(),
                (TypeRef::Scalar(s), _) => match s.kind {
                    ScalarKind::String => "String".into(),
                    ScalarKind::I32 | ScalarKind::I64 => "Integer".into(),
                    ScalarKind::F64 | ScalarKind::Decimal => "Number".into(),
                    ScalarKind::Bool => "Boolean".into(),
                },
                (TypeRef::Array { .. }, _) => "List".into(),
                (TypeRef::Map(_), _) => "Map".into(),
                _ => "Value".into(),
            };
            let tags = match (discriminator, branch) {
                (Some(d), SRef::Ref(r)) => {
                    let explicit: Vec<String> = d
                        .mapping
                        .iter()
                        .filter(|(_, target)| *target == r)
                        .map(|(tag, _)| tag.clone())
                        .collect();
                    if explicit.is_empty() {
                        vec![component_name(r)?]
                    } else {
                        explicit
                    }
                }
                _ => Vec::new(),
            };
            variants.push(Variant {
                rust: names::unique(base, &mut taken),
                ty,
                tags,
                boxed: false,
            });
        }
        let discriminator = match discriminator {
            Some(d) if variants.iter().all(|v| !v.tags.is_empty()) => Some(Discriminator {
                property: d.property_name.clone(),
                unknown: names::unique("Unknown".into(), &mut taken),
            }),
            _ => None,
        };
        Ok(TypeKind::OneOf(OneOfDef {
            variants,
            discriminator,
        }))
    }

    /// Properties and required names of `schema` with its `allOf` parts merged in (parts
    /// first, in order; later definitions of a property win). `elsewhere` gets the names some
    /// schema requires without declaring them in its own `properties` (`required: [created_at]`
    /// beside `allOf: [Timestamps]`): a validator waives `required` for a read-only property
    /// only where the schema holding `required` declares it.
    fn merged<'s>(
        &self,
        schema: &'s Schema,
        seen: &mut Vec<*const Schema>,
        props: &mut Vec<(String, SRef<'s>)>,
        required: &mut BTreeSet<String>,
        elsewhere: &mut BTreeSet<String>,
    ) where
        'a: 's,
    {
        if seen.contains(&(schema as *const Schema)) {
            return;
        }
        seen.push(schema as *const Schema);
        let v = View::of(schema);
        for part in &v.all_of {
            if let Some(p) = self.resolve(*part) {
                self.merged(p, seen, props, required, elsewhere);
            }
        }
        for (name, s) in &v.properties {
            match props.iter_mut().find(|(n, _)| n == name) {
                // `allOf` is a conjunction: a later part that only annotates a property
                // (`downloads: {readOnly: false}`) constrains nothing and cannot lift what an
                // earlier part declared, so the earlier definition stays.
                Some(_) if annotation_only(*s) => {}
                Some(slot) => slot.1 = *s,
                None => props.push(((*name).to_owned(), *s)),
            }
        }
        required.extend(v.required.iter().map(|r| (*r).to_owned()));
        elsewhere.extend(
            v.required
                .iter()
                .filter(|r| !v.properties.iter().any(|(n, _)| n == *r))
                .map(|r| (*r).to_owned()),
        );
    }

    fn object(&mut self, schema: &Schema, name: &str) -> Result<TypeKind, String> {
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut elsewhere = BTreeSet::new();
        self.merged(
            schema,
            &mut Vec::new(),
            &mut props,
            &mut required,
            &mut elsewhere,
        );
        let v = View::of(schema);
        let mut taken = BTreeSet::new();
        let mut fields = Vec::new();
        for (wire, s) in props {
            let rust = names::unique(snake(&wire), &mut taken);
            let ty = self.ty(s, &format!("{name}{}", camel(&wire)))?;
            let nullable = self.nullable(s);
            let data = self.data(s).cloned().unwrap_or_default();
            // `readOnly`/`writeOnly` apply wherever they are declared (a validator refuses a
            // read-only value in a request at any depth), but `required` is waived only for a
            // property that declares them itself (validators do not follow a `$ref` for that).
            let (own_ro, own_wo) = match s {
                SRef::Item(_) if elsewhere.contains(&wire) => (false, false),
                SRef::Item(x) => (x.schema_data.read_only, x.schema_data.write_only),
                SRef::Ref(_) => (false, false),
            };
            let (read_only, write_only) = self.access(s, &mut Vec::new());
            let mut doc = schema_doc(&data);
            if let TypeRef::Scalar(sc) = &ty
                && let Some(d) = scalar_doc(sc)
            {
                doc.push(d);
            }
            let sensitive = marked_sensitive(data.extensions.get("x-sensitive"))
                || self
                    .settings
                    .overlay
                    .is_sensitive(&QName::new("", wire.clone()));
            if read_only {
                doc.push("Read-only: set by the server; not sent in requests.".into());
            }
            if write_only {
                doc.push("Write-only: sent in requests; the server does not return it.".into());
            }
            if let Some(d) = &data.default {
                doc.push(format!("Default: `{d}`."));
            }
            fields.push(Field {
                rust_name: rust,
                min: usize::from(required.contains(&wire)),
                wire: QName::new("", wire),
                kind: FieldKind::Property,
                ty,
                max: Some(1),
                nillable: nullable,
                doc: clean(doc),
                sensitive,
                boxed: false,
                wildcard: None,
                default: None,
                access: Access {
                    read_only,
                    write_only,
                    read_only_by_reference: read_only && !own_ro,
                    write_only_by_reference: write_only && !own_wo,
                },
                undeclared: false,
            });
        }
        let mut missing: Vec<&String> = required
            .iter()
            .filter(|r| !fields.iter().any(|f| &f.wire.local == *r))
            .collect();
        missing.sort();
        for wire in missing {
            fields.push(Field {
                rust_name: names::unique(snake(wire), &mut taken),
                wire: QName::new("", wire.clone()),
                kind: FieldKind::Property,
                ty: TypeRef::AnyJson,
                min: 1,
                max: Some(1),
                nillable: false,
                doc: vec![
                    "Listed as required by the service description, which does not declare it; kept as any JSON value and optional here.".into(),
                ],
                sensitive: false,
                boxed: false,
                wildcard: None,
                default: None,
                access: Access::default(),
                undeclared: true,
            });
        }
        let additional = match v.additional {
            Some(AdditionalProperties::Schema(s)) => {
                let s: SRef<'_> = (&**s).into();
                let t = self.ty(s, &format!("{name}Additional"))?;
                Some((names::unique("additional_properties".into(), &mut taken), t))
            }
            Some(AdditionalProperties::Any(true)) if !fields.is_empty() => Some((
                names::unique("additional_properties".into(), &mut taken),
                TypeRef::AnyJson,
            )),
            _ => None,
        };
        let closed = matches!(v.additional, Some(AdditionalProperties::Any(false)));
        Ok(TypeKind::Struct(StructDef {
            fields,
            additional,
            closed,
            unsatisfiable: self.closed_conflict(schema, name),
            ..StructDef::default()
        }))
    }

    /// `readOnly`/`writeOnly` of a use of a schema: its own, or those of the schema it
    /// references (directly or as `allOf` parts).
    fn access(&self, s: SRef<'_>, seen: &mut Vec<*const Schema>) -> (bool, bool) {
        let Some(schema) = self.resolve(s) else {
            return (false, false);
        };
        if seen.contains(&(schema as *const Schema)) {
            return (false, false);
        }
        seen.push(schema as *const Schema);
        let (mut ro, mut wo) = (schema.schema_data.read_only, schema.schema_data.write_only);
        for part in View::of(schema).all_of {
            let (r, w) = self.access(part, seen);
            ro |= r;
            wo |= w;
        }
        (ro, wo)
    }

    /// Why no object satisfies `schema` (named `name`) together with its `allOf` parts: one of
    /// them is closed (`additionalProperties: false`) and does not declare a property that
    /// another requires. JSON Schema applies each part's `additionalProperties` to that part's
    /// own `properties` only, so e.g. a closed base with a subtype adding a required property,
    /// or a closed subtype of a base with a required discriminator, admits no instance.
    fn closed_conflict(&self, schema: &Schema, name: &str) -> Option<Unsatisfiable> {
        struct Part {
            label: String,
            declared: BTreeSet<String>,
            required: Vec<String>,
            closed: bool,
        }
        fn walk(
            b: &Builder<'_>,
            schema: &Schema,
            label: String,
            seen: &mut Vec<*const Schema>,
            out: &mut Vec<Part>,
        ) {
            if seen.contains(&(schema as *const Schema)) {
                return;
            }
            seen.push(schema as *const Schema);
            let v = View::of(schema);
            for (i, part) in v.all_of.iter().enumerate() {
                let part_label = match part {
                    SRef::Ref(r) => component_name(r).unwrap_or_else(|_| (*r).to_owned()),
                    SRef::Item(_) => format!("{label} (allOf part {})", i + 1),
                };
                if let Some(p) = b.resolve(*part) {
                    walk(b, p, part_label, seen, out);
                }
            }
            out.push(Part {
                label,
                declared: v.properties.iter().map(|(n, _)| (*n).to_owned()).collect(),
                required: v.required.iter().map(|r| (*r).to_owned()).collect(),
                closed: matches!(v.additional, Some(AdditionalProperties::Any(false))),
            });
        }
        let mut parts = Vec::new();
        walk(self, schema, name.to_owned(), &mut Vec::new(), &mut parts);
        let mut conflicts: Vec<String> = Vec::new();
        let mut properties: Vec<String> = Vec::new();
        for closed in parts.iter().filter(|p| p.closed) {
            for p in &parts {
                for r in p.required.iter().filter(|r| !closed.declared.contains(*r)) {
                    let who = if p.label == closed.label {
                        "which it requires itself".to_owned()
                    } else {
                        format!("which `{}` requires", p.label)
                    };
                    let text = format!(
                        "`{}` has additionalProperties: false and does not declare `{r}`, {who}",
                        closed.label
                    );
                    if !conflicts.contains(&text) {
                        conflicts.push(text);
                    }
                    if !properties.contains(r) {
                        properties.push(r.clone());
                    }
                }
            }
        }
        (!conflicts.is_empty()).then(|| Unsatisfiable {
            reason: conflicts.join("; "),
            properties,
        })
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        shared: &[ReferenceOr<Parameter>],
        op_names: &mut BTreeSet<String>,
    ) -> Result<OperationModel, String> {
        let method_upper = method.to_ascii_uppercase();
        let name = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method_upper} {path}"));
        let base = match &op.operation_id {
            Some(id) => snake(id),
            None => snake(&format!("{method} {}", path.replace(['{', '}'], ""))),
        };
        let rust = names::unique(base, op_names);
        let type_prefix = camel(&rust);
        let mut doc = Vec::new();
        if let Some(s) = &op.summary {
            doc.push(s.clone());
        }
        if let Some(d) = &op.description {
            doc.push(d.clone());
        }

        // Parameters: path-level first, overridden by operation-level ones.
        let mut raw: Vec<&Parameter> = Vec::new();
        for p in shared.iter().chain(&op.parameters) {
            let p = self.parameter(p)?;
            let key = |q: &Parameter| (q.parameter_data_ref().name.clone(), location_of(q));
            raw.retain(|q| key(q) != key(p));
            raw.push(p);
        }
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut params = Vec::new();
        for p in raw {
            let data = p.parameter_data_ref();
            let location = location_of(p);
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    self.ty(s.into(), &format!("{type_prefix}{}", camel(&data.name)))?
                }
                ParameterSchemaOrContent::Content(_) => TypeRef::Scalar(Box::default()),
            };
            let explode = data
                .explode
                .unwrap_or(matches!(location, Location::Query | Location::Cookie));
            let mut pdoc = Vec::new();
            if let Some(d) = &data.description {
                pdoc.push(d.clone());
            }
            if let TypeRef::Scalar(s) = &ty
                && let Some(d) = scalar_doc(s)
            {
                pdoc.push(d);
            }
            if data.deprecated == Some(true) {
                pdoc.push("Deprecated by the service description.".into());
            }
            let sensitive = marked_sensitive(data.extensions.get("x-sensitive"))
                || self
                    .settings
                    .overlay
                    .is_sensitive(&QName::new("", data.name.clone()));
            params.push(Param {
                rust: names::unique(snake(&data.name), &mut taken),
                wire: data.name.clone(),
                location,
                required: data.required || location == Location::Path,
                ty,
                explode,
                doc: clean(pdoc),
                sensitive,
            });
        }

        let body_field = names::unique("body".into(), &mut taken);
        let body = match &op.request_body {
            Some(b) => self.body(b, &type_prefix, &mut taken)?,
            None => None,
        };

        // Success statuses are the output; the others are typed errors.
        let mut responses = Vec::new();
        let mut errors = Vec::new();
        let mut output_variants = BTreeSet::new();
        let mut error_variants = BTreeSet::new();
        error_variants.insert("Unhandled".to_owned());
        let mut listed: Vec<(Code, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| {
                let code = match code {
                    StatusCode::Code(c) => Code::Exact(*c),
                    StatusCode::Range(r) => Code::Range(*r),
                };
                (code, r)
            })
            .collect();
        if let Some(r) = &op.responses.default {
            listed.push((Code::Default, r));
        }
        for (code, r) in &listed {
            let variants = if code.is_success() {
                &mut output_variants
            } else {
                &mut error_variants
            };
            let resp = self.response(*code, r, &type_prefix, variants)?;
            if code.is_success() {
                responses.push(resp);
            } else {
                errors.push(ErrorCase {
                    variant: resp.variant,
                    label: match code {
                        Code::Default => "default".to_owned(),
                        c => format!("HTTP {}", c.label()),
                    },
                    doc: Some(resp.doc).filter(|d| !d.is_empty()),
                    matcher: ErrorMatch::Status {
                        code: *code,
                        body: resp.body,
                    },
                });
            }
        }
        // The most specific status first: `404` before `4XX` before `default`.
        errors.sort_by_key(|e| match e.matcher {
            ErrorMatch::Status {
                code: Code::Exact(_),
                ..
            } => 0,
            ErrorMatch::Status {
                code: Code::Range(_),
                ..
            } => 1,
            _ => 2,
        });
        // Only `default` documented: it describes success too.
        if responses.is_empty()
            && let Some(ErrorCase {
                matcher: ErrorMatch::Status { body, .. },
                doc,
                ..
            }) = errors.iter().find(|e| {
                matches!(
                    e.matcher,
                    ErrorMatch::Status {
                        code: Code::Default,
                        ..
                    }
                )
            })
        {
            responses.push(Resp {
                code: Code::Range(2),
                variant: "Success".to_owned(),
                body: body.clone(),
                doc: doc.clone().unwrap_or_default(),
            });
        }

        let security = op
            .security
            .as_ref()
            .or(self.api.security.as_ref())
            .map(|reqs| {
                reqs.iter()
                    .map(|req| req.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .collect()
            })
            .unwrap_or_default();
        let mark = |key: &str| op.extensions.get(key).and_then(Value::as_str);
        let provenance = match mark("x-provenance") {
            Some(p) => Provenance::parse(p)
                .ok_or_else(|| format!("operation {name}: unknown x-provenance `{p}`"))?,
            None => self.settings.default_provenance.ok_or_else(|| {
                format!(
                    "operation {name} has no x-provenance mark and codegen.toml sets no default_provenance"
                )
            })?,
        };
        let source = mark("x-provenance-source").map(sanitize);
        Ok(OperationModel {
            name,
            rust_name: rust,
            doc: clean(doc),
            provenance,
            source,
            deprecated: op.deprecated,
            errors,
            binding: OperationBinding::Rest(RestOperation {
                method: method_upper,
                path: path.to_owned(),
                params,
                body,
                body_field,
                responses,
                security,
            }),
        })
    }

    fn parameter<'p>(&self, p: &'p ReferenceOr<Parameter>) -> Result<&'p Parameter, String>
    where
        'a: 'p,
    {
        let api: &'a OpenAPI = self.api;
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .ok_or_else(|| format!("unsupported parameter reference `{reference}`"))?;
                match api.components.as_ref().and_then(|c| c.parameters.get(name)) {
                    Some(ReferenceOr::Item(p)) => Ok(p),
                    _ => Err(format!("unresolved parameter reference `{reference}`")),
                }
            }
        }
    }

    fn body(
        &mut self,
        b: &ReferenceOr<openapiv3::RequestBody>,
        prefix: &str,
        taken: &mut BTreeSet<String>,
    ) -> Result<Option<Body>, String> {
        let b = match b {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/requestBodies/")
                    .ok_or_else(|| format!("unsupported request body reference `{reference}`"))?;
                match self
                    .api
                    .components
                    .as_ref()
                    .and_then(|c| c.request_bodies.get(name))
                {
                    Some(ReferenceOr::Item(b)) => b,
                    _ => return Err(format!("unresolved request body reference `{reference}`")),
                }
            }
        };
        let Some((ct, media)) = pick_media(&b.content) else {
            return Ok(None);
        };
        let required = b.required;
        let schema = media.schema.as_ref().map(SRef::from);
        let kind = media_kind(ct, schema.and_then(|s| self.resolve(s)));
        Ok(Some(match kind {
            MediaKind::Json => {
                let ty = match schema {
                    Some(s) => self.ty(s, &format!("{prefix}Request"))?,
                    None => TypeRef::AnyJson,
                };
                Body::Json {
                    content_type: ct.to_owned(),
                    ty,
                    required,
                    pointer: origin(media),
                }
            }
            MediaKind::Form | MediaKind::Multipart => {
                let mut props = Vec::new();
                let mut req = BTreeSet::new();
                if let Some(s) = schema.and_then(|s| self.resolve(s)) {
                    self.merged(
                        s,
                        &mut Vec::new(),
                        &mut props,
                        &mut req,
                        &mut BTreeSet::new(),
                    );
                }
                let mut fields = Vec::new();
                for (wire, s) in props {
                    let resolved = self.resolve(s);
                    let v = resolved.map(View::of).unwrap_or_default();
                    let binary =
                        v.typ == Some("string") && matches!(v.format.as_deref(), Some("binary"));
                    let json = v.is_object_like()
                        || matches!(s, SRef::Ref(_))
                            && !binary
                            && v.typ.is_none_or(|t| t == "object");
                    let ty = if binary {
                        None
                    } else {
                        Some(self.ty(s, &format!("{prefix}{}", camel(&wire)))?)
                    };
                    let mut doc = Vec::new();
                    if let Some(d) = resolved.and_then(|r| r.schema_data.description.clone()) {
                        doc.push(d);
                    }
                    fields.push(FormField {
                        rust: names::unique(snake(&wire), taken),
                        required: req.contains(&wire),
                        wire,
                        ty,
                        json: json && kind == MediaKind::Multipart,
                        doc: clean(doc),
                    });
                }
                if kind == MediaKind::Form {
                    Body::Form { fields }
                } else {
                    Body::Multipart { fields }
                }
            }
            MediaKind::Text => Body::Text {
                content_type: ct.to_owned(),
                required,
            },
            MediaKind::Bytes => Body::Bytes {
                content_type: ct.to_owned(),
                required,
            },
        }))
    }

    fn response(
        &mut self,
        code: Code,
        r: &ReferenceOr<openapiv3::Response>,
        prefix: &str,
        variants: &mut BTreeSet<String>,
    ) -> Result<Resp, String> {
        let r = match r {
            ReferenceOr::Item(r) => r,
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .ok_or_else(|| format!("unsupported response reference `{reference}`"))?;
                match self
                    .api
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(name))
                {
                    Some(ReferenceOr::Item(r)) => r,
                    _ => return Err(format!("unresolved response reference `{reference}`")),
                }
            }
        };
        let variant = names::unique(status_variant(code), variants);
        let body = match pick_media(&r.content) {
            None => ResponseBody::None,
            Some((ct, media)) => {
                let schema = media.schema.as_ref().map(SRef::from);
                match media_kind(ct, schema.and_then(|s| self.resolve(s))) {
                    MediaKind::Json => ResponseBody::Json {
                        ty: match schema {
                            Some(s) => self.ty(s, &format!("{prefix}{variant}"))?,
                            None => TypeRef::AnyJson,
                        },
                        pointer: origin(media),
                    },
                    MediaKind::Text => ResponseBody::Text,
                    _ => ResponseBody::Bytes,
                }
            }
        };
        Ok(Resp {
            code,
            variant,
            body,
            doc: sanitize(&r.description),
        })
    }
}

fn location_of(p: &Parameter) -> Location {
    match p {
        Parameter::Query { .. } => Location::Query,
        Parameter::Header { .. } => Location::Header,
        Parameter::Path { .. } => Location::Path,
        Parameter::Cookie { .. } => Location::Cookie,
    }
}

fn origin(media: &openapiv3::MediaType) -> Option<String> {
    media
        .extensions
        .get(ORIGIN)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaKind {
    Json,
    Form,
    Multipart,
    Text,
    Bytes,
}

fn is_json(ct: &str) -> bool {
    let ct = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ct == "application/json" || ct.ends_with("+json") || ct == "text/json"
}

/// The media type the client uses: JSON first, then forms, text, anything.
fn pick_media<'c>(
    content: impl IntoIterator<Item = (&'c String, &'c openapiv3::MediaType)>,
) -> Option<(&'c str, &'c openapiv3::MediaType)> {
    let rank = |ct: &str| {
        let l = ct.to_ascii_lowercase();
        if is_json(&l) {
            0
        } else if l.starts_with("application/x-www-form-urlencoded") {
            1
        } else if l.starts_with("multipart/form-data") {
            2
        } else if l.starts_with("text/plain") {
            3
        } else if l == "*/*" {
            4
        } else {
            5
        }
    };
    content
        .into_iter()
        .min_by_key(|(ct, _)| rank(ct))
        .map(|(ct, m)| (ct.as_str(), m))
}

fn media_kind(ct: &str, schema: Option<&Schema>) -> MediaKind {
    let l = ct.to_ascii_lowercase();
    let binary = schema.is_some_and(|s| {
        let v = View::of(s);
        v.typ == Some("string") && matches!(v.format.as_deref(), Some("binary" | "byte"))
    });
    if is_json(&l) && !binary {
        MediaKind::Json
    } else if l.starts_with("application/x-www-form-urlencoded") {
        MediaKind::Form
    } else if l.starts_with("multipart/form-data") {
        MediaKind::Multipart
    } else if l.starts_with("text/") && !binary {
        MediaKind::Text
    } else if l == "*/*" && schema.is_some() && !binary {
        MediaKind::Json
    } else if !l.contains('/')
        && !binary
        && let Some(s) = schema
    {
        // Not a media type at all (`produces: [text]` over an array of objects in SÚKL's
        // published Swagger file): the name says nothing reliable about the encoding, so the
        // schema decides. A string is read as text, anything else as JSON, the only encoding
        // of objects and arrays these descriptions use.
        if View::of(s).typ == Some("string") {
            MediaKind::Text
        } else {
            MediaKind::Json
        }
    } else {
        MediaKind::Bytes
    }
}

/// Variant name for a status: the reason phrase, `Status418`, `ServerError` for `5XX`.
fn status_variant(code: Code) -> String {
    match code {
        Code::Default => "Default".into(),
        Code::Range(r) => match r {
            1 => "Informational".into(),
            2 => "Success".into(),
            3 => "Redirection".into(),
            4 => "ClientError".into(),
            5 => "ServerError".into(),
            n => format!("Status{n}xx"),
        },
        Code::Exact(c) => match c {
            100 => "Continue".into(),
            200 => "Ok".into(),
            201 => "Created".into(),
            202 => "Accepted".into(),
            203 => "NonAuthoritativeInformation".into(),
            204 => "NoContent".into(),
            205 => "ResetContent".into(),
            206 => "PartialContent".into(),
            207 => "MultiStatus".into(),
            300 => "MultipleChoices".into(),
            301 => "MovedPermanently".into(),
            302 => "Found".into(),
            303 => "SeeOther".into(),
            304 => "NotModified".into(),
            307 => "TemporaryRedirect".into(),
            308 => "PermanentRedirect".into(),
            400 => "BadRequest".into(),
            401 => "Unauthorized".into(),
            402 => "PaymentRequired".into(),
            403 => "Forbidden".into(),
            404 => "NotFound".into(),
            405 => "MethodNotAllowed".into(),
            406 => "NotAcceptable".into(),
            407 => "ProxyAuthenticationRequired".into(),
            408 => "RequestTimeout".into(),
            409 => "Conflict".into(),
            410 => "Gone".into(),
            411 => "LengthRequired".into(),
            412 => "PreconditionFailed".into(),
            413 => "PayloadTooLarge".into(),
            414 => "UriTooLong".into(),
            415 => "UnsupportedMediaType".into(),
            416 => "RangeNotSatisfiable".into(),
            417 => "ExpectationFailed".into(),
            421 => "MisdirectedRequest".into(),
            422 => "UnprocessableEntity".into(),
            423 => "Locked".into(),
            424 => "FailedDependency".into(),
            425 => "TooEarly".into(),
            426 => "UpgradeRequired".into(),
            428 => "PreconditionRequired".into(),
            429 => "TooManyRequests".into(),
            431 => "RequestHeaderFieldsTooLarge".into(),
            451 => "UnavailableForLegalReasons".into(),
            500 => "InternalServerError".into(),
            501 => "NotImplemented".into(),
            502 => "BadGateway".into(),
            503 => "ServiceUnavailable".into(),
            504 => "GatewayTimeout".into(),
            505 => "HttpVersionNotSupported".into(),
            n => format!("Status{n}"),
        },
    }
}

/// The security schemes as declared (read from the JSON, since openapiv3 lacks `mutualTLS`).
fn security_schemes(raw: &[(String, Value)]) -> Result<Vec<Scheme>, String> {
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for (name, v) in raw {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let model = match s("type").as_deref() {
            Some("http") => SchemeModel::Http {
                scheme: s("scheme").unwrap_or_default().to_ascii_lowercase(),
                bearer_format: s("bearerFormat"),
            },
            Some("apiKey") => SchemeModel::ApiKey {
                name: s("name").unwrap_or_default(),
                location: match s("in").as_deref() {
                    Some("query") => Location::Query,
                    Some("cookie") => Location::Cookie,
                    _ => Location::Header,
                },
            },
            Some("oauth2") => {
                let mut flows = Vec::new();
                if let Some(fs) = v.get("flows").and_then(Value::as_object) {
                    for (kind, f) in fs {
                        let g = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_owned);
                        let scopes = f
                            .get("scopes")
                            .and_then(Value::as_object)
                            .map(|m| {
                                m.iter()
                                    .map(|(k, d)| (k.clone(), d.as_str().unwrap_or("").to_owned()))
                                    .collect()
                            })
                            .unwrap_or_default();
                        flows.push(FlowModel {
                            kind: kind.clone(),
                            authorization_url: g("authorizationUrl"),
                            token_url: g("tokenUrl"),
                            refresh_url: g("refreshUrl"),
                            scopes,
                        });
                    }
                }
                SchemeModel::OAuth2 { flows }
            }
            Some("openIdConnect") => SchemeModel::OpenIdConnect {
                url: s("openIdConnectUrl").unwrap_or_default(),
            },
            Some("mutualTLS") => SchemeModel::MutualTls,
            other => return Err(format!("security scheme `{name}`: unknown type {other:?}")),
        };
        out.push(Scheme {
            constant: names::unique(
                snake(name).trim_end_matches('_').to_ascii_uppercase(),
                &mut taken,
            ),
            name: name.clone(),
            doc: s("description")
                .map(|d| sanitize(&d))
                .filter(|d| !d.is_empty()),
            model,
        });
    }
    Ok(out)
}

/// Types a type contains directly (not behind a `Vec` or map), for cycle breaking.
fn direct(ty: &TypeRef, out: &mut Vec<DefId>) {
    match ty {
        TypeRef::Def(TypeId(id)) => out.push(*id),
        TypeRef::Nullable(t) => direct(t, out),
        _ => {}
    }
}

fn reaches(defs: &[TypeDef], from: DefId, to: DefId) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(d) = stack.pop() {
        if d == to {
            return true;
        }
        if !seen.insert(d) {
            continue;
        }
        let mut next = Vec::new();
        match defs.get(d).map(|x| &x.kind) {
            Some(TypeKind::Struct(s)) => {
                for f in &s.fields {
                    direct(&f.ty, &mut next);
                }
            }
            Some(TypeKind::OneOf(o)) => {
                for v in &o.variants {
                    direct(&v.ty, &mut next);
                }
            }
            Some(TypeKind::Alias(t)) => direct(t, &mut next),
            _ => {}
        }
        stack.extend(next);
    }
    false
}

/// Boxes fields and variants that would make a type contain itself.
fn mark_boxes(defs: &mut [TypeDef]) {
    for id in 0..defs.len() {
        let mut boxes = Vec::new();
        match &defs[id].kind {
            TypeKind::Struct(s) => {
                for (i, f) in s.fields.iter().enumerate() {
                    let mut d = Vec::new();
                    direct(&f.ty, &mut d);
                    if d.iter().any(|t| reaches(defs, *t, id)) {
                        boxes.push(i);
                    }
                }
            }
            TypeKind::OneOf(o) => {
                for (i, v) in o.variants.iter().enumerate() {
                    let mut d = Vec::new();
                    direct(&v.ty, &mut d);
                    if d.iter().any(|t| reaches(defs, *t, id)) {
                        boxes.push(i);
                    }
                }
            }
            _ => {}
        }
        match &mut defs[id].kind {
            TypeKind::Struct(s) => {
                for i in boxes {
                    s.fields[i].boxed = true;
                }
            }
            TypeKind::OneOf(o) => {
                for i in boxes {
                    o.variants[i].boxed = true;
                }
            }
            _ => {}
        }
    }
}

/// Marks every type a response body reaches (success or error).
fn mark_responses(defs: &mut [TypeDef], ops: &[OperationModel]) {
    fn visit(defs: &mut [TypeDef], ty: &TypeRef) {
        match ty {
            TypeRef::Def(TypeId(id)) => {
                let Some(def) = defs.get_mut(*id) else {
                    return;
                };
                if def.in_response {
                    return;
                }
                def.in_response = true;
                let inner: Vec<TypeRef> = match &def.kind {
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .map(|f| f.ty.clone())
                        .chain(s.additional.iter().map(|(_, t)| t.clone()))
                        .collect(),
                    TypeKind::OneOf(o) => o.variants.iter().map(|v| v.ty.clone()).collect(),
                    TypeKind::Alias(t) => vec![t.clone()],
                    _ => Vec::new(),
                };
                for t in &inner {
                    visit(defs, t);
                }
            }
            TypeRef::Array { item, .. } => visit(defs, item),
            TypeRef::Map(t) | TypeRef::Nullable(t) => visit(defs, t),
            _ => {}
        }
    }
    for op in ops {
        let OperationBinding::Rest(r) = &op.binding else {
            continue;
        };
        let errors = op.errors.iter().filter_map(|e| match &e.matcher {
            ErrorMatch::Status { body, .. } => Some(body),
            ErrorMatch::Fault(_) => None,
        });
        for body in r.responses.iter().map(|r| &r.body).chain(errors) {
            if let ResponseBody::Json { ty, .. } = body {
                visit(defs, ty);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn schema(v: Value) -> Schema {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_name_that_is_not_a_media_type_is_read_by_its_schema() {
        let array = schema(serde_json::json!({"type": "array", "items": {"type": "object"}}));
        let object = schema(serde_json::json!({"type": "object"}));
        let string = schema(serde_json::json!({"type": "string"}));
        let binary = schema(serde_json::json!({"type": "string", "format": "binary"}));
        for ct in ["text", "json", "TEXT"] {
            assert_eq!(media_kind(ct, Some(&array)), MediaKind::Json, "{ct}");
            assert_eq!(media_kind(ct, Some(&object)), MediaKind::Json, "{ct}");
            assert_eq!(media_kind(ct, Some(&string)), MediaKind::Text, "{ct}");
            assert_eq!(media_kind(ct, Some(&binary)), MediaKind::Bytes, "{ct}");
            assert_eq!(media_kind(ct, None), MediaKind::Bytes, "{ct}");
        }
        // Real media types keep their meaning.
        assert_eq!(media_kind("text/plain", Some(&string)), MediaKind::Text);
        assert_eq!(
            media_kind("application/pdf", Some(&object)),
            MediaKind::Bytes
        );
        assert_eq!(
            media_kind("application/json", Some(&array)),
            MediaKind::Json
        );
    }
}

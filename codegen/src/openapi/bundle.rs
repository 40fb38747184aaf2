//! Bundling: a description split over files (`other.yaml#/components/schemas/X`,
//! `../../common/x.yaml#/…`, JSON Schema documents of any draft, `https://…#/…` through the
//! [`Locations`]) → one self-contained document, before anything else reads it.
//!
//! * A reference in a **schema position** (under `schema`, `components/schemas`,
//!   `definitions`, inside another schema, a discriminator's `mapping`) to anything but a
//!   component of the root document is **hoisted**: the target schema becomes a component of
//!   the root (named after its last pointer token, or its file for a whole-file schema;
//!   clashes get the file's name in front, then a number), and the reference points at it.
//!   The hoisted component remembers where it came from (`file#pointer`, relative to the root),
//!   which is where the conformance run validates its samples.
//! * A reference anywhere else (a path item, a parameter, a response, a request body, an
//!   example) to another file is **inlined**: the target, with its own references resolved
//!   against its own file, replaces the reference. An inlined object carries `x-sdk-base` (its
//!   `file#pointer`), so that origins of bodies inside it point into the file they are in.
//! * Files are read once; a reference cycle through inlined objects is refused (schemas may be
//!   recursive: they are hoisted, and a hoisted schema is named before it is walked).
//! * Nothing is fetched: a URL goes through the catalogs and mappings or is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Error;
use crate::locate::{Located, Locations};

/// Key an inlined object carries: the `file#pointer` it was copied from (relative to the root
/// document's folder).
pub(crate) const BASE: &str = "x-sdk-base";

/// Keys whose values are data, not schemas: references inside them are not followed.
const DATA_KEYS: &[&str] = &[
    "example",
    "examples",
    "enum",
    "default",
    "const",
    "x-example",
];

/// A description in one document.
#[derive(Debug, Clone)]
pub struct Bundled {
    /// The self-contained document.
    pub doc: Value,
    /// Hoisted component schema → `file#pointer` it came from (relative to the root's folder).
    pub origins: BTreeMap<String, String>,
}

/// Reads `root` and every document its references reach into one document.
pub fn bundle(root: &Path, locations: &Locations) -> Result<Bundled, Error> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let text = std::fs::read_to_string(&root).map_err(|e| Error::io(&root, e))?;
    let doc = super::parse_document(&text).map_err(|m| Error::spec(&root, m))?;
    bundle_value(doc, &root, locations)
}

/// Like [`bundle`], for a root document already read from `root`.
pub fn bundle_value(doc: Value, root: &Path, locations: &Locations) -> Result<Bundled, Error> {
    let swagger2 = doc.get("swagger").is_some();
    let mut b = Bundler {
        locations,
        root: root.to_path_buf(),
        docs: BTreeMap::new(),
        hoisted: BTreeMap::new(),
        names: BTreeSet::new(),
        new_schemas: Vec::new(),
        origins: BTreeMap::new(),
        inlining: Vec::new(),
        swagger2,
    };
    let components = if swagger2 {
        doc.get("definitions")
    } else {
        doc.pointer("/components/schemas")
    };
    if let Some(Value::Object(m)) = components {
        b.names.extend(m.keys().cloned());
    }
    b.docs.insert(root.to_path_buf(), doc.clone());
    let mut doc = doc;
    b.walk(&mut doc, root, Ctx::Other, "")?;
    if !b.new_schemas.is_empty() {
        let holder = if swagger2 {
            doc.as_object_mut().map(|o| {
                o.entry("definitions")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
        } else {
            doc.as_object_mut()
                .map(|o| {
                    o.entry("components")
                        .or_insert_with(|| Value::Object(Map::new()))
                })
                .and_then(Value::as_object_mut)
                .map(|c| {
                    c.entry("schemas")
                        .or_insert_with(|| Value::Object(Map::new()))
                })
        };
        let Some(Value::Object(schemas)) = holder else {
            return Err(Error::spec(
                root,
                "`components` is not an object".to_owned(),
            ));
        };
        for (name, schema) in std::mem::take(&mut b.new_schemas) {
            schemas.insert(name, schema);
        }
    }
    Ok(Bundled {
        doc,
        origins: b.origins,
    })
}

/// The files `path` refers to directly (for discovery: a file others refer to is part of
/// their set, not a set of its own). References that cannot be located are left out.
pub fn referenced_files(path: &Path, locations: &Locations) -> Result<Vec<PathBuf>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let doc = super::parse_document(&text).map_err(|m| Error::spec(path, m))?;
    let mut out = BTreeSet::new();
    let mut stack = vec![&doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                let refs = m.get("$ref").and_then(Value::as_str).into_iter().chain(
                    m.get("mapping")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|m| m.values().filter_map(Value::as_str)),
                );
                for r in refs {
                    let file = r.split('#').next().unwrap_or("");
                    if !file.is_empty()
                        && let Ok(Located::File(p)) = locations.locate(path, file)
                    {
                        out.insert(p.canonicalize().unwrap_or(p));
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    Ok(out.into_iter().collect())
}

/// What the value being walked is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx {
    /// A schema.
    Schema,
    /// A map of schemas (`components/schemas`, `definitions`, `properties`, `$defs`).
    Schemas,
    /// Data (examples, enums, defaults): left alone.
    Data,
    /// Anything else in the description.
    Other,
}

struct Bundler<'l> {
    locations: &'l Locations,
    root: PathBuf,
    /// Documents read, by canonical path.
    docs: BTreeMap<PathBuf, Value>,
    /// (file, pointer) → name of the component it became.
    hoisted: BTreeMap<(PathBuf, String), String>,
    /// Component names taken.
    names: BTreeSet<String>,
    /// Hoisted components, in the order they were named.
    new_schemas: Vec<(String, Value)>,
    origins: BTreeMap<String, String>,
    /// (file, pointer) of the objects being inlined (a cycle is refused).
    inlining: Vec<(PathBuf, String)>,
    swagger2: bool,
}

impl Bundler<'_> {
    fn walk(&mut self, v: &mut Value, file: &Path, ctx: Ctx, key: &str) -> Result<(), Error> {
        if ctx == Ctx::Data {
            return Ok(());
        }
        let Value::Object(m) = v else {
            if let Value::Array(items) = v {
                for item in items {
                    self.walk(item, file, ctx, key)?;
                }
            }
            return Ok(());
        };
        if let Some(Value::String(r)) = m.get("$ref") {
            let r = r.clone();
            if ctx == Ctx::Schema || ctx == Ctx::Schemas {
                let target = self.schema_ref(file, &r)?;
                m.insert("$ref".into(), Value::String(target));
            } else if let Some((target_file, pointer)) = self.external(file, &r)? {
                // Inline the target, resolved against its own file; the reference's siblings
                // (a path item's `summary`, …) win.
                let mut inlined = self.inline(&target_file, &pointer, ctx, key)?;
                if let Value::Object(t) = &mut inlined {
                    for (k, val) in m.iter() {
                        if k != "$ref" {
                            t.insert(k.clone(), val.clone());
                        }
                    }
                }
                *v = inlined;
                return Ok(());
            } else if file != self.root {
                // An internal reference of another file, outside a schema: inline it too (the
                // root has no such component).
                let pointer = fragment(&r);
                let mut inlined = self.inline(file, &pointer, ctx, key)?;
                if let Value::Object(t) = &mut inlined {
                    for (k, val) in m.iter() {
                        if k != "$ref" {
                            t.insert(k.clone(), val.clone());
                        }
                    }
                }
                *v = inlined;
                return Ok(());
            }
        }
        if ctx == Ctx::Schema
            && let Some(Value::Object(d)) = m.get_mut("discriminator")
            && let Some(Value::Object(mapping)) = d.get_mut("mapping")
        {
            for (_, target) in mapping.iter_mut() {
                if let Value::String(r) = target
                    && (r.contains('#') || r.contains('/') || r.contains('.'))
                {
                    *r = self.schema_ref(file, r)?;
                }
            }
        }
        let keys: Vec<String> = m.keys().cloned().collect();
        for k in keys {
            let child_ctx = child_ctx(ctx, key, &k, self.swagger2);
            if let Some(child) = m.get_mut(&k) {
                self.walk(child, file, child_ctx, &k)?;
            }
        }
        Ok(())
    }

    /// `(file, pointer)` of a reference to another document; `None` for one into `file`.
    fn external(&self, file: &Path, r: &str) -> Result<Option<(PathBuf, String)>, Error> {
        let (doc_part, _) = r.split_once('#').unwrap_or((r, ""));
        if doc_part.is_empty() {
            return Ok(None);
        }
        match self.locations.locate(file, doc_part)? {
            Located::File(p) => {
                let p = p.canonicalize().map_err(|e| Error::io(&p, e))?;
                if p == file {
                    return Ok(None);
                }
                Ok(Some((p, fragment(r))))
            }
            Located::Builtin { url, .. } => Err(Error::spec(
                file,
                format!("`{url}` is an XML schema, not an OpenAPI or JSON Schema document"),
            )),
        }
    }

    /// The reference, in the root document, of the schema `r` made in `file` points at.
    fn schema_ref(&mut self, file: &Path, r: &str) -> Result<String, Error> {
        let (target_file, pointer) = match self.external(file, r)? {
            Some(t) => t,
            None => (file.to_path_buf(), fragment(r)),
        };
        let prefix = if self.swagger2 {
            "/definitions/"
        } else {
            "/components/schemas/"
        };
        if target_file == self.root
            && let Some(name) = pointer.strip_prefix(prefix)
            && !name.contains('/')
        {
            return Ok(format!("#{pointer}"));
        }
        let name = self.hoist(&target_file, &pointer)?;
        Ok(format!("#{prefix}{}", escape(&name)))
    }

    /// Makes the schema at (`file`, `pointer`) a component of the root; returns its name.
    fn hoist(&mut self, file: &Path, pointer: &str) -> Result<String, Error> {
        let key = (file.to_path_buf(), pointer.to_owned());
        if let Some(n) = self.hoisted.get(&key) {
            return Ok(n.clone());
        }
        // The last pointer token (or the file's name for a whole-file schema); on a clash,
        // the file's name and then its folders' names in front, nearest first: stable across
        // unrelated edits, and telling `def1/response.json` from `def2/response.json`.
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("schema")
            .to_owned();
        let last = pointer
            .rsplit('/')
            .next()
            .filter(|t| !t.is_empty())
            .map(unescape);
        let mut qualifiers: Vec<String> = file
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let mut name = match &last {
            Some(l) => {
                qualifiers.push(stem.clone());
                l.clone()
            }
            None => stem.clone(),
        };
        while self.names.contains(&name) {
            match qualifiers.pop() {
                Some(q) => name = format!("{q}_{name}"),
                None => break,
            }
        }
        let mut n = 2;
        let first = name.clone();
        while self.names.contains(&name) {
            name = format!("{first}{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        self.hoisted.insert(key, name.clone());
        self.origins
            .insert(name.clone(), format!("{}#{pointer}", self.relative(file)));
        let mut schema = self.target(file, pointer)?;
        self.walk(&mut schema, file, Ctx::Schema, "")?;
        self.new_schemas.push((name.clone(), schema));
        Ok(name)
    }

    /// The object at (`file`, `pointer`), its references resolved against `file`.
    fn inline(&mut self, file: &Path, pointer: &str, ctx: Ctx, key: &str) -> Result<Value, Error> {
        let key_pair = (file.to_path_buf(), pointer.to_owned());
        if self.inlining.contains(&key_pair) {
            return Err(Error::spec(
                file,
                format!("reference cycle through `{pointer}` (outside schemas)"),
            ));
        }
        if self.inlining.len() > 64 {
            return Err(Error::spec(
                file,
                "references nested more than 64 deep".to_owned(),
            ));
        }
        self.inlining.push(key_pair);
        let mut v = self.target(file, pointer)?;
        let result = self.walk(&mut v, file, ctx, key);
        self.inlining.pop();
        result?;
        if let Value::Object(m) = &mut v {
            m.insert(
                BASE.into(),
                Value::String(format!("{}#{pointer}", self.relative(file))),
            );
        }
        Ok(v)
    }

    /// A copy of the value at `pointer` in `file`.
    fn target(&mut self, file: &Path, pointer: &str) -> Result<Value, Error> {
        if !self.docs.contains_key(file) {
            let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
            let doc = super::parse_document(&text).map_err(|m| Error::spec(file, m))?;
            self.docs.insert(file.to_path_buf(), doc);
        }
        self.docs
            .get(file)
            .and_then(|d| d.pointer(pointer))
            .cloned()
            .ok_or_else(|| {
                Error::spec(
                    &self.root,
                    format!(
                        "reference to `{pointer}` in {}: nothing there",
                        file.display()
                    ),
                )
            })
    }

    /// `file` relative to the root document's folder, with `/` separators.
    fn relative(&self, file: &Path) -> String {
        let base = self.root.parent().unwrap_or(Path::new("/"));
        let (mut b, mut f) = (base.components().peekable(), file.components().peekable());
        while let (Some(x), Some(y)) = (b.peek(), f.peek()) {
            if x != y {
                break;
            }
            b.next();
            f.next();
        }
        let mut parts: Vec<String> = b.map(|_| "..".to_owned()).collect();
        parts.extend(f.map(|c| c.as_os_str().to_string_lossy().into_owned()));
        parts.join("/")
    }
}

/// The context of the value under key `k` of an object in context `ctx` (itself under `key`).
pub(crate) fn child_ctx(ctx: Ctx, key: &str, k: &str, swagger2: bool) -> Ctx {
    match ctx {
        Ctx::Schemas => Ctx::Schema,
        Ctx::Schema => {
            if DATA_KEYS.contains(&k) {
                Ctx::Data
            } else if matches!(
                k,
                "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas"
            ) {
                Ctx::Schemas
            } else if matches!(k, "discriminator" | "xml" | "externalDocs") || k.starts_with("x-") {
                Ctx::Data
            } else {
                Ctx::Schema
            }
        }
        Ctx::Data => Ctx::Data,
        Ctx::Other => {
            if k == "schema" {
                Ctx::Schema
            } else if (k == "schemas" && key == "components")
                || (k == "definitions" && key.is_empty() && swagger2)
            {
                Ctx::Schemas
            } else if matches!(k, "value" | "example" | "x-example")
                || (matches!(k, "default" | "enum") && key != "responses")
            {
                // An Example object's value, examples, a Swagger parameter's default; a
                // response keyed `default` is a response (example objects may be references).
                Ctx::Data
            } else {
                Ctx::Other
            }
        }
    }
}

/// The JSON pointer of a reference (`file#/a/b` → `/a/b`), percent-decoded.
fn fragment(r: &str) -> String {
    let f = r.split_once('#').map_or("", |(_, f)| f);
    crate::locate::percent_decode(f)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

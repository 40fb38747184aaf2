//! WSDL and standalone XSD sets: generation through `codegen`, XML round-trips validated by
//! xmllint against the original schemas.
//!
//! Per set, the sample messages of every root element (message parts of a WSDL, global elements
//! of a schema; see `codegen::xml_samples`) are written into the crate's `samples/`, together
//! with a harness binary (`src/main.rs`) that reads each sample into its generated type, checks
//! it with the generated validation, writes it back, reads that again and compares both the
//! values and the XML trees. xmllint then judges the samples (so that a sample-builder mistake
//! is not blamed on the codec) and everything the harness wrote.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::model::{RootElement, TypeKind, TypeModel};

use super::{CrateDir, Generated, Kind, RoundTrips, Set};

/// The sample index: one line per sample, `file<TAB>root index<TAB>label`.
const INDEX: &str = "samples/index.tsv";

/// Body elements no schema declares (rpc wrappers …), as JSON, for [`undeclared_schemas`].
const UNDECLARED: &str = "undeclared.json";

/// The stand-in root elements of a types-only schema.
const ROOTS_XSD: &str = "schemas/roots.xsd";

/// Generates the module of a WSDL or of a standalone schema, its samples and its harness.
pub(crate) fn generate(set: &Set) -> Result<Generated, String> {
    let module = match set.kind {
        Kind::Wsdl => codegen::generate_wsdl_module_with(&set.path, &set.name, &set.locations),
        _ => codegen::generate_schema_module_with(&set.path, &set.name, &set.locations),
    }
    .map_err(|e| e.to_string())?;
    let samples = codegen::xml_samples::samples(&module.model, &module.elements);
    let mut files = Vec::new();
    let mut index = String::new();
    for (i, s) in samples.iter().enumerate() {
        let file = format!("{i:04}.xml");
        let _ = writeln!(index, "{file}\t{}\t{}", s.root, s.label.replace('\t', " "));
        files.push((PathBuf::from("samples").join(file), s.xml.clone()));
    }
    files.push((PathBuf::from(INDEX), index));
    if module.synthetic_roots {
        files.push((
            PathBuf::from(ROOTS_XSD),
            roots_schema(set, &module.elements)?,
        ));
    }
    if !module.undeclared.is_empty() {
        let list: Vec<serde_json::Value> = module
            .undeclared
            .iter()
            .map(|u| {
                let content = match &u.content {
                    codegen::model::UndeclaredContent::Type(t) => {
                        serde_json::json!({"type": [t.ns, t.local]})
                    }
                    codegen::model::UndeclaredContent::Parts(parts) => serde_json::json!({
                        "parts": parts
                            .iter()
                            .map(|(n, t)| serde_json::json!([n, t.ns, t.local]))
                            .collect::<Vec<_>>()
                    }),
                };
                serde_json::json!({"ns": u.element.ns, "local": u.element.local, "content": content})
            })
            .collect();
        files.push((
            PathBuf::from(UNDECLARED),
            serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?,
        ));
    }
    files.push((
        PathBuf::from("src/main.rs"),
        harness(&super::crate_name(set), &module.model, &module.elements),
    ));
    Ok(Generated {
        code: module.code,
        types: module.types,
        operations: module.operations,
        dependencies: String::new(),
        files,
    })
}

/// Declares the stand-in root elements of a types-only schema (`{TYPE_ROOTS_NS}T` of type `T`),
/// so that xmllint can judge their samples.
fn roots_schema(set: &Set, roots: &[RootElement]) -> Result<String, String> {
    let tns = codegen::xsd::target_namespace(&set.path)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let mut s = format!(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"{}\" targetNamespace=\"{}\">\n  <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n",
        attr_escape(&tns),
        codegen::TYPE_ROOTS_NS,
        attr_escape(&tns),
        file_url(&set.path)?
    );
    for r in roots {
        let _ = writeln!(
            s,
            "  <xs:element name=\"{0}\" type=\"t:{0}\"/>",
            r.name.local
        );
    }
    s.push_str("</xs:schema>\n");
    Ok(s)
}

/// The harness binary: a dispatch from root index to the generated type, and the checks.
fn harness(krate: &str, model: &TypeModel, roots: &[RootElement]) -> String {
    let mut arms = String::new();
    for (i, r) in roots.iter().enumerate() {
        let Some(def) = model.get(r.ty) else {
            continue;
        };
        let codec = match &def.kind {
            TypeKind::Struct(s) if !s.group => "complex",
            TypeKind::Polymorphic(_) => "complex",
            TypeKind::Enum(_)
            | TypeKind::Restricted(_)
            | TypeKind::Union(_)
            | TypeKind::List(_) => "simple",
            _ => continue,
        };
        // The repeated complex-typed children of a root are also read streaming, as records,
        // and must come out as the tree reader read them.
        let mut streams = String::new();
        if let TypeKind::Struct(st) = &def.kind {
            for f in &st.fields {
                let codegen::model::TypeRef::Def(id) = &f.ty else {
                    continue;
                };
                let Some(item) = model.get(*id) else { continue };
                let complex = matches!(
                    item.kind,
                    TypeKind::Struct(_) | TypeKind::Polymorphic(_) | TypeKind::Choice(_)
                );
                let many = f.max.is_none_or(|m| m > 1);
                if f.kind != codegen::model::FieldKind::Element
                    || !many
                    || !complex
                    || f.nillable
                    || f.boxed
                    || matches!(item.kind, TypeKind::Struct(ref s) if s.group)
                {
                    continue;
                }
                let _ = write!(
                    streams,
                    ".and_then(|out| same_records::<generated::types::{ty}, generated::types::{item_ty}>(bytes, doc, ElementName::new({ns:?}, {local:?}), ElementName::new({ins:?}, {ilocal:?}), |v| v.{field}.as_slice()).map(|()| out))",
                    ty = def.rust_name,
                    item_ty = item.rust_name,
                    ns = r.name.ns,
                    local = r.name.local,
                    ins = f.wire.ns,
                    ilocal = f.wire.local,
                    field = f.rust_name,
                );
            }
        }
        let _ = writeln!(
            arms,
            "        {i} => run::<generated::types::{ty}>(doc, ElementName::new({ns:?}, {local:?}), {codec}, write_{codec}){streams},",
            ty = def.rust_name,
            ns = r.name.ns,
            local = r.name.local,
        );
    }
    format!(
        r#"//! Round-trip harness written by `cargo xtask conformance`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use {krate}::generated;
use sdk_runtime::xml::{{
    self, Document, Element, ElementName, ElementRef, ReadContext, Validate, XmlRead, XmlText,
    XmlWrite, XmlWriter,
}};

type Read<T> = fn(ElementRef<'_>, ElementName, &mut ReadContext) -> Result<T, String>;

fn complex<T: XmlRead>(e: ElementRef<'_>, name: ElementName, cx: &mut ReadContext) -> Result<T, String> {{
    xml::read_named(e, name, cx).map_err(|e| e.to_string())
}}

fn write_complex<T: XmlWrite>(v: &T, w: &mut XmlWriter) {{
    v.write_xml(w);
}}

fn simple<T: XmlText>(e: ElementRef<'_>, name: ElementName, cx: &mut ReadContext) -> Result<T, String> {{
    if !e.is(name.ns, name.local) {{
        return Err(format!("root is {{}}, expected {{name}}", e.local_name()));
    }}
    T::from_xml_text_lenient(&e.text(), cx).map_err(|e| e.to_string())
}}

fn write_simple<T: XmlText>(v: &T, w: &mut XmlWriter) {{
    w.text(&v.to_xml_text());
}}

fn short(s: String) -> String {{
    if s.chars().count() > 600 {{
        let mut t: String = s.chars().take(600).collect();
        t.push('…');
        t
    }} else {{
        s
    }}
}}

fn run<T: PartialEq + std::fmt::Debug + Validate>(
    doc: &Document,
    name: ElementName,
    read: Read<T>,
    write: fn(&T, &mut XmlWriter),
) -> Result<String, String> {{
    let mut cx = ReadContext::new();
    let value = read(doc.root(), name, &mut cx).map_err(|e| format!("reading the sample: {{e}}"))?;
    if let Some(d) = cx.diagnostics().first() {{
        return Err(format!("reading the sample: {{}} diagnostic at {{}}: {{}}", d.kind, d.path, d.message));
    }}
    value
        .validated()
        .map_err(|e| format!("the generated validation rejects the sample: {{e}}"))?;
    let mut w = XmlWriter::new();
    w.declaration();
    w.start(name.ns, name.local);
    write(&value, &mut w);
    w.end();
    let out = w.finish();
    let written = Document::parse_str(&out).map_err(|e| format!("the written XML does not parse: {{e}}"))?;
    let mut cx = ReadContext::new();
    let back = read(written.root(), name, &mut cx).map_err(|e| format!("reading the written XML: {{e}}"))?;
    if let Some(d) = cx.diagnostics().first() {{
        return Err(format!("reading the written XML: {{}} diagnostic at {{}}: {{}}", d.kind, d.path, d.message));
    }}
    if back != value {{
        return Err(short(format!("the value read back differs: {{value:?}} became {{back:?}}")));
    }}
    let (doc, written) = (doc.root().to_element(), written.root().to_element());
    if written != doc {{
        let at = first_difference(&doc, &written, String::new()).unwrap_or_default();
        return Err(short(format!("the written XML differs from the sample at {{at}}")));
    }}
    Ok(out)
}}

/// Where two trees first differ, for the report.
fn first_difference(a: &Element, b: &Element, path: String) -> Option<String> {{
    let path = format!("{{path}}/{{}}", a.local_name());
    if a.namespace() != b.namespace() || a.local_name() != b.local_name() {{
        return Some(format!("{{path}}: element {{}} written as {{}}", a.local_name(), b.local_name()));
    }}
    if a.xsi_type() != b.xsi_type() {{
        return Some(format!("{{path}}: xsi:type {{:?}} written as {{:?}}", a.xsi_type(), b.xsi_type()));
    }}
    let attrs = |e: &Element| {{
        let mut v: Vec<String> = e
            .attributes()
            .iter()
            .filter(|x| !(x.ns == xml::XSI_NS && x.local == "type"))
            .map(|x| format!("{{{{{{}}}}}}{{}}={{:?}}", x.ns, x.local, x.value))
            .collect();
        v.sort();
        v
    }};
    if attrs(a) != attrs(b) {{
        return Some(format!("{{path}}: attributes {{:?}} written as {{:?}}", attrs(a), attrs(b)));
    }}
    let (ka, kb): (Vec<&Element>, Vec<&Element>) = (a.child_elements().collect(), b.child_elements().collect());
    for (i, ca) in ka.iter().enumerate() {{
        match kb.get(i) {{
            Some(cb) => {{
                if let Some(d) = first_difference(ca, cb, path.clone()) {{
                    return Some(d);
                }}
            }}
            None => return Some(format!("{{path}}: child {{}} ({{}}) not written", i + 1, ca.local_name())),
        }}
    }}
    if kb.len() > ka.len() {{
        return Some(format!("{{path}}: {{}} extra children written", kb.len() - ka.len()));
    }}
    if a.text() != b.text() {{
        return Some(format!("{{path}}: text {{:?}} written as {{:?}}", a.text(), b.text()));
    }}
    None
}}

/// The records `item` of the sample, read streaming, against what the tree reader read.
fn same_records<T: XmlRead, U: XmlRead + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
    doc: &Document,
    root: ElementName,
    item: ElementName,
    field: fn(&T) -> &[U],
) -> Result<(), String> {{
    let mut cx = ReadContext::new();
    let tree: T = complex(doc.root(), root, &mut cx)?;
    let streamed = xml::Records::<_, U>::new(xml::RecordReader::new(bytes, &[root.local], item))
        .collect::<Result<Vec<U>, _>>()
        .map_err(|e| format!("reading the `{{}}` records streaming: {{e}}", item.local))?;
    if streamed.as_slice() != field(&tree) {{
        return Err(short(format!(
            "the streaming reader read the `{{}}` records differently: {{:?}} became {{streamed:?}}",
            item.local,
            field(&tree)
        )));
    }}
    Ok(())
}}

fn dispatch(root: usize, bytes: &[u8], doc: &Document) -> Result<String, String> {{
    match root {{
{arms}        _ => Err(format!("root element {{root}} has no generated element type")),
    }}
}}

fn main() {{
    let index = std::fs::read_to_string({INDEX:?}).expect("sample index");
    std::fs::create_dir_all("out").expect("out/");
    for line in index.lines() {{
        let mut parts = line.splitn(3, '\t');
        let (Some(file), Some(root)) = (parts.next(), parts.next()) else {{
            continue;
        }};
        let root: usize = root.parse().expect("root index");
        let result = std::fs::read(format!("samples/{{file}}"))
            .map_err(|e| e.to_string())
            .and_then(|bytes| {{
                let doc = Document::parse(&bytes).map_err(|e| format!("the sample does not parse: {{e}}"))?;
                dispatch(root, &bytes, &doc)
            }});
        match result {{
            Ok(out) => {{
                std::fs::write(format!("out/{{file}}"), out).expect("write out/");
                println!("ok\t{{file}}");
            }}
            Err(e) => println!("fail\t{{file}}\t{{}}", e.replace(['\n', '\t'], " ")),
        }}
    }}
}}
"#
    )
}

/// Round-trips the sample messages of every root element.
pub(crate) fn round_trip(cx: &CrateDir<'_>) -> RoundTrips {
    let mut rt = RoundTrips::default();
    let index = match std::fs::read_to_string(cx.dir.join(INDEX)) {
        Ok(s) => s,
        Err(e) => {
            rt.first_error = Some(format!("{INDEX}: {e}"));
            return rt;
        }
    };
    // file -> label
    let samples: BTreeMap<String, String> = index
        .lines()
        .filter_map(|l| {
            let mut p = l.splitn(3, '\t');
            let file = p.next()?.to_owned();
            let _root = p.next()?;
            Some((file, p.next().unwrap_or_default().to_owned()))
        })
        .collect();
    rt.tried = samples.len();
    if samples.is_empty() {
        return rt;
    }
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let schemas = match schemas(cx) {
        Ok(s) => s,
        Err(e) => {
            rt.first_error = Some(format!("cannot prepare the schemas: {e}"));
            return rt;
        }
    };
    // 1. The samples themselves must be valid, or the sample builder is wrong.
    let files: Vec<PathBuf> = samples
        .keys()
        .map(|f| cx.dir.join("samples").join(f))
        .collect();
    match xmllint(cx, &schemas, &files) {
        Ok(invalid) => {
            for (file, msg) in invalid {
                failures
                    .entry(file)
                    .or_insert_with(|| format!("the sample is invalid (sample builder): {msg}"));
            }
        }
        Err(e) => {
            rt.first_error = Some(e);
            return rt;
        }
    }
    // 2. The harness: read, validate, write, read back, compare.
    let _ = std::fs::remove_dir_all(cx.dir.join("out"));
    let output = match cx.run_harness(&[]) {
        Ok(o) => o,
        Err(e) => {
            rt.first_error = Some(super::first_error(&e));
            return rt;
        }
    };
    let mut written = Vec::new();
    for line in output.lines() {
        let mut p = line.splitn(3, '\t');
        match (p.next(), p.next()) {
            (Some("ok"), Some(file)) => written.push(cx.dir.join("out").join(file)),
            (Some("fail"), Some(file)) => {
                failures
                    .entry(file.to_owned())
                    .or_insert_with(|| p.next().unwrap_or("failed").to_owned());
            }
            _ => {}
        }
    }
    for f in samples.keys() {
        let done = written.iter().any(|w| w.ends_with(f)) || failures.contains_key(f);
        if !done {
            failures.insert(
                f.clone(),
                "the harness did not report this sample".to_owned(),
            );
        }
    }
    // 3. What we wrote must be valid.
    match xmllint(cx, &schemas, &written) {
        Ok(invalid) => {
            for (file, msg) in invalid {
                failures
                    .entry(file)
                    .or_insert_with(|| format!("what we wrote is invalid: {msg}"));
            }
        }
        Err(e) => {
            rt.first_error = Some(e);
            return rt;
        }
    }
    rt.passed = rt.tried.saturating_sub(failures.len());
    rt.first_error = failures.iter().next().map(|(file, msg)| {
        let label = samples.get(file).map_or("", String::as_str);
        format!("{label}: {msg}")
    });
    rt
}

/// The schemas of the set: (namespace, file), WSDL inline schemas written out as files, and
/// schemas declaring the body elements no schema of the set declares.
fn schemas(cx: &CrateDir<'_>) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = set_schemas(cx)?;
    let extra = undeclared_schemas(cx, &out)?;
    out.extend(extra);
    Ok(out)
}

/// Schemas (one per namespace) declaring the set's undeclared body elements: an rpc/literal
/// wrapper as a sequence of unqualified part elements of the parts' types (WSDL 1.1 §3.5,
/// WS-I BP R2729/R2735), a document-style `type=` part's element with its type.
fn undeclared_schemas(
    cx: &CrateDir<'_>,
    schemas: &[(String, PathBuf)],
) -> Result<Vec<(String, PathBuf)>, String> {
    let path = cx.dir.join(UNDECLARED);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let str_at = |v: &serde_json::Value, i: usize| {
        v.get(i)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut by_ns: BTreeMap<String, Vec<&serde_json::Value>> = BTreeMap::new();
    for u in &list {
        let ns = u
            .get("ns")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        by_ns.entry(ns.to_owned()).or_default().push(u);
    }
    let xs = "http://www.w3.org/2001/XMLSchema";
    let mut out = Vec::new();
    for (i, (ns, elements)) in by_ns.iter().enumerate() {
        // Type namespaces → prefixes.
        let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
        let mut type_ns = |tns: &str| -> String {
            if tns == xs {
                return "xs".to_owned();
            }
            let n = prefixes.len();
            prefixes
                .entry(tns.to_owned())
                .or_insert_with(|| format!("t{n}"))
                .clone()
        };
        let mut body = String::new();
        for u in elements {
            let local = u
                .get("local")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            let content = u.get("content").cloned().unwrap_or_default();
            if let Some(t) = content.get("type") {
                let p = type_ns(&str_at(t, 0));
                let _ = writeln!(
                    body,
                    "  <xs:element name=\"{}\" type=\"{p}:{}\"/>",
                    attr_escape(local),
                    attr_escape(&str_at(t, 1))
                );
            } else {
                let _ = writeln!(
                    body,
                    "  <xs:element name=\"{}\"><xs:complexType><xs:sequence>",
                    attr_escape(local)
                );
                for part in content
                    .get("parts")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let p = type_ns(&str_at(part, 1));
                    let _ = writeln!(
                        body,
                        "    <xs:element name=\"{}\" type=\"{p}:{}\" form=\"unqualified\"/>",
                        attr_escape(&str_at(part, 0)),
                        attr_escape(&str_at(part, 2))
                    );
                }
                body.push_str("  </xs:sequence></xs:complexType></xs:element>\n");
            }
        }
        let mut head = format!("<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"{xs}\"");
        if !ns.is_empty() {
            let _ = write!(head, " targetNamespace=\"{}\"", attr_escape(ns));
        }
        for (tns, p) in &prefixes {
            let _ = write!(head, " xmlns:{p}=\"{}\"", attr_escape(tns));
        }
        head.push_str(">\n");
        for tns in prefixes.keys().filter(|t| *t != ns) {
            // The types come from the set's schema of that namespace (types of this very
            // namespace are included beside it by the driver).
            if let Some((_, file)) = schemas.iter().find(|(n, _)| n == tns) {
                let _ = writeln!(
                    head,
                    "  <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>",
                    attr_escape(tns),
                    file_url(file)?
                );
            }
        }
        let file = cx.dir.join(format!("schemas/undeclared-{i}.xsd"));
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&file, format!("{head}{body}</xs:schema>\n"))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        out.push((ns.clone(), file));
    }
    Ok(out)
}

/// The set's own schemas: (namespace, file).
fn set_schemas(cx: &CrateDir<'_>) -> Result<Vec<(String, PathBuf)>, String> {
    match cx.set.kind {
        Kind::Wsdl => {
            let defs = codegen::wsdl::read_with(&cx.set.path, &cx.set.locations)
                .map_err(|e| e.to_string())?;
            codegen::wsdl::write_standalone_schemas(&defs, &cx.dir.join("schemas"))
                .map_err(|e| e.to_string())
        }
        _ => {
            let ns = codegen::xsd::target_namespace(&cx.set.path)
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let mut out = vec![(ns, cx.set.path.clone())];
            let roots = cx.dir.join(ROOTS_XSD);
            if roots.exists() {
                out.push((codegen::TYPE_ROOTS_NS.to_owned(), roots));
            }
            Ok(out)
        }
    }
}

fn file_url(p: &Path) -> Result<String, String> {
    let abs = p
        .canonicalize()
        .map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(format!("file://{}", abs.display()))
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// Validates `files` with one xmllint run against a driver schema that imports every schema
/// (several schemas of one namespace are included by a wrapper of that namespace, since a
/// second import of a namespace is ignored). Returns the invalid files (name -> first message).
fn xmllint(
    cx: &CrateDir<'_>,
    schemas: &[(String, PathBuf)],
    files: &[PathBuf],
) -> Result<BTreeMap<String, String>, String> {
    if files.is_empty() {
        return Ok(BTreeMap::new());
    }
    let dir = cx.dir;
    // What the generator resolved by URL, xmllint resolves the same way (and never fetches).
    let catalog = cx
        .set
        .locations
        .write_catalog(&dir.join("catalog"))
        .map_err(|e| e.to_string())?;
    let mut by_ns: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for (ns, path) in schemas {
        by_ns.entry(ns.as_str()).or_default().push(path);
    }
    let mut driver = String::from(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n",
    );
    for (i, (ns, paths)) in by_ns.iter().enumerate() {
        let location = if let [only] = paths.as_slice() {
            file_url(only)?
        } else {
            let mut wrapper = String::from(
                "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"",
            );
            if !ns.is_empty() {
                let _ = write!(wrapper, " targetNamespace=\"{}\"", attr_escape(ns));
            }
            wrapper.push_str(">\n");
            for p in paths {
                let _ = writeln!(
                    wrapper,
                    "  <xs:include schemaLocation=\"{}\"/>",
                    file_url(p)?
                );
            }
            wrapper.push_str("</xs:schema>\n");
            let path = dir.join(format!("wrapper-{i}.xsd"));
            std::fs::write(&path, wrapper).map_err(|e| format!("{}: {e}", path.display()))?;
            file_url(&path)?
        };
        if ns.is_empty() {
            // The driver has no target namespace either: a no-namespace schema is included.
            let _ = writeln!(driver, "  <xs:include schemaLocation=\"{location}\"/>");
        } else {
            let _ = writeln!(
                driver,
                "  <xs:import namespace=\"{}\" schemaLocation=\"{location}\"/>",
                attr_escape(ns)
            );
        }
    }
    driver.push_str("</xs:schema>\n");
    let driver_path = dir.join("driver.xsd");
    std::fs::write(&driver_path, driver).map_err(|e| format!("{}: {e}", driver_path.display()))?;
    let out = Command::new("xmllint")
        .env("XML_CATALOG_FILES", &catalog)
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&driver_path)
        .args(files)
        .output()
        .map_err(|e| {
            format!("cannot run xmllint (scripts/install-test-tools.sh installs it): {e}")
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // xmllint prints "<file> validates" or "<file> fails to validate" per file, and errors as
    // "<file>:<line>: <message>"; a schema it cannot compile fails every file.
    if stderr.contains("WXS schema") && stderr.contains("failed to compile") {
        return Err(format!(
            "xmllint cannot compile the schemas: {}",
            stderr.lines().next().unwrap_or_default()
        ));
    }
    let mut invalid = BTreeMap::new();
    for f in files {
        let shown = f.to_string_lossy();
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stderr.contains(&format!("{shown} validates")) {
            continue;
        }
        let first = stderr
            .lines()
            .find(|l| l.starts_with(&format!("{shown}:")))
            .map_or_else(
                || "xmllint did not validate it".to_owned(),
                |l| l.strip_prefix(shown.as_ref()).unwrap_or(l).to_owned(),
            );
        invalid.insert(name, first);
    }
    Ok(invalid)
}

//! WSDL 1.1 front end: definitions, imports, messages, port types, SOAP 1.1/1.2 bindings, services,
//! and the inline `wsdl:types` schemas handed on to the XSD stage.
//!
//! Inline schemas are cut out of the WSDL text byte for byte (QName-valued attributes such as
//! `type="tns:Foo"` depend on the original prefixes) and given the namespace declarations they
//! inherit from `wsdl:definitions` and `wsdl:types`, which a standalone schema parser cannot see.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sdk_runtime::xml::{self, Element};

use crate::Error;
use crate::locate::{Located, Locations};

/// WSDL 1.1 namespace.
pub const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
/// SOAP 1.1 binding extension namespace.
pub const WSDL_SOAP11_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// SOAP 1.2 binding extension namespace.
pub const WSDL_SOAP12_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// XML Schema namespace.
pub const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// Our extension namespace for provenance marks on operations.
pub const PROVENANCE_NS: &str = "urn:x-b2b-sdk:provenance";

/// A namespace-qualified name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QName {
    /// Namespace name ("" for none).
    pub ns: String,
    /// Local name.
    pub local: String,
}

impl QName {
    /// A qualified name.
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            ns: ns.into(),
            local: local.into(),
        }
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}{}", self.ns, self.local)
    }
}

/// Everything read from a WSDL file and the WSDL files it imports.
#[derive(Debug, Default)]
pub struct Definitions {
    /// The main file.
    pub path: PathBuf,
    /// `name` of the main `wsdl:definitions`.
    pub name: Option<String>,
    /// `targetNamespace` of the main file.
    pub target_ns: String,
    /// `wsdl:documentation` of the main file.
    pub doc: Option<String>,
    /// Messages of all files.
    pub messages: Vec<Message>,
    /// Port types of all files.
    pub port_types: Vec<PortType>,
    /// Bindings of all files.
    pub bindings: Vec<Binding>,
    /// Services of all files.
    pub services: Vec<Service>,
    /// Inline schemas of all files, ready for the XSD stage.
    pub schemas: Vec<InlineSchema>,
}

/// An inline schema cut out of a WSDL.
#[derive(Debug, Clone)]
pub struct InlineSchema {
    /// The WSDL it came from (relative `schemaLocation`s resolve against it).
    pub wsdl: PathBuf,
    /// Position among that WSDL's inline schemas.
    pub index: usize,
    /// Schema text with inherited namespace declarations added.
    pub text: String,
}

/// `wsdl:message`.
#[derive(Debug, Clone)]
pub struct Message {
    /// Qualified name.
    pub name: QName,
    /// Parts in order.
    pub parts: Vec<Part>,
}

/// `wsdl:part`.
#[derive(Debug, Clone)]
pub struct Part {
    /// Part name.
    pub name: String,
    /// `element=` (document style).
    pub element: Option<QName>,
    /// `type=` (rpc style).
    pub type_: Option<QName>,
}

/// `wsdl:portType`.
#[derive(Debug, Clone)]
pub struct PortType {
    /// Qualified name.
    pub name: QName,
    /// Operations in order.
    pub operations: Vec<PortOperation>,
}

/// An abstract operation of a port type.
#[derive(Debug, Clone)]
pub struct PortOperation {
    /// Operation name.
    pub name: String,
    /// `wsdl:documentation`.
    pub doc: Option<String>,
    /// `prov:provenance` mark, if the spec carries one.
    pub provenance: Option<String>,
    /// `prov:source`, where the operation was seen or published.
    pub source: Option<String>,
    /// `prov:deprecated="true"`: the authority has retired the operation (WSDL has no word for
    /// it; OpenAPI's `deprecated` maps to the same flag).
    pub deprecated: bool,
    /// Input message.
    pub input: Option<QName>,
    /// Output message.
    pub output: Option<QName>,
    /// Faults: (name, message).
    pub faults: Vec<(String, QName)>,
}

/// SOAP version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    /// `wsdl/soap/`.
    V11,
    /// `wsdl/soap12/`.
    V12,
}

/// `wsdl:binding` (SOAP bindings only; others are recorded with `version: None`).
#[derive(Debug, Clone)]
pub struct Binding {
    /// Qualified name.
    pub name: QName,
    /// The port type it binds.
    pub port_type: QName,
    /// SOAP version, `None` for non-SOAP (e.g. HTTP GET) bindings.
    pub version: Option<SoapVersion>,
    /// Default style (`document` unless stated).
    pub style: Style,
    /// Bound operations.
    pub operations: Vec<BindingOperation>,
}

/// `style` of a binding or operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// document/literal.
    Document,
    /// rpc.
    Rpc,
}

/// A bound operation.
#[derive(Debug, Clone)]
pub struct BindingOperation {
    /// Operation name (matches the port type's).
    pub name: String,
    /// `soapAction`; `None` when the attribute is absent.
    pub action: Option<String>,
    /// Style after defaults.
    pub style: Style,
    /// Input binding.
    pub input: BoundMessage,
    /// Output binding.
    pub output: BoundMessage,
    /// Fault names whose `use` is literal.
    pub faults: Vec<String>,
}

/// `soap:body` and `soap:header` of an input or output.
#[derive(Debug, Clone, Default)]
pub struct BoundMessage {
    /// `soap:body parts=`, when restricted.
    pub body_parts: Option<Vec<String>>,
    /// `soap:body namespace=`: the namespace of an rpc wrapper element.
    pub namespace: Option<String>,
    /// `use="encoded"` was found (unsupported).
    pub encoded: bool,
    /// Header parts: (message, part).
    pub headers: Vec<(QName, String)>,
}

/// `wsdl:service`.
#[derive(Debug, Clone)]
pub struct Service {
    /// Qualified name.
    pub name: QName,
    /// `wsdl:documentation`.
    pub doc: Option<String>,
    /// Ports in order.
    pub ports: Vec<Port>,
}

/// `wsdl:port`.
#[derive(Debug, Clone)]
pub struct Port {
    /// Port name.
    pub name: String,
    /// Binding used.
    pub binding: QName,
    /// `soap:address location`.
    pub address: Option<String>,
}

/// Reads a WSDL file and every WSDL it imports.
pub fn read(path: &Path) -> Result<Definitions, Error> {
    read_with(path, &Locations::new())
}

/// Like [`read`], locating imported WSDLs through `locations` (catalogs, URL mappings, names
/// differing in case).
pub fn read_with(path: &Path, locations: &Locations) -> Result<Definitions, Error> {
    let mut defs = Definitions {
        path: path.to_path_buf(),
        ..Definitions::default()
    };
    let mut seen = BTreeSet::new();
    read_into(path, &mut defs, &mut seen, true, locations)?;
    Ok(defs)
}

fn read_into(
    path: &Path,
    defs: &mut Definitions,
    seen: &mut BTreeSet<PathBuf>,
    main: bool,
    locations: &Locations,
) -> Result<(), Error> {
    let canonical = path.canonicalize().map_err(|e| Error::io(path, e))?;
    if !seen.insert(canonical.clone()) {
        return Ok(());
    }
    let bytes = std::fs::read(&canonical).map_err(|e| Error::io(path, e))?;
    let text = xml::decode(&bytes)
        .map_err(|e| Error::spec(path, e.to_string()))?
        .into_owned();
    let root = xml::parse_str(&text).map_err(|e| Error::spec(path, e.to_string()))?;
    if !root.is(WSDL_NS, "definitions") {
        return Err(Error::spec(
            path,
            format!(
                "not a WSDL 1.1 document: root is {{{}}}{}",
                root.namespace(),
                root.local_name()
            ),
        ));
    }
    let tns = root
        .attribute("", "targetNamespace")
        .unwrap_or("")
        .to_owned();
    let scope = Scope::new(&root);
    if main {
        defs.name = root.attribute("", "name").map(str::to_owned);
        defs.target_ns = tns.clone();
        defs.doc = documentation(&root);
    }
    for child in root.child_elements() {
        if child.namespace() != WSDL_NS {
            continue;
        }
        let q = |local: &str| QName::new(tns.clone(), local);
        match child.local_name() {
            "import" => {
                let Some(location) = child.attribute("", "location") else {
                    continue;
                };
                let is_schema = is_schema_file(Path::new(location.split('#').next().unwrap_or("")));
                if is_schema {
                    defs.schemas.push(InlineSchema {
                        wsdl: canonical.clone(),
                        index: defs.schemas.len(),
                        text: format!(
                            "<xs:schema xmlns:xs=\"{XS_NS}\"><xs:import namespace=\"{}\" schemaLocation=\"{}\"/></xs:schema>",
                            child.attribute("", "namespace").unwrap_or(""),
                            location
                        ),
                    });
                } else {
                    match locations.locate(&canonical, location)? {
                        Located::File(target) => {
                            read_into(&target, defs, seen, false, locations)?;
                        }
                        Located::Builtin { url, .. } => {
                            return Err(Error::spec(
                                &canonical,
                                format!("`{url}` is a schema, not a WSDL"),
                            ));
                        }
                    }
                }
            }
            "types" => {
                let types_scope = scope.child(child);
                for (index, schema) in child
                    .child_elements()
                    .filter(|e| e.is(XS_NS, "schema"))
                    .enumerate()
                {
                    defs.schemas.push(InlineSchema {
                        wsdl: canonical.clone(),
                        index,
                        text: cut_schema(&text, schema, &types_scope),
                    });
                }
            }
            "message" => {
                let name = required_attr(path, child, "name")?;
                let mut parts = Vec::new();
                for p in child.child_elements().filter(|e| e.is(WSDL_NS, "part")) {
                    let pscope = scope.child(child).child(p);
                    parts.push(Part {
                        name: required_attr(path, p, "name")?.to_owned(),
                        element: p
                            .attribute("", "element")
                            .map(|v| pscope.resolve(path, v))
                            .transpose()?,
                        type_: p
                            .attribute("", "type")
                            .map(|v| pscope.resolve(path, v))
                            .transpose()?,
                    });
                }
                defs.messages.push(Message {
                    name: q(name),
                    parts,
                });
            }
            "portType" => {
                let name = required_attr(path, child, "name")?;
                let mut operations = Vec::new();
                for op in child
                    .child_elements()
                    .filter(|e| e.is(WSDL_NS, "operation"))
                {
                    let oscope = scope.child(child).child(op);
                    let msg = |local: &str| -> Result<Option<QName>, Error> {
                        match op.child(WSDL_NS, local) {
                            Some(e) => {
                                let m = required_attr(path, e, "message")?;
                                Ok(Some(oscope.child(e).resolve(path, m)?))
                            }
                            None => Ok(None),
                        }
                    };
                    let mut faults = Vec::new();
                    for f in op.child_elements().filter(|e| e.is(WSDL_NS, "fault")) {
                        let m = required_attr(path, f, "message")?;
                        faults.push((
                            required_attr(path, f, "name")?.to_owned(),
                            oscope.child(f).resolve(path, m)?,
                        ));
                    }
                    operations.push(PortOperation {
                        name: required_attr(path, op, "name")?.to_owned(),
                        doc: documentation(op),
                        provenance: op.attribute(PROVENANCE_NS, "provenance").map(str::to_owned),
                        source: op.attribute(PROVENANCE_NS, "source").map(str::to_owned),
                        deprecated: op.attribute(PROVENANCE_NS, "deprecated") == Some("true"),
                        input: msg("input")?,
                        output: msg("output")?,
                        faults,
                    });
                }
                defs.port_types.push(PortType {
                    name: q(name),
                    operations,
                });
            }
            "binding" => defs.bindings.push(read_binding(path, &scope, child, &tns)?),
            "service" => {
                let name = required_attr(path, child, "name")?;
                let mut ports = Vec::new();
                for p in child.child_elements().filter(|e| e.is(WSDL_NS, "port")) {
                    let b = required_attr(path, p, "binding")?;
                    let address = p
                        .child_elements()
                        .find(|e| e.local_name() == "address")
                        .and_then(|a| a.attribute("", "location"))
                        .map(str::to_owned);
                    ports.push(Port {
                        name: required_attr(path, p, "name")?.to_owned(),
                        binding: scope.child(child).child(p).resolve(path, b)?,
                        address,
                    });
                }
                defs.services.push(Service {
                    name: q(name),
                    doc: documentation(child),
                    ports,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_binding(path: &Path, scope: &Scope, b: &Element, tns: &str) -> Result<Binding, Error> {
    let name = required_attr(path, b, "name")?;
    let port_type = scope
        .child(b)
        .resolve(path, required_attr(path, b, "type")?)?;
    let soap = b
        .child_elements()
        .find(|e| e.local_name() == "binding" && soap_version(e.namespace()).is_some());
    let version = soap.and_then(|e| soap_version(e.namespace()));
    let style = match soap.and_then(|e| e.attribute("", "style")) {
        Some("rpc") => Style::Rpc,
        _ => Style::Document,
    };
    let mut operations = Vec::new();
    for op in b.child_elements().filter(|e| e.is(WSDL_NS, "operation")) {
        let soap_op = op
            .child_elements()
            .find(|e| e.local_name() == "operation" && soap_version(e.namespace()).is_some());
        let op_style = match soap_op.and_then(|e| e.attribute("", "style")) {
            Some("rpc") => Style::Rpc,
            Some("document") => Style::Document,
            _ => style,
        };
        let oscope = scope.child(b).child(op);
        let bound = |local: &str| -> Result<BoundMessage, Error> {
            let mut m = BoundMessage::default();
            let Some(io) = op.child(WSDL_NS, local) else {
                return Ok(m);
            };
            let ioscope = oscope.child(io);
            for ext in io.child_elements() {
                if soap_version(ext.namespace()).is_none() {
                    continue;
                }
                match ext.local_name() {
                    "body" => {
                        m.encoded |= ext.attribute("", "use") == Some("encoded");
                        m.body_parts = ext
                            .attribute("", "parts")
                            .map(|p| p.split_whitespace().map(str::to_owned).collect());
                        m.namespace = ext.attribute("", "namespace").map(str::to_owned);
                    }
                    "header" => {
                        m.encoded |= ext.attribute("", "use") == Some("encoded");
                        let msg = ioscope
                            .child(ext)
                            .resolve(path, required_attr(path, ext, "message")?)?;
                        m.headers
                            .push((msg, required_attr(path, ext, "part")?.to_owned()));
                    }
                    _ => {}
                }
            }
            Ok(m)
        };
        operations.push(BindingOperation {
            name: required_attr(path, op, "name")?.to_owned(),
            action: soap_op
                .and_then(|e| e.attribute("", "soapAction"))
                .map(str::to_owned),
            style: op_style,
            input: bound("input")?,
            output: bound("output")?,
            faults: op
                .child_elements()
                .filter(|e| e.is(WSDL_NS, "fault"))
                .filter_map(|e| e.attribute("", "name").map(str::to_owned))
                .collect(),
        });
    }
    Ok(Binding {
        name: QName::new(tns, name),
        port_type,
        version,
        style,
        operations,
    })
}

fn soap_version(ns: &str) -> Option<SoapVersion> {
    match ns {
        WSDL_SOAP11_NS => Some(SoapVersion::V11),
        WSDL_SOAP12_NS => Some(SoapVersion::V12),
        _ => None,
    }
}

fn is_schema_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xsd"))
}

/// Resolves a relative location against the file it appears in.
pub fn resolve_location(base_file: &Path, location: &str) -> PathBuf {
    let location = location.strip_prefix("file://").unwrap_or(location);
    let p = Path::new(location);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    base_file.parent().unwrap_or(Path::new(".")).join(p)
}

/// The files a WSDL or schema file imports or includes (`wsdl:import location`,
/// `xs:import`/`xs:include`/`xs:redefine schemaLocation`, inline schemas included), resolved
/// against its folder. Remote locations are left out.
pub fn referenced_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    referenced_files_with(path, &Locations::new())
}

/// Like [`referenced_files`], locating through `locations`: URLs a catalog maps to files are
/// included, names differing in case are matched; references that cannot be located are left
/// out (generating the set reports them).
pub fn referenced_files_with(path: &Path, locations: &Locations) -> Result<Vec<PathBuf>, Error> {
    let root = crate::xsd::read_spec_file(path)?;
    let mut out = Vec::new();
    let mut stack = vec![&root];
    while let Some(e) = stack.pop() {
        let location = match (e.namespace(), e.local_name()) {
            (WSDL_NS, "import") => e.attribute("", "location"),
            (XS_NS, "import" | "include" | "redefine") => e.attribute("", "schemaLocation"),
            _ => None,
        };
        if let Some(loc) = location
            && let Ok(Located::File(p)) = locations.locate(path, loc)
        {
            out.push(p);
        }
        stack.extend(e.child_elements());
    }
    Ok(out)
}

fn required_attr<'e>(path: &Path, e: &'e Element, name: &str) -> Result<&'e str, Error> {
    e.attribute("", name).ok_or_else(|| {
        Error::spec(
            path,
            format!(
                "<{}> at byte {} has no `{name}` attribute",
                e.local_name(),
                e.offset()
            ),
        )
    })
}

/// `wsdl:documentation` text, whitespace-normalised per paragraph.
fn documentation(e: &Element) -> Option<String> {
    let d = e.child(WSDL_NS, "documentation")?;
    let text = d.deep_text();
    let text = text.trim();
    (!text.is_empty()).then(|| normalise_doc(text))
}

/// Spec documentation for rustdoc: whitespace collapsed within each paragraph, paragraph
/// breaks kept, each paragraph sanitized (no HTML tags, intra-doc links or bare URLs reach rustdoc).
pub fn normalise_doc(text: &str) -> String {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let joined = para.split_whitespace().collect::<Vec<_>>().join(" ");
        // The same sanitising as OpenAPI descriptions: no HTML tags, intra-doc links or bare
        // URLs reach rustdoc from a spec.
        let clean = crate::docs::sanitize(&joined);
        if !clean.is_empty() {
            out.push(clean);
        }
    }
    out.join("\n\n")
}

/// Namespace declarations in scope at an element, innermost last.
#[derive(Clone)]
struct Scope {
    decls: Vec<(String, String)>,
}

impl Scope {
    fn new(root: &Element) -> Self {
        Self {
            decls: root.namespace_declarations().to_vec(),
        }
    }

    fn child(&self, e: &Element) -> Self {
        let mut decls = self.decls.clone();
        decls.extend(e.namespace_declarations().iter().cloned());
        Self { decls }
    }

    fn resolve(&self, path: &Path, qname: &str) -> Result<QName, Error> {
        let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
        match self.decls.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, ns)) => Ok(QName::new(ns.clone(), local)),
            None if prefix.is_empty() => Ok(QName::new("", local)),
            None => Err(Error::spec(
                path,
                format!("prefix `{prefix}` of `{qname}` is not declared"),
            )),
        }
    }
}

/// Cuts a schema out of the WSDL text and re-declares the namespaces it inherits.
fn cut_schema(text: &str, schema: &Element, inherited: &Scope) -> String {
    let raw = text.get(schema.span()).unwrap_or_default();
    let own: BTreeSet<&str> = schema
        .namespace_declarations()
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    // Innermost declaration of each prefix wins; the schema's own declarations win over all.
    let mut extra: Vec<(String, String)> = Vec::new();
    for (p, ns) in inherited.decls.iter().rev() {
        if own.contains(p.as_str()) || extra.iter().any(|(q, _)| q == p) {
            continue;
        }
        extra.push((p.clone(), ns.clone()));
    }
    extra.sort();
    let name_end = tag_name_len(raw);
    let mut out = String::with_capacity(raw.len() + 256);
    out.push_str(raw.get(..name_end).unwrap_or_default());
    for (p, ns) in extra {
        let ns = sdk_runtime::xml::escape_attr(&ns);
        if p.is_empty() {
            out.push_str(&format!(" xmlns=\"{ns}\""));
        } else {
            out.push_str(&format!(" xmlns:{p}=\"{ns}\""));
        }
    }
    out.push_str(raw.get(name_end..).unwrap_or_default());
    out
}

/// Writes the inline schemas of `defs` into `dir` as standalone files that external validators
/// (xmllint) can load: relative `schemaLocation`s become absolute file URLs, and an `xs:import`
/// without a location points at the inline schema declaring that namespace. Returns
/// (target namespace, file) per schema.
pub fn write_standalone_schemas(
    defs: &Definitions,
    dir: &Path,
) -> Result<Vec<(String, PathBuf)>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let url_of = |p: &Path| -> Result<String, Error> {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::io(p, e))?
                .join(p)
        };
        url::Url::from_file_path(&abs)
            .map(|u| u.to_string())
            .map_err(|()| Error::spec(p, "path cannot be a URL".to_owned()))
    };
    // Where each inline schema goes, and under which URL its namespace is found.
    let mut planned = Vec::new();
    for (i, s) in defs.schemas.iter().enumerate() {
        let root = xml::parse_str(&s.text).map_err(|e| Error::spec(&s.wsdl, e.to_string()))?;
        let tns = root
            .attribute("", "targetNamespace")
            .unwrap_or("")
            .to_owned();
        let stem = s
            .wsdl
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("wsdl");
        let path = dir.join(format!("{stem}-types-{i}.xsd"));
        let url = url_of(&path)?;
        planned.push((tns, path, url));
    }
    let mut out = Vec::new();
    for (s, (tns, path, own_url)) in defs.schemas.iter().zip(&planned) {
        let text =
            rewrite_schema_refs(&s.text, |e, tag| match e.attribute("", "schemaLocation") {
                // A URL stays a URL: the validator maps it through the same catalog.
                Some(loc) if crate::locate::is_url(loc) && !loc.starts_with("file:") => Ok(None),
                Some(loc) => {
                    let absolute = url_of(&resolve_location(&s.wsdl, loc))?;
                    Ok(['"', '\''].iter().find_map(|quote| {
                        let needle = format!("schemaLocation={quote}{loc}{quote}");
                        tag.find(&needle)
                            .map(|at| (at, needle.len(), format!("schemaLocation=\"{absolute}\"")))
                    }))
                }
                None => Ok(link_import(e, tag, |ns| {
                    planned
                        .iter()
                        .find(|(t, _, url)| t == ns && url != own_url)
                        .map(|(_, _, url)| url.clone())
                })),
            })?;
        write_atomically(path, text.as_bytes())?;
        out.push((tns.clone(), path.clone()));
    }
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a reader
/// (another thread or process writing the same schemas, an xmllint run) sees the old complete
/// file or the new one, never a truncated one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}-{n}", std::process::id()));
    let tmp = path.with_file_name(name);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Length of `<prefix:name` at the start of a start tag.
pub(crate) fn tag_name_len(tag: &str) -> usize {
    tag.char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || matches!(c, '/' | '>'))
        .map_or(tag.len(), |(i, _)| i)
}

/// Rewrites the schema-reference children of a schema document (`xs:import`, `xs:include`,
/// `xs:redefine`, `xs:override`) in its text: `edit` gets each element and its start tag and may
/// return (offset in the tag, length to replace, replacement). Everything else is left byte for
/// byte, so QName-valued attributes keep their prefixes.
pub(crate) fn rewrite_schema_refs<E>(
    text: &str,
    mut edit: impl FnMut(&Element, &str) -> Result<Option<(usize, usize, String)>, E>,
) -> Result<String, E> {
    let Ok(root) = xml::parse_str(text) else {
        return Ok(text.to_owned());
    };
    let mut edits = Vec::new();
    for e in root.child_elements().filter(|e| {
        e.namespace() == XS_NS
            && matches!(
                e.local_name(),
                "import" | "include" | "redefine" | "override"
            )
    }) {
        let tag = text.get(e.offset()..).unwrap_or_default();
        let tag = tag
            .get(..tag.find('>').unwrap_or(tag.len()))
            .unwrap_or_default();
        if let Some((at, len, replacement)) = edit(e, tag)? {
            edits.push((e.offset() + at, len, replacement));
        }
    }
    let mut out = text.to_owned();
    edits.sort_by_key(|(at, _, _)| *at);
    for (at, len, replacement) in edits.into_iter().rev() {
        out.replace_range(at..at + len, &replacement);
    }
    Ok(out)
}

/// For an `xs:import` without `schemaLocation`, the edit that gives it the location `locate`
/// knows for its namespace. WSDL processors resolve such imports against the other schemas of
/// `wsdl:types`; schema processors (xsd-parser, xmllint) need a location.
pub(crate) fn link_import(
    e: &Element,
    tag: &str,
    locate: impl FnOnce(&str) -> Option<String>,
) -> Option<(usize, usize, String)> {
    if e.local_name() != "import" || e.attribute("", "schemaLocation").is_some() {
        return None;
    }
    let url = locate(e.attribute("", "namespace")?)?;
    Some((tag_name_len(tag), 0, format!(" schemaLocation=\"{url}\"")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schema_documentation_is_sanitized_for_rustdoc() {
        let d = normalise_doc(
            "  Value <b>must</b> match [1],\n   see https://example.org/spec.\n\n\n  Second   paragraph ",
        );
        assert_eq!(
            d,
            "Value &lt;b&gt;must&lt;/b&gt; match \\[1\\], see <https://example.org/spec>.\n\nSecond paragraph"
        );
    }

    #[test]
    fn inline_schema_inherits_prefixes() {
        let wsdl = r#"<w:definitions xmlns:w="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:t" xmlns:xs="http://www.w3.org/2001/XMLSchema"><w:types xmlns:q="urn:q"><xs:schema targetNamespace="urn:t" xmlns:tns="urn:own"><xs:element name="e" type="tns:T"/></xs:schema></w:types></w:definitions>"#;
        let root = xml::parse_str(wsdl).unwrap();
        let types = root.child(WSDL_NS, "types").unwrap();
        let schema = types.child(XS_NS, "schema").unwrap();
        let cut = cut_schema(wsdl, schema, &Scope::new(&root).child(types));
        assert!(cut.starts_with("<xs:schema xmlns:q=\"urn:q\" xmlns:w="));
        assert!(cut.contains("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""));
        // The schema's own tns binding is kept and not duplicated.
        assert_eq!(cut.matches("xmlns:tns=").count(), 1);
        assert!(cut.contains("xmlns:tns=\"urn:own\""));
        assert!(cut.ends_with("</xs:schema>"));
    }
}

//! Generator of the `sdk-*` crates.
//!
//! A staged pipeline, one folder per stage:
//!
//! 1. Front ends, each producing the one [`model::ServiceModel`]:
//!    * SOAP: [`wsdl`] reads WSDL 1.1 documents ([`wsdl::Definitions`]: messages, port types,
//!      bindings, services, inline schemas with their inherited namespace declarations), [`xsd`]
//!      turns schemas into the model's types through xsd-parser (parser + interpreter), and
//!      [`service`] joins both;
//!    * REST: [`openapi`] reads OpenAPI 3.0 or Swagger 2.0 (normalised on input) into the same
//!      model, with JSON types;
//!    * positional string protocols (a vendor DLL's `BUSINESS_HANDLE`): [`positional`] reads a
//!      TOML description of transactions and their fields (emitted by `emit::positional_file`,
//!      outside the service model: there is no schema or message tree);
//!    * delimited text files with a header (SÚKL's DLP code lists): [`tabular`] reads a TOML
//!      description of data sets and their columns (emitted by `emit::tabular_file`, outside
//!      the service model too).
//! 2. [`model`]: operations (provenance, docs, typed errors, a SOAP or REST binding) and types
//!    (structs, enums, … with docs and personal-data marks), whatever the wire.
//! 3. [`emit`]: the model → Rust tokens (`quote`) → text (`prettyplease`), deterministic, headed
//!    `// @generated … DO NOT EDIT`; written once for both protocols, with an XML or a JSON
//!    codec per type.
//!
//! [`generate_crate`] runs all of it for one `codegen.toml`.

pub mod config;
mod docs;
pub mod emit;
pub mod import;
pub mod locate;
pub mod model;
mod names;
pub mod openapi;
mod pattern;
pub mod positional;
pub mod service;
pub mod tabular;
pub mod violations;
pub mod wsdl;
pub mod xml_samples;
pub mod xsd;

use std::path::{Path, PathBuf};

pub use config::CrateConfig;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A spec is malformed or uses something unsupported.
    #[error("{}: {message}", path.display())]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A referenced document cannot be located (a URL no catalog maps, names matching in
    /// several cases).
    #[error("{0}")]
    Locate(String),
    /// The XSD stage failed.
    #[error("XSD: {0}")]
    Xsd(String),
    /// The emitted tokens did not parse as Rust (a generator bug).
    #[error("emitted code does not parse: {0}")]
    Emit(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn spec(path: &Path, message: String) -> Self {
        Self::Spec {
            path: path.to_path_buf(),
            message,
        }
    }
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// File contents.
    pub contents: String,
}

/// Generates the files of the crate described by `spec_dir/codegen.toml`. Paths in the result
/// are relative to `workspace`; `spec_dir` is shown relative to it in headers.
pub fn generate_crate(workspace: &Path, spec_dir: &Path) -> Result<Vec<GeneratedFile>, Error> {
    with_deep_stack(|| generate_crate_on_this_stack(workspace, spec_dir))
}

/// The stack the generator runs on. Schemas nest types as deep as their authors like (a
/// chain of 500 types that each contain the next is legal XSD), and the stages walk them
/// recursively; 8 MiB (a main thread) or 2 MiB (any other) overflow long before memory
/// does. Reserved address space, not memory: pages are touched only as deep as a spec goes.
const GENERATOR_STACK: usize = 1 << 30;

/// Runs `f` on a thread with [`GENERATOR_STACK`], so that a deep spec is generated (or fails
/// with an error) instead of aborting the process.
pub(crate) fn with_deep_stack<T: Send>(
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sdk-codegen".to_owned())
            .stack_size(GENERATOR_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| Error::Emit(format!("cannot start the generator thread: {e}")))?
            .join()
            .map_err(|_| Error::Emit("the generator panicked".to_owned()))?
    })
}

fn generate_crate_on_this_stack(
    workspace: &Path,
    spec_dir: &Path,
) -> Result<Vec<GeneratedFile>, Error> {
    let config = CrateConfig::read(&spec_dir.join("codegen.toml"))?;
    let default_provenance = match &config.default_provenance {
        Some(p) => Some(model::Provenance::parse(p).ok_or_else(|| {
            Error::spec(
                &spec_dir.join("codegen.toml"),
                format!("unknown default_provenance `{p}`"),
            )
        })?),
        None => None,
    };
    // Canonical paths, so that headers show the spec folder relative to the workspace however
    // the caller spelled the two paths.
    let workspace = workspace
        .canonicalize()
        .map_err(|e| Error::io(workspace, e))?;
    let spec_dir = &spec_dir
        .canonicalize()
        .map_err(|e| Error::io(spec_dir, e))?;
    let shown_dir = spec_dir.strip_prefix(&workspace).unwrap_or(spec_dir);
    let out_dir = PathBuf::from(&config.output);
    let locations = config.locations(spec_dir)?;
    let opts = emit::Options {
        serde_feature: config.serde_feature.clone(),
    };
    let mut files = Vec::new();
    let mut modules = Vec::new();
    let mut shared = model::shared::SharedTypes::new();
    if !config.shared.is_empty() {
        let module_path = config.rust_module_path(&spec_dir.join("codegen.toml"))?;
        for sc in &config.shared {
            let source = shown(&shown_dir.join(&sc.xsd));
            let (types, contents) = shared_module(
                &spec_dir.join(&sc.xsd),
                &locations,
                &config.overlay,
                &source,
                &opts,
            )?;
            shared.add_module(&types, &format!("{module_path}::{}::types", sc.module));
            files.push(GeneratedFile {
                path: out_dir.join(format!("{}.rs", sc.module)),
                contents,
            });
            modules.push((sc.module.clone(), sc.feature.0.clone(), false));
        }
    }
    let mut service_models = Vec::new();
    for s in &config.services {
        let source = shown(&shown_dir.join(&s.wsdl));
        let provenance = match &s.provenance {
            Some(p) => Some(model::Provenance::parse(p).ok_or_else(|| {
                Error::spec(
                    &spec_dir.join("codegen.toml"),
                    format!("service `{}`: unknown provenance `{p}`", s.module),
                )
            })?),
            None => default_provenance,
        };
        let (model, contents) = service_module(
            &spec_dir.join(&s.wsdl),
            &locations,
            &config.overlay,
            provenance,
            &source,
            &opts,
            &shared,
        )?;
        files.push(GeneratedFile {
            path: out_dir.join(format!("{}.rs", s.module)),
            contents,
        });
        modules.push((s.module.clone(), s.feature.0.clone(), true));
        service_models.push(model);
    }
    if let Some(client) = &config.client {
        let services: Vec<_> = config
            .services
            .iter()
            .zip(&service_models)
            .map(|(s, model)| emit::FacadeService {
                module: &s.module,
                features: &s.feature.0,
                model,
            })
            .collect();
        files.push(GeneratedFile {
            path: out_dir.join("client.rs"),
            contents: emit::facade_file(
                client,
                &services,
                &shown(&shown_dir.join("codegen.toml")),
            )?,
        });
    }
    for o in &config.openapi {
        let source = shown(&shown_dir.join(&o.spec));
        let model = openapi::service_model(
            &spec_dir.join(&o.spec),
            &locations,
            &config.overlay,
            default_provenance,
            &source,
        )?;
        files.push(GeneratedFile {
            path: out_dir.join(format!("{}.rs", o.module)),
            contents: emit::service_file(&model, &opts)?,
        });
        modules.push((o.module.clone(), o.feature.0.clone(), true));
    }
    for p in &config.positional {
        let source = shown(&shown_dir.join(&p.spec));
        let description = positional::read(&spec_dir.join(&p.spec))?;
        files.push(GeneratedFile {
            path: out_dir.join(format!("{}.rs", p.module)),
            contents: emit::positional_file(&description, &source)?,
        });
        modules.push((p.module.clone(), p.feature.0.clone(), false));
    }
    for t in &config.tabular {
        let source = shown(&shown_dir.join(&t.spec));
        let description = tabular::read(&spec_dir.join(&t.spec))?;
        files.push(GeneratedFile {
            path: out_dir.join(format!("{}.rs", t.module)),
            contents: emit::tabular_file(&description, &source)?,
        });
        modules.push((t.module.clone(), t.feature.0.clone(), false));
    }
    for w in locations.warnings() {
        eprintln!("warning: {w}");
    }
    files.push(GeneratedFile {
        path: out_dir.join("mod.rs"),
        contents: emit::mod_file(
            &modules,
            config.client.is_some(),
            &shown_dir.display().to_string(),
        )?,
    });
    Ok(files)
}

/// A spec path as headers and docs show it: `a/specs/../unseen/x.wsdl` as `a/unseen/x.wsdl`
/// (lexically; the file was found through the original path).
fn shown(path: &Path) -> String {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out.iter().collect::<PathBuf>().display().to_string()
}

/// Reads one WSDL, builds its service model, names the types `shared` defines there, and
/// emits its module.
fn service_module(
    wsdl_path: &Path,
    locations: &locate::Locations,
    overlay: &config::Overlay,
    default_provenance: Option<model::Provenance>,
    source: &str,
    opts: &emit::Options,
    shared: &model::shared::SharedTypes,
) -> Result<(model::ServiceModel, String), Error> {
    let defs = wsdl::read_with(wsdl_path, locations)?;
    let schemas = xsd::load_with(&defs.schemas, locations)?;
    let mut model = service::build(&defs, &schemas, overlay, default_provenance, source)?;
    if let Some(roots) = model.soap_message_types() {
        shared.apply(&mut model.types, &roots);
    }
    let code = emit::service_file(&model, opts)?;
    Ok((model, code))
}

/// A schema several services share (`[[schemas]]`): every named type and global element of it
/// and of what it imports or includes, generated once.
fn shared_module(
    xsd_path: &Path,
    locations: &locate::Locations,
    overlay: &config::Overlay,
    source: &str,
    opts: &emit::Options,
) -> Result<(model::TypeModel, String), Error> {
    let schemas = xsd::load_file_with(xsd_path, locations)?;
    let mut conv = xsd::Converter::new(&schemas, overlay);
    for name in conv.global_elements(None) {
        conv.element(&name)?;
    }
    for name in conv.named_types() {
        conv.type_of(&name)?;
    }
    let types = conv.finish();
    let code = emit::shared_schema_file(&types, source, opts)?;
    Ok((types, code))
}

/// One module generated outside a `codegen.toml` crate (used by `cargo xtask conformance`).
#[derive(Debug)]
#[non_exhaustive]
pub struct Module {
    /// The module's source text.
    pub code: String,
    /// Number of generated types.
    pub types: usize,
    /// Number of operations (0 for a schema set).
    pub operations: usize,
    /// The types and names of every element a message can carry at its top level.
    pub elements: Vec<model::RootElement>,
    /// The elements are stand-ins in [`TYPE_ROOTS_NS`] for the named types of a schema that
    /// declares no elements (a validator needs a wrapper schema declaring them).
    pub synthetic_roots: bool,
    /// The model the code was generated from (for sample messages).
    pub model: model::TypeModel,
    /// Body elements no schema declares (rpc/literal wrappers, elements of document-style
    /// `type=` parts): a validator's schema must declare them.
    pub undeclared: Vec<model::UndeclaredElement>,
    /// Per SOAP operation, what its request carries: see [`SoapRequest`].
    pub requests: Vec<SoapRequest>,
}

/// The elements of a SOAP operation's request.
#[derive(Debug, Clone)]
pub struct SoapRequest {
    /// The operation's name.
    pub operation: String,
    /// The body element.
    pub body: wsdl::QName,
    /// The header blocks bound to the input, in order.
    pub headers: Vec<wsdl::QName>,
}

/// Namespace of the stand-in elements [`generate_schema_module`] gives the named types of a
/// schema without global elements: `{TYPE_ROOTS_NS}T` has type `T`.
pub const TYPE_ROOTS_NS: &str = "urn:example:conformance:type-roots";

/// Generates the module of the SOAP service described by `wsdl`, treating every operation as
/// `published`; `shown` is the path printed in the header.
pub fn generate_wsdl_module(wsdl_path: &Path, shown: &str) -> Result<Module, Error> {
    generate_wsdl_module_with(wsdl_path, shown, &locate::Locations::new())
}

/// Like [`generate_wsdl_module`], locating referenced documents through `locations`.
pub fn generate_wsdl_module_with(
    wsdl_path: &Path,
    shown: &str,
    locations: &locate::Locations,
) -> Result<Module, Error> {
    with_deep_stack(|| wsdl_module_on_this_stack(wsdl_path, shown, locations))
}

fn wsdl_module_on_this_stack(
    wsdl_path: &Path,
    shown: &str,
    locations: &locate::Locations,
) -> Result<Module, Error> {
    let (model, code) = service_module(
        wsdl_path,
        locations,
        &config::Overlay::default(),
        Some(model::Provenance::Published),
        shown,
        &emit::Options::default(),
        &model::shared::SharedTypes::new(),
    )?;
    let mut elements = Vec::new();
    let mut undeclared: Vec<model::UndeclaredElement> = Vec::new();
    let mut requests = Vec::new();
    for op in &model.operations {
        let model::OperationBinding::Soap(s) = &op.binding else {
            continue;
        };
        if let Some(body) = s.input.first() {
            requests.push(SoapRequest {
                operation: op.name.clone(),
                body: body.element.clone(),
                headers: s.input_headers.iter().map(|h| h.element.clone()).collect(),
            });
        }
        for u in &s.undeclared {
            if !undeclared.contains(u) {
                undeclared.push(u.clone());
            }
        }
        let faults = op.errors.iter().filter_map(|e| match &e.matcher {
            model::ErrorMatch::Fault(p) => Some(p),
            model::ErrorMatch::Status { .. } => None,
        });
        for p in s
            .input
            .iter()
            .chain(&s.output)
            .chain(&s.input_headers)
            .chain(faults)
        {
            if !elements
                .iter()
                .any(|e: &model::RootElement| e.name == p.element)
            {
                elements.push(model::RootElement {
                    name: p.element.clone(),
                    ty: p.ty,
                });
            }
        }
    }
    Ok(Module {
        code,
        types: model.types.types.len(),
        operations: model.operations.len(),
        elements,
        synthetic_roots: false,
        model: model.types,
        undeclared,
        requests,
    })
}

/// Generates the types of every global element of the schema `xsd_path` (and of what it
/// imports or includes); `shown` is the path printed in the header.
pub fn generate_schema_module(xsd_path: &Path, shown: &str) -> Result<Module, Error> {
    generate_schema_module_with(xsd_path, shown, &locate::Locations::new())
}

/// Like [`generate_schema_module`], locating referenced documents through `locations`.
pub fn generate_schema_module_with(
    xsd_path: &Path,
    shown: &str,
    locations: &locate::Locations,
) -> Result<Module, Error> {
    with_deep_stack(|| schema_module_on_this_stack(xsd_path, shown, locations))
}

fn schema_module_on_this_stack(
    xsd_path: &Path,
    shown: &str,
    locations: &locate::Locations,
) -> Result<Module, Error> {
    let schemas = xsd::load_file_with(xsd_path, locations)?;
    let overlay = config::Overlay::default();
    let mut conv = xsd::Converter::new(&schemas, &overlay);
    let tns = xsd::target_namespace(xsd_path)?;
    let mut elements = Vec::new();
    for name in conv.global_elements(tns.as_deref()) {
        let ty = conv.element(&name)?;
        elements.push(model::RootElement { name, ty });
    }
    let mut synthetic_roots = false;
    if elements.is_empty() {
        // A schema of types only (P1's extPL_r2.xsd): its named complex types are generated,
        // and each gets a stand-in element in TYPE_ROOTS_NS for sample messages.
        for name in conv.named_complex_types(tns.as_deref().unwrap_or_default()) {
            let ty = conv.named_type(&name)?;
            elements.push(model::RootElement {
                name: wsdl::QName::new(TYPE_ROOTS_NS, name.local.clone()),
                ty,
            });
            synthetic_roots = true;
        }
    }
    let types = conv.finish();
    let code = emit::schema_file(&types, shown, &emit::Options::default())?;
    Ok(Module {
        code,
        types: types.types.len(),
        operations: 0,
        elements,
        synthetic_roots,
        model: types,
        undeclared: Vec::new(),
        requests: Vec::new(),
    })
}

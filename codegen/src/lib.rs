//! Generator of the `sdk-*` crates.
//!
//! A staged pipeline, one folder per stage:
//!
//! 1. [`wsdl`]: WSDL 1.1 documents → [`wsdl::Definitions`] (messages, port types, bindings,
//!    services, inline schemas with their inherited namespace declarations).
//! 2. [`xsd`]: schemas → xsd-parser (parser + interpreter) → our [`model::TypeModel`].
//! 3. [`service`]: both → [`model::ServiceModel`].
//! 4. [`emit`]: the model → Rust tokens (`quote`) → text (`prettyplease`), deterministic, headed
//!    `// @generated … DO NOT EDIT`.
//!
//! [`generate_crate`] runs all of it for one `codegen.toml`.

pub mod config;
pub mod emit;
pub mod model;
mod names;
pub mod service;
pub mod wsdl;
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
    let opts = emit::Options {
        serde_feature: config.serde_feature.clone(),
    };
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for s in &config.services {
        let wsdl_path = spec_dir.join(&s.wsdl);
        let defs = wsdl::read(&wsdl_path)?;
        let schemas = xsd::load(&defs.schemas)?;
        let source = shown_dir.join(&s.wsdl).display().to_string();
        let model = service::build(
            &defs,
            &schemas,
            &config.overlay,
            default_provenance,
            &source,
        )?;
        let contents = emit::service_file(&model, &opts)?;
        files.push(GeneratedFile {
            path: out_dir.join(format!("{}.rs", s.module)),
            contents,
        });
        modules.push((s.module.clone(), model.name.clone(), source));
    }
    files.push(GeneratedFile {
        path: out_dir.join("mod.rs"),
        contents: emit::mod_file(&modules, &shown_dir.display().to_string())?,
    });
    Ok(files)
}

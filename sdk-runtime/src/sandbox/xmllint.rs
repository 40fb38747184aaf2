//! Validation with the real `xmllint` (libxml2), the independent judge of what we send.
//!
//! Installed by `scripts/install-test-tools.sh`. Documents and a driver schema importing every
//! schema given are written to a private temporary folder; xmllint's verdict and messages come
//! back as a `Result`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The SOAP 1.1 envelope schema with strictly validated Header and Body content.
pub const SOAP11_ENVELOPE_STRICT_XSD: &str =
    include_str!("../../schemas/soap11-envelope-strict.xsd");

/// Why a document did not validate, or xmllint could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmllintError {
    /// xmllint is not installed.
    #[error("xmllint is not installed; run scripts/install-test-tools.sh")]
    Missing,
    /// Writing the temporary files failed.
    #[error("cannot prepare the validation: {0}")]
    Io(#[from] std::io::Error),
    /// The document is invalid; xmllint's messages.
    #[error("xmllint rejected the document:\n{0}")]
    Invalid(String),
}

/// A schema to validate against: its namespace and file.
#[derive(Debug, Clone)]
pub struct SchemaRef {
    /// Target namespace.
    pub namespace: String,
    /// The schema file.
    pub path: PathBuf,
}

impl SchemaRef {
    /// A schema file and its target namespace.
    pub fn new(namespace: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self {
            namespace: namespace.into(),
            path: path.into(),
        }
    }
}

fn scratch_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "b2b-xmllint-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Validates `document` against the given schemas (all imported by one driver schema).
pub fn validate(document: &str, schemas: &[SchemaRef]) -> Result<(), XmllintError> {
    let dir = scratch_dir()?;
    let result = validate_in(&dir, document, schemas);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Validates a SOAP 1.1 envelope: the envelope itself and, strictly, its Header and Body
/// content against `payload_schemas`.
pub fn validate_soap11(envelope: &str, payload_schemas: &[SchemaRef]) -> Result<(), XmllintError> {
    let dir = scratch_dir()?;
    let env_xsd = dir.join("soap11-envelope-strict.xsd");
    std::fs::write(&env_xsd, SOAP11_ENVELOPE_STRICT_XSD)?;
    let mut all = vec![SchemaRef::new(crate::soap::SOAP11_NS, env_xsd)];
    all.extend(payload_schemas.iter().cloned());
    let result = validate_in(&dir, envelope, &all);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn file_url(path: &Path) -> std::io::Result<String> {
    let abs = path.canonicalize()?;
    url::Url::from_file_path(&abs)
        .map(|u| u.to_string())
        .map_err(|()| std::io::Error::other(format!("{} is not a file path", abs.display())))
}

fn validate_in(dir: &Path, document: &str, schemas: &[SchemaRef]) -> Result<(), XmllintError> {
    let mut driver = String::from(
        "<?xml version=\"1.0\"?>\n<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n",
    );
    for s in schemas {
        driver.push_str(&format!(
            "  <xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n",
            s.namespace,
            file_url(&s.path)?
        ));
    }
    driver.push_str("</xs:schema>\n");
    let driver_path = dir.join("driver.xsd");
    let doc_path = dir.join("document.xml");
    std::fs::write(&driver_path, driver)?;
    std::fs::write(&doc_path, document)?;
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&driver_path)
        .arg(&doc_path)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => XmllintError::Missing,
            _ => XmllintError::Io(e),
        })?;
    if output.status.success() {
        Ok(())
    } else {
        let mut message = String::from_utf8_lossy(&output.stderr).into_owned();
        message.push_str(&String::from_utf8_lossy(&output.stdout));
        Err(XmllintError::Invalid(message.trim().to_owned()))
    }
}

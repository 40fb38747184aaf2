//! `codegen.toml`: which WSDLs make up a crate, where the output goes, and the overlay layered
//! over the specs (module names, hand-written types for XSD simple types, sensitive elements).
//!
//! ```toml
//! output = "sdk-vzp/src/generated"
//! default_provenance = "published"     # for operations without a prov:provenance mark
//!
//! [[service]]
//! wsdl = "PrubehPojisteniDruhB2B.wsdl"
//! module = "prubeh_pojisteni"
//!
//! catalogs = ["catalog.xml"]          # OASIS XML catalogs for schemas imported by URL
//!
//! [locations]   # URL (or URL prefix ending in `/`) -> local file (or folder)
//! "http://www.example.org/schemas/" = "vendor/schemas/"
//!
//! [types]   # XSD simple type -> Rust type implementing XmlText + Validate
//! "{http://xmlns.gemsystem.cz/PrubehPojisteniDruhB2B}CisloPojistence" = "crate::CisloPojistence"
//!
//! [sensitive]   # elements/attributes holding personal data, redacted in Debug
//! elements = ["{http://xmlns.gemsystem.cz/stavSmlouvyICPICPPB2B}prijmeniJmeno"]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Error;
use crate::wsdl::QName;

/// A crate's generator configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// Output folder, relative to the workspace root.
    pub output: String,
    /// Provenance of operations whose spec carries no mark.
    #[serde(default)]
    pub default_provenance: Option<String>,
    /// Name of the crate feature that enables `serde::Serialize` on generated types.
    #[serde(default)]
    pub serde_feature: Option<String>,
    /// OASIS XML catalogs (relative to the folder of `codegen.toml`) that map the URLs specs
    /// import or reference to local files; nothing is ever fetched.
    #[serde(default)]
    pub catalogs: Vec<String>,
    /// URL → local file, or URL prefix ending in `/` → local folder (relative to the folder of
    /// `codegen.toml`), consulted before the catalogs.
    #[serde(default)]
    pub locations: BTreeMap<String, String>,
    /// Rust path of the output folder's module (`crate::generated`); derived from `output`
    /// (`<crate>/src/<path>`) when absent. Service modules name shared types by it.
    #[serde(default)]
    pub module_path: Option<String>,
    /// Schemas whose types several services share: each generated once into a module of its
    /// own, which the service modules refer to instead of generating a copy each.
    #[serde(rename = "schemas", default)]
    pub shared: Vec<SharedSchemaConfig>,
    /// The services, one generated module each.
    #[serde(rename = "service", default)]
    pub services: Vec<ServiceConfig>,
    /// OpenAPI 3.0 / Swagger 2.0 descriptions, one generated module each.
    #[serde(rename = "openapi", default)]
    pub openapi: Vec<OpenApiConfig>,
    /// Positional string protocols (a transaction code and separated fields, e.g. a vendor
    /// DLL's `BUSINESS_HANDLE`), one generated module each.
    #[serde(rename = "positional", default)]
    pub positional: Vec<PositionalConfig>,
    /// Delimited text files with a header (SÚKL's DLP code lists), one generated module per
    /// description.
    #[serde(rename = "tabular", default)]
    pub tabular: Vec<TabularConfig>,
    /// The family client over every `[[service]]` (generated into `client.rs` of the output).
    #[serde(default)]
    pub client: Option<ClientConfig>,
    /// Overlay.
    #[serde(flatten)]
    pub overlay: Overlay,
}

/// One service of a crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// WSDL file, relative to the folder of `codegen.toml`.
    pub wsdl: String,
    /// Rust module name.
    pub module: String,
    /// Cargo features the module is compiled under: one (`feature = "pzs"`) or any of several
    /// (`feature = ["pzs", "pojistovna"]`, `#[cfg(any(…))]`); none when absent.
    #[serde(default)]
    pub feature: Features,
    /// Provenance of this service's operations that carry no mark (overrides
    /// `default_provenance`): `published` for a description the authority published, imported
    /// unchanged (`cargo xtask import-pdf`).
    #[serde(default)]
    pub provenance: Option<String>,
}

/// The Cargo features a module is compiled under (any of them).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct Features(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for Features {
    fn from(v: OneOrMany) -> Self {
        match v {
            OneOrMany::One(f) => Self(vec![f]),
            OneOrMany::Many(fs) => Self(fs),
        }
    }
}

/// `[client]`: one client for every SOAP service of the crate, over one transport, with a
/// method per operation.
///
/// ```toml
/// [client]
/// authority = "VZP B2B"                     # named in docs and errors
/// base_url = "https://prod.b2b.vzp.cz"      # production host; each service's path is joined on
/// require_identity = true                   # build() refuses a builder without a certificate
/// doc = "Client of every VZP B2B service."
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The authority as docs and errors name it.
    pub authority: String,
    /// The production host.
    pub base_url: String,
    /// Whether every call needs a TLS client certificate.
    #[serde(default)]
    pub require_identity: bool,
    /// The client's documentation (first paragraph).
    #[serde(default)]
    pub doc: Option<String>,
}

/// A schema shared by several services of a crate (`[[schemas]]`): every named type and
/// global element of it (and of the schemas it imports or includes) is generated once, into
/// `module`, and a service module that reaches one of them names it there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedSchemaConfig {
    /// The XSD file, relative to the folder of `codegen.toml`.
    pub xsd: String,
    /// Rust module name.
    pub module: String,
    /// Cargo features the module is compiled under (see [`ServiceConfig::feature`]): those of
    /// the services that use it, so that a crate built for one role compiles only its types.
    #[serde(default)]
    pub feature: Features,
}

/// One OpenAPI/Swagger description of a crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenApiConfig {
    /// The description (JSON or YAML), relative to the folder of `codegen.toml`.
    pub spec: String,
    /// Rust module name.
    pub module: String,
    /// Cargo features the module is compiled under (see [`ServiceConfig::feature`]).
    #[serde(default)]
    pub feature: Features,
}

/// One positional-protocol description of a crate (`[[positional]]`, see
/// [`crate::positional`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionalConfig {
    /// The description (TOML), relative to the folder of `codegen.toml`.
    pub spec: String,
    /// Rust module name.
    pub module: String,
    /// Cargo features the module is compiled under (see [`ServiceConfig::feature`]).
    #[serde(default)]
    pub feature: Features,
}

/// One description of delimited text files (`[[tabular]]`, see [`crate::tabular`]).
///
/// ```toml
/// [[tabular]]
/// spec = "../../csv/sukl/dlp.toml"
/// module = "dlp"
/// feature = "dlp"
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabularConfig {
    /// The description (TOML), relative to the folder of `codegen.toml`.
    pub spec: String,
    /// Rust module name.
    pub module: String,
    /// Cargo features the module is compiled under (see [`ServiceConfig::feature`]).
    #[serde(default)]
    pub feature: Features,
}

/// Names, types and sensitivity layered over the specs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// `{ns}name` of an XSD simple type → path of a hand-written Rust type.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// `{ns}name` of an XSD simple type mapped in [`types`](Self::types) → a value its
    /// hand-written type accepts, for sample messages: such a type's own rules (a check digit)
    /// are stricter than the schema's facets, which alone give the samples' values.
    #[serde(default)]
    pub samples: BTreeMap<String, String>,
    /// Sensitive items.
    #[serde(default)]
    pub sensitive: Sensitive,
}

/// Elements and attributes whose values are personal data.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensitive {
    /// `{ns}local` names (attributes: `{}local` when unqualified).
    #[serde(default)]
    pub elements: Vec<String>,
}

impl Overlay {
    /// The hand-written type for an XSD type, if mapped.
    pub fn mapped_type(&self, q: &QName) -> Option<&str> {
        self.types.get(&q.to_string()).map(String::as_str)
    }

    /// `true` if the element or attribute holds personal data.
    pub fn is_sensitive(&self, q: &QName) -> bool {
        let key = q.to_string();
        self.sensitive.elements.contains(&key)
    }
}

impl CrateConfig {
    /// The catalogs and mappings of this configuration, paths taken relative to `dir` (the
    /// folder of `codegen.toml`).
    pub fn locations(&self, dir: &Path) -> Result<crate::locate::Locations, Error> {
        let mut l = crate::locate::Locations::new();
        for (url, target) in &self.locations {
            l.add_mapping(url, dir.join(target));
        }
        for c in &self.catalogs {
            l.add_catalog(&dir.join(c))?;
        }
        Ok(l)
    }

    /// The Rust path of the module of the output folder: `module_path`, or `crate::<p>` for an
    /// `output` of `<crate>/src/<p>`.
    pub fn rust_module_path(&self, config_file: &Path) -> Result<String, Error> {
        if let Some(p) = &self.module_path {
            return Ok(p.clone());
        }
        let output = self.output.replace('\\', "/");
        match output.split_once("/src/") {
            Some((_, inner)) if !inner.is_empty() => Ok(format!(
                "crate::{}",
                inner.trim_end_matches('/').replace('/', "::")
            )),
            _ => Err(Error::spec(
                config_file,
                format!(
                    "cannot tell the Rust path of `output = \"{}\"` (not `<crate>/src/<folder>`): set `module_path`",
                    self.output
                ),
            )),
        }
    }

    /// Reads `codegen.toml`.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| Error::spec(path, e.to_string()))
    }
}

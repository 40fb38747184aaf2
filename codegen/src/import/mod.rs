//! Import of published service descriptions (`cargo xtask import-pdf`): the WSDL and XSD files an
//! authority embeds in a PDF are extracted into `<spec dir>/<service>/`, the crate's
//! `codegen.toml` points the service at them marked `published` (replacing the description we
//! reconstructed, whose differences are reported), and the generator is run over the result.

pub mod contract;
pub mod diff;
pub mod pdf;

use std::path::{Path, PathBuf};

use crate::Error;

/// What an import did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportReport {
    /// The service's name (`wsdl:service`).
    pub service: String,
    /// The folder the files went to, relative to the spec folder.
    pub folder: String,
    /// The files written there.
    pub files: Vec<String>,
    /// Embedded files that are neither WSDL nor XSD, left out.
    pub skipped: Vec<String>,
    /// The crate module of the service.
    pub module: String,
    /// The description the service used before (relative to the spec folder), when it had one.
    pub replaced: Option<String>,
    /// How the published description differs from the one replaced (see
    /// [`diff::differences`]); against nothing when the service is new.
    pub differences: Vec<String>,
}

/// Imports the WSDL/XSD embedded in `pdf_path` into the crate described by
/// `spec_dir/codegen.toml`, and checks that the crate still generates.
pub fn import_pdf(
    workspace: &Path,
    spec_dir: &Path,
    pdf_path: &Path,
) -> Result<ImportReport, Error> {
    let shown = pdf_path.display().to_string();
    let size = std::fs::metadata(pdf_path)
        .map_err(|e| Error::io(pdf_path, e))?
        .len();
    if size > pdf::MAX_PDF_BYTES {
        return Err(Error::spec(
            pdf_path,
            format!("{size} bytes; at most {} are read", pdf::MAX_PDF_BYTES),
        ));
    }
    let bytes = std::fs::read(pdf_path).map_err(|e| Error::io(pdf_path, e))?;
    let all = pdf::attachments(&bytes, &shown)?;
    let kind = |name: &str| {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".wsdl") {
            Some(true)
        } else if lower.ends_with(".xsd") {
            Some(false)
        } else {
            None
        }
    };
    let (specs, skipped): (Vec<_>, Vec<_>) = all.into_iter().partition(|a| kind(&a.name).is_some());
    let skipped: Vec<String> = skipped.into_iter().map(|a| a.name).collect();
    let wsdls: Vec<&pdf::Attachment> = specs
        .iter()
        .filter(|a| kind(&a.name) == Some(true))
        .collect();
    let wsdl = match wsdls.as_slice() {
        [one] => *one,
        [] => {
            return Err(Error::spec(
                pdf_path,
                format!(
                    "no WSDL among the embedded files{}",
                    if skipped.is_empty() && specs.is_empty() {
                        " (the PDF embeds no files)".to_owned()
                    } else {
                        format!(
                            " ({})",
                            specs
                                .iter()
                                .map(|a| a.name.as_str())
                                .chain(skipped.iter().map(String::as_str))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            ));
        }
        many => {
            return Err(Error::spec(
                pdf_path,
                format!(
                    "several WSDLs ({}); import one service's PDF at a time",
                    many.iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    let root = sdk_runtime::xml::parse(&wsdl.bytes)
        .map_err(|e| Error::spec(pdf_path, format!("{}: {e}", wsdl.name)))?;
    let tns = root
        .attribute("", "targetNamespace")
        .unwrap_or("")
        .to_owned();
    let service = root
        .child_elements()
        .find(|e| e.is(diff_wsdl_ns(), "service"))
        .and_then(|s| s.attribute("", "name"))
        .or_else(|| root.attribute("", "name"))
        .map(str::to_owned)
        .unwrap_or_else(|| wsdl.name.trim_end_matches(".wsdl").to_owned());
    let folder: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    if folder.is_empty() || folder.starts_with('.') {
        return Err(Error::spec(
            pdf_path,
            format!("the service name `{service}` gives no usable folder name"),
        ));
    }

    // Where the service is configured now.
    let toml_path = spec_dir.join("codegen.toml");
    let toml_text = std::fs::read_to_string(&toml_path).map_err(|e| Error::io(&toml_path, e))?;
    let mut doc: toml_edit::DocumentMut = toml_text
        .parse()
        .map_err(|e| Error::spec(&toml_path, format!("{e}")))?;
    let mut matched: Option<(usize, String, String)> = None;
    let mut modules = Vec::new();
    if let Some(services) = doc.get("service").and_then(|s| s.as_array_of_tables()) {
        for (i, t) in services.iter().enumerate() {
            let module = t
                .get("module")
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_owned();
            modules.push(module.clone());
            let Some(path) = t.get("wsdl").and_then(|w| w.as_str()) else {
                continue;
            };
            let Ok(ours) = std::fs::read(spec_dir.join(path)) else {
                continue;
            };
            let Ok(ours) = sdk_runtime::xml::parse(&ours) else {
                continue;
            };
            let same_ns =
                !tns.is_empty() && ours.attribute("", "targetNamespace") == Some(tns.as_str());
            let same_name = ours
                .child_elements()
                .find(|e| e.is(diff_wsdl_ns(), "service"))
                .and_then(|s| s.attribute("", "name"))
                .is_some_and(|n| n.eq_ignore_ascii_case(&service));
            if matched.is_none() && (same_ns || same_name) {
                matched = Some((i, path.to_owned(), module));
            }
        }
    }

    // The files.
    let out_dir = spec_dir.join(&folder);
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::io(&out_dir, e))?;
    let mut files = Vec::new();
    for a in &specs {
        let path = out_dir.join(&a.name);
        std::fs::write(&path, &a.bytes).map_err(|e| Error::io(&path, e))?;
        files.push(a.name.clone());
    }
    let new_wsdl = format!("{folder}/{}", wsdl.name);

    // The differences from what the service used.
    let published = diff::summarize(&spec_dir.join(&new_wsdl))
        .map_err(|e| Error::spec(pdf_path, format!("the published description: {e}")))?;
    let ours = match &matched {
        Some((_, path, _)) => diff::summarize(&spec_dir.join(path))
            .map_err(|e| Error::spec(&spec_dir.join(path), e))?,
        None => diff::Summary::default(),
    };
    let differences = diff::differences(&ours, &published);

    // codegen.toml: the service at the published files.
    let (module, replaced) = match matched {
        Some((i, path, module)) => {
            let table = doc
                .get_mut("service")
                .and_then(|s| s.as_array_of_tables_mut())
                .and_then(|a| a.get_mut(i))
                .ok_or_else(|| Error::spec(&toml_path, "the service entry vanished".to_owned()))?;
            table["wsdl"] = toml_edit::value(new_wsdl.as_str());
            table["provenance"] = toml_edit::value("published");
            (module, Some(path))
        }
        None => {
            let base = crate::names::snake(&service);
            let mut module = base.clone();
            let mut n = 2;
            while modules.contains(&module) {
                module = format!("{base}_{n}");
                n += 1;
            }
            let mut table = toml_edit::Table::new();
            table["wsdl"] = toml_edit::value(new_wsdl.as_str());
            table["module"] = toml_edit::value(module.as_str());
            table["provenance"] = toml_edit::value("published");
            match doc
                .get_mut("service")
                .and_then(|s| s.as_array_of_tables_mut())
            {
                Some(array) => array.push(table),
                None => {
                    let mut array = toml_edit::ArrayOfTables::new();
                    array.push(table);
                    doc["service"] = toml_edit::Item::ArrayOfTables(array);
                }
            }
            (module, None)
        }
    };
    std::fs::write(&toml_path, doc.to_string()).map_err(|e| Error::io(&toml_path, e))?;
    // The crate must still generate; if not, codegen.toml goes back to what it was.
    if let Err(e) = crate::generate_crate(workspace, spec_dir) {
        std::fs::write(&toml_path, &toml_text).map_err(|e| Error::io(&toml_path, e))?;
        return Err(Error::spec(
            pdf_path,
            format!(
                "the published description does not generate ({e}); codegen.toml is unchanged, \
                 the extracted files are in {}",
                out_dir.display()
            ),
        ));
    }
    Ok(ImportReport {
        service,
        folder,
        files,
        skipped,
        module,
        replaced,
        differences,
    })
}

fn diff_wsdl_ns() -> &'static str {
    "http://schemas.xmlsoap.org/wsdl/"
}

/// The folder of `path` relative to `base`, for messages.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

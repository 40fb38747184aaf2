//! XSD stage: schemas go through xsd-parser (parser + interpreter); its `MetaTypes` are then
//! turned into our [`TypeModel`](crate::model::TypeModel), only for the types the operations
//! reach.
//!
//! Constructs not supported yet (choice, substitution groups, unions, `xs:any`, mixed content)
//! stop generation with an error naming the type: a type is never silently dropped or weakened.

mod convert;
mod groups;
mod resolver;

use std::collections::BTreeMap;

use xsd_parser::models::meta::{BuildInMeta, MetaTypes};
use xsd_parser::models::schema::SchemaId;
use xsd_parser::models::{IdentType, Name, TypeIdent};
use xsd_parser::{Interpreter, Parser};

pub use convert::Converter;
use convert::XS_BUILTINS;
use resolver::VirtualResolver;

use crate::Error;
use crate::locate::Locations;
use crate::wsdl::InlineSchema;

/// Interpreted schemas of one WSDL.
pub struct Schemas {
    /// xsd-parser's interpreted types.
    pub types: MetaTypes,
    /// Namespace URI of each xsd-parser namespace id.
    pub namespaces: BTreeMap<usize, String>,
    /// Attribute types that complex-content restrictions redeclare, which xsd-parser 1.5.2
    /// loses (it keeps the base's attribute and only updates its use and default): by the
    /// restricting type's (namespace, name), the attribute's local name and its type's
    /// (namespace, name). HL7's `EIVL.event` restricts `CE` and gives `code` the type
    /// `TimingEvent`.
    pub restricted_attributes: RestrictedAttributes,
    /// Named complex types declared `abstract="true"`, by (namespace, name): xsd-parser 1.5.2
    /// does not always carry the flag (HL7's `ANY`, `BIN`).
    pub abstract_types: std::collections::HashSet<(String, String)>,
    /// Elements declared at the top level of a schema, by (namespace, name): xsd-parser 1.5.2
    /// also gives a local element's anonymous simple-content type an element ident.
    pub global_elements: std::collections::HashSet<(String, String)>,
    /// Namespaces of local elements that model groups of other schema documents bring, which
    /// xsd-parser 1.5.2 gives the referencing type's namespace.
    pub group_forms: groups::GroupForms,
}

/// See [`Schemas::restricted_attributes`].
pub type RestrictedAttributes =
    std::collections::HashMap<(String, String), Vec<(String, (String, String))>>;

/// Collects [`Schemas::restricted_attributes`], [`Schemas::abstract_types`] and
/// [`Schemas::global_elements`] from the parsed
/// (not yet interpreted) schemas.
fn restricted_attributes(parsed: &xsd_parser::Schemas) -> Collected {
    use xsd_parser::models::schema::xs::{
        ComplexBaseTypeContent, ComplexContentContent, RestrictionTypeContent, SchemaContent,
    };
    let mut out = RestrictedAttributes::new();
    let mut abstract_types = std::collections::HashSet::new();
    let mut global_elements = std::collections::HashSet::new();
    for (_, info) in parsed.schemas() {
        let own_ns = schema_namespace(parsed, info);
        for content in &info.schema.content {
            if let SchemaContent::Element(e) = content
                && let Some(name) = &e.name
            {
                global_elements.insert((own_ns.clone(), name.clone()));
            }
            let SchemaContent::ComplexType(ct) = content else {
                continue;
            };
            let Some(name) = &ct.name else {
                continue;
            };
            if ct.abstract_ {
                abstract_types.insert((own_ns.clone(), name.clone()));
            }
            for c in &ct.content {
                let ComplexBaseTypeContent::ComplexContent(cc) = c else {
                    continue;
                };
                for r in &cc.content {
                    let ComplexContentContent::Restriction(r) = r else {
                        continue;
                    };
                    for rc in &r.content {
                        let RestrictionTypeContent::Attribute(a) = rc else {
                            continue;
                        };
                        let (Some(attr), Some(ty)) = (&a.inner.name, &a.inner.type_) else {
                            continue;
                        };
                        let ty_ns = ty
                            .namespace()
                            .map_or_else(|| own_ns.clone(), ToString::to_string);
                        let ty_local = String::from_utf8_lossy(ty.local_name()).into_owned();
                        out.entry((own_ns.clone(), name.clone()))
                            .or_default()
                            .push((attr.clone(), (ty_ns, ty_local)));
                    }
                }
            }
        }
    }
    Collected {
        restricted_attributes: out,
        abstract_types,
        global_elements,
    }
}

/// A parsed schema document's namespace as xsd-parser assigned it (a chameleon include's is the
/// includer's), which is also where its unqualified names live.
fn schema_namespace(
    parsed: &xsd_parser::Schemas,
    info: &xsd_parser::models::schema::SchemaInfo,
) -> String {
    parsed
        .get_namespace_info(&info.namespace_id())
        .and_then(|i| i.namespace.as_ref())
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// What [`restricted_attributes`] collects from the parsed schemas.
struct Collected {
    restricted_attributes: RestrictedAttributes,
    abstract_types: std::collections::HashSet<(String, String)>,
    global_elements: std::collections::HashSet<(String, String)>,
}

/// Parses and interprets the inline schemas of a WSDL (and everything they import or include).
pub fn load(schemas: &[InlineSchema]) -> Result<Schemas, Error> {
    load_with(schemas, &Locations::new())
}

/// Like [`load`], resolving references through `locations` (catalogs, URL mappings).
pub fn load_with(schemas: &[InlineSchema], locations: &Locations) -> Result<Schemas, Error> {
    let mut resolver = VirtualResolver::new(locations.clone());
    let mut urls = Vec::new();
    for s in schemas {
        let url = resolver.add(&s.wsdl, s.index, s.text.clone())?;
        urls.push(url);
    }
    let mut parser = Parser::new()
        .with_resolver(resolver)
        .resolve_includes(true)
        .with_default_namespaces();
    for url in urls {
        let shown = url.to_string();
        parser = parser
            .add_schema_from_url(url)
            .map_err(|e| Error::Xsd(format!("{shown}: {e}")))?;
    }
    interpret(parser.finish(), locations)
}

/// Parses and interprets a standalone schema file (and everything it imports or includes).
pub fn load_file(path: &std::path::Path) -> Result<Schemas, Error> {
    load_file_with(path, &Locations::new())
}

/// Like [`load_file`], resolving references through `locations` (catalogs, URL mappings).
pub fn load_file_with(path: &std::path::Path, locations: &Locations) -> Result<Schemas, Error> {
    let canonical = path.canonicalize().map_err(|e| Error::io(path, e))?;
    let url = url::Url::from_file_path(&canonical)
        .map_err(|()| Error::spec(path, "path cannot be a URL".to_owned()))?;
    let parser = Parser::new()
        .with_resolver(VirtualResolver::new(locations.clone()))
        .resolve_includes(true)
        .with_default_namespaces()
        .add_schema_from_url(url)
        .map_err(|e| Error::Xsd(format!("{}: {e}", path.display())))?;
    interpret(parser.finish(), locations)
}

/// The `targetNamespace` of a schema file, if it has one.
pub fn target_namespace(path: &std::path::Path) -> Result<Option<String>, Error> {
    let root = read_spec_file(path)?;
    Ok(root.attribute("", "targetNamespace").map(str::to_owned))
}

/// A WSDL or schema file as a DOM. Specs may carry a DOCTYPE (the W3C xmldsig schema does); the
/// runtime's parser refuses DTDs, so it is cut first.
pub(crate) fn read_spec_file(path: &std::path::Path) -> Result<sdk_runtime::xml::Element, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = sdk_runtime::xml::decode(&bytes).map_err(|e| Error::spec(path, e.to_string()))?;
    sdk_runtime::xml::parse_str(&strip_doctype(&text)).map_err(|e| Error::spec(path, e.to_string()))
}

/// The text without its `<!DOCTYPE …>` (internal subset included).
fn strip_doctype(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(start) = text.find("<!DOCTYPE") else {
        return std::borrow::Cow::Borrowed(text);
    };
    let rest = &text[start..];
    let end = match (rest.find('['), rest.find('>')) {
        (Some(open), Some(gt)) if open < gt => rest.find("]>").map(|i| i + 2),
        (_, Some(gt)) => Some(gt + 1),
        _ => None,
    };
    match end {
        Some(end) => std::borrow::Cow::Owned(format!("{}{}", &text[..start], &rest[end..])),
        None => std::borrow::Cow::Borrowed(text),
    }
}

fn interpret(parsed: xsd_parser::Schemas, locations: &Locations) -> Result<Schemas, Error> {
    let Collected {
        restricted_attributes,
        abstract_types,
        global_elements,
    } = restricted_attributes(&parsed);
    let group_forms = groups::collect(&parsed);
    for w in &group_forms.warnings {
        locations.warn(w.clone());
    }
    // xsd-parser 1.5.2 panics on some schemas instead of returning an error (for example
    // "Unable to get type for …" when an extension's base is not found); a generator run must
    // end with an error naming the cause, not abort.
    let interpreted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        with_xs_markers(Interpreter::new(&parsed), &parsed)
            .and_then(Interpreter::with_xs_any_type)
            .and_then(Interpreter::finish)
    }))
    .map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "unknown cause".to_owned());
        Error::Xsd(format!("xsd-parser failed: {message}"))
    })?;
    let (types, _idents) = interpreted.map_err(|e| Error::Xsd(e.to_string()))?;
    let namespaces = types
        .modules
        .iter()
        .filter_map(|(id, m)| m.namespace.as_ref().map(|ns| (id.0, ns.to_string())))
        .collect();
    Ok(Schemas {
        types,
        namespaces,
        restricted_attributes,
        abstract_types,
        global_elements,
        group_forms,
    })
}

/// Registers xsd-parser's Rust built-ins, then every XSD built-in as its own marker type
/// (`xs:date` → built-in `xs:date`), instead of xsd-parser's default typedefs: those map several
/// XSD types onto `String`, and a restriction's base is resolved through them, so a restricted
/// `xs:date` would arrive here as a string.
fn with_xs_markers<'s>(
    interpreter: Interpreter<'s>,
    parsed: &xsd_parser::Schemas,
) -> Result<Interpreter<'s>, xsd_parser::InterpreterError> {
    let mut anonymous = None;
    let mut xs = None;
    for (id, info) in parsed.namespaces() {
        match &info.namespace {
            None => anonymous = Some(*id),
            Some(ns) if ns.to_string() == crate::wsdl::XS_NS => xs = Some(*id),
            Some(_) => {}
        }
    }
    let mut interpreter = interpreter.with_buildin_types()?;
    let (Some(anonymous), Some(xs)) = (anonymous, xs) else {
        return Ok(interpreter);
    };
    for local in XS_BUILTINS {
        let marker = TypeIdent {
            ns: anonymous,
            schema: SchemaId::UNKNOWN,
            name: Name::new_named(format!("xs:{local}")),
            type_: IdentType::BuildIn,
        };
        interpreter = interpreter
            .with_type(marker.clone(), BuildInMeta::String)?
            .with_typedef(TypeIdent::type_(local).with_ns(xs), marker)?;
    }
    Ok(interpreter)
}

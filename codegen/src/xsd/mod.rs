//! XSD stage: schemas go through xsd-parser (parser + interpreter); its `MetaTypes` are then
//! turned into our [`TypeModel`](crate::model::TypeModel), only for the types the operations
//! reach.
//!
//! Constructs not supported yet (choice, substitution groups, unions, `xs:any`, mixed content)
//! stop generation with an error naming the type: a type is never silently dropped or weakened.

mod convert;
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
use crate::wsdl::InlineSchema;

/// Interpreted schemas of one WSDL.
pub struct Schemas {
    /// xsd-parser's interpreted types.
    pub types: MetaTypes,
    /// Namespace URI of each xsd-parser namespace id.
    pub namespaces: BTreeMap<usize, String>,
}

/// Parses and interprets the inline schemas of a WSDL (and everything they import or include).
pub fn load(schemas: &[InlineSchema]) -> Result<Schemas, Error> {
    let mut resolver = VirtualResolver::default();
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
    interpret(parser.finish())
}

/// Parses and interprets a standalone schema file (and everything it imports or includes).
pub fn load_file(path: &std::path::Path) -> Result<Schemas, Error> {
    let canonical = path.canonicalize().map_err(|e| Error::io(path, e))?;
    let url = url::Url::from_file_path(&canonical)
        .map_err(|()| Error::spec(path, "path cannot be a URL".to_owned()))?;
    let parser = Parser::new()
        .with_resolver(VirtualResolver::default())
        .resolve_includes(true)
        .with_default_namespaces()
        .add_schema_from_url(url)
        .map_err(|e| Error::Xsd(format!("{}: {e}", path.display())))?;
    interpret(parser.finish())
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

fn interpret(parsed: xsd_parser::Schemas) -> Result<Schemas, Error> {
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
    Ok(Schemas { types, namespaces })
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

//! WSDL definitions + interpreted schemas → [`ServiceModel`].

use crate::Error;
use crate::config::Overlay;
use crate::model::{
    ErrorCase, ErrorMatch, Field, FieldKind, OperationBinding, OperationModel, Part, Protocol,
    Provenance, ServiceModel, SoapOperation, TypeRef, UndeclaredContent, UndeclaredElement,
};
use crate::names;
use crate::wsdl::{Binding, Definitions, Message, QName, SoapVersion, Style};
use crate::xsd::{Converter, Schemas};

/// Builds the model of the first SOAP port of each service (or, without services, of each SOAP
/// binding); `source` is the spec path shown in generated headers.
pub fn build(
    defs: &Definitions,
    schemas: &Schemas,
    overlay: &Overlay,
    default_provenance: Option<Provenance>,
    source: &str,
) -> Result<ServiceModel, Error> {
    let spec = |m: String| Error::spec(&defs.path, m);
    // The first SOAP port of the first service; prefer SOAP 1.1 when a service offers both.
    let mut candidates: Vec<(&str, Option<&str>, &Binding, Option<&str>)> = Vec::new();
    for s in &defs.services {
        for p in &s.ports {
            if let Some(b) = defs.bindings.iter().find(|b| b.name == p.binding)
                && b.version.is_some()
            {
                candidates.push((&s.name.local, p.address.as_deref(), b, s.doc.as_deref()));
            }
        }
    }
    if candidates.is_empty() {
        for b in defs.bindings.iter().filter(|b| b.version.is_some()) {
            candidates.push((&b.name.local, None, b, None));
        }
    }
    let chosen = candidates
        .iter()
        .find(|c| c.2.version == Some(SoapVersion::V11))
        .or_else(|| candidates.first())
        .ok_or_else(|| spec("no SOAP binding found".to_owned()))?;
    let (service_name, address, binding, service_doc) = *chosen;
    let version = binding
        .version
        .ok_or_else(|| spec("binding is not SOAP".to_owned()))?;
    let port_type = defs
        .port_types
        .iter()
        .find(|p| p.name == binding.port_type)
        .ok_or_else(|| spec(format!("portType {} not found", binding.port_type)))?;

    let mut conv = Converter::new(schemas, overlay);
    let mut operations = Vec::new();
    let mut taken = std::collections::BTreeSet::new();
    for bop in &binding.operations {
        let pop = port_type
            .operations
            .iter()
            .find(|o| o.name == bop.name)
            .ok_or_else(|| spec(format!("operation {} not in portType", bop.name)))?;
        if bop.input.encoded || bop.output.encoded {
            return Err(spec(format!(
                "operation {}: SOAP encoding (use=\"encoded\") is not supported (rpc/encoded included): it is outside WS-I Basic Profile, which allows only literal use",
                bop.name
            )));
        }
        let rpc = bop.style == Style::Rpc;
        let message = |q: &QName| -> Result<&Message, Error> {
            defs.messages
                .iter()
                .find(|m| &m.name == q)
                .ok_or_else(|| spec(format!("message {q} not found")))
        };
        let mut undeclared = Vec::new();
        let mut body = |conv: &mut Converter<'_>,
                        msg: Option<&QName>,
                        bound: &crate::wsdl::BoundMessage,
                        suffix: &str|
         -> Result<Vec<Part>, Error> {
            let (parts, header_parts, wrapper_ns) = (
                &bound.body_parts,
                &bound.headers,
                bound.namespace.as_deref(),
            );
            let Some(q) = msg else {
                return Ok(Vec::new());
            };
            let m = message(q)?;
            let mut ids = Vec::new();
            let mut fields = Vec::new();
            let mut part_types = Vec::new();
            for p in &m.parts {
                let in_body = match parts {
                    Some(list) => list.contains(&p.name),
                    // Parts bound as headers are not in the body.
                    None => !header_parts.iter().any(|(hm, hp)| hm == q && *hp == p.name),
                };
                if !in_body {
                    continue;
                }
                if rpc {
                    // rpc/literal: every part is a child of the operation's wrapper, named
                    // after the part, unqualified (WS-I BP R2735), of the part's type.
                    let ty = p.type_.as_ref().ok_or_else(|| {
                        spec(format!(
                            "message {q} part {}: rpc/literal parts are `type=` parts (WS-I BP R2203); `element=` parts need document style",
                            p.name
                        ))
                    })?;
                    fields.push(rpc_field(&p.name, conv.type_of(ty)?));
                    part_types.push((p.name.clone(), ty.clone()));
                    continue;
                }
                match (&p.element, &p.type_) {
                    (Some(el), _) => ids.push(Part {
                        element: el.clone(),
                        ty: conv.element(el)?,
                    }),
                    // Document style with a `type=` part (outside WS-I, shipped by real
                    // services): the body holds an element named after the part, unqualified,
                    // of that type, as zeep and wsdl2java read it.
                    (None, Some(t)) => {
                        let ty = conv.type_of(t)?;
                        let TypeRef::Def(id) = ty else {
                            return Err(spec(format!(
                                "message {q} part {}: a document-style `type=` part of a simple type has no element to carry it",
                                p.name
                            )));
                        };
                        ids.push(Part {
                            element: QName::new("", p.name.clone()),
                            ty: id,
                        });
                        undeclared.push(UndeclaredElement {
                            element: QName::new("", p.name.clone()),
                            content: UndeclaredContent::Type(t.clone()),
                        });
                    }
                    (None, None) => {
                        return Err(spec(format!(
                            "message {q} part {} has neither `element=` nor `type=`",
                            p.name
                        )));
                    }
                }
            }
            if rpc {
                let ns = wrapper_ns.unwrap_or(&defs.target_ns).to_owned();
                let local = format!("{}{suffix}", bop.name);
                let id = conv.wrapper(
                    &format!("{}{suffix}Rpc", bop.name),
                    QName::new(ns.clone(), local.clone()),
                    fields,
                    format!("The rpc/literal wrapper `{local}` of operation `{}`: one element per message part.", bop.name),
                );
                ids.push(Part {
                    element: QName::new(ns.clone(), local.clone()),
                    ty: id,
                });
                undeclared.push(UndeclaredElement {
                    element: QName::new(ns, local),
                    content: UndeclaredContent::Parts(part_types),
                });
            }
            Ok(ids)
        };
        let input = body(&mut conv, pop.input.as_ref(), &bop.input, "")?;
        let output = body(&mut conv, pop.output.as_ref(), &bop.output, "Response")?;
        if input.len() != 1 || output.len() > 1 {
            return Err(spec(format!(
                "operation {}: bodies with {} input and {} output parts are not supported yet (one input, at most one output)",
                bop.name,
                input.len(),
                output.len()
            )));
        }
        let mut input_headers = Vec::new();
        for (hm, hp) in &bop.input.headers {
            let m = message(hm)?;
            let part = m
                .parts
                .iter()
                .find(|p| p.name == *hp)
                .ok_or_else(|| spec(format!("header part {hp} not in message {hm}")))?;
            if let Some(el) = &part.element {
                input_headers.push(Part {
                    element: el.clone(),
                    ty: conv.element(el)?,
                });
            }
        }
        let mut errors = Vec::new();
        for (name, fm) in &pop.faults {
            let m = message(fm)?;
            if let Some(el) = m.parts.first().and_then(|p| p.element.as_ref()) {
                errors.push(ErrorCase {
                    variant: names::camel(name),
                    label: name.clone(),
                    doc: None,
                    matcher: ErrorMatch::Fault(Part {
                        element: el.clone(),
                        ty: conv.element(el)?,
                    }),
                });
            }
        }
        let provenance = match &pop.provenance {
            Some(p) => Provenance::parse(p).ok_or_else(|| {
                spec(format!("operation {}: unknown provenance mark `{p}`", pop.name))
            })?,
            None => default_provenance.ok_or_else(|| {
                spec(format!(
                    "operation {} has no prov:provenance mark and codegen.toml sets no default_provenance",
                    pop.name
                ))
            })?,
        };
        operations.push(OperationModel {
            rust_name: names::unique(names::snake(&bop.name), &mut taken),
            name: bop.name.clone(),
            doc: pop.doc.iter().cloned().collect(),
            provenance,
            source: pop.source.clone(),
            deprecated: pop.deprecated,
            errors,
            binding: OperationBinding::Soap(SoapOperation {
                action: bop.action.clone(),
                input,
                output,
                input_headers,
                undeclared,
            }),
        });
    }
    Ok(ServiceModel {
        name: service_name.to_owned(),
        doc: service_doc
            .map(str::to_owned)
            .or_else(|| defs.doc.clone())
            .into_iter()
            .collect(),
        source: source.to_owned(),
        protocol: Protocol::Soap {
            version,
            address: address.map(str::to_owned),
        },
        operations,
        types: conv.finish(),
    })
}

/// A part of an rpc/literal message as a field of its wrapper.
fn rpc_field(name: &str, ty: TypeRef) -> Field {
    Field {
        rust_name: String::new(),
        wire: QName::new("", name.to_owned()),
        kind: FieldKind::Element,
        ty,
        min: 1,
        max: Some(1),
        nillable: false,
        doc: vec![format!("Message part `{name}`.")],
        sensitive: false,
        boxed: false,
        wildcard: None,
        default: None,
        access: Default::default(),
        undeclared: false,
    }
}

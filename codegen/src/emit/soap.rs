//! The SOAP parts of a generated module: each operation's static description and input/output
//! types, its client method, and the client.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, element_name, lit, type_name};
use crate::Error;
use crate::model::{
    OperationModel, Protocol, Provenance, ServiceModel, SoapOperation, SoapVersion,
};

/// The SOAP items of an operation's module, its client method (without docs) and its entry
/// of the module's `REQUESTS`.
pub(super) fn operation(
    model: &ServiceModel,
    op: &OperationModel,
    s: &SoapOperation,
) -> Result<(TokenStream, TokenStream, TokenStream), Error> {
    let module = format_ident!("{}", op.rust_name);
    let input_part = s
        .input
        .first()
        .ok_or_else(|| Error::Emit(format!("{}: no input", op.name)))?;
    let input = type_name(model, input_part.ty, quote!(super::super::types::))?;
    let input_el = element_name(&input_part.element);
    // A one-way operation (no output message) answers with nothing.
    let (output, output_el) = match s.output.first() {
        Some(part) => {
            let t = type_name(model, part.ty, quote!(super::super::types::))?;
            (t, element_name(&part.element))
        }
        None => (
            quote!(::sdk_runtime::soap::NoOutput),
            quote!(::sdk_runtime::soap::NO_OUTPUT),
        ),
    };
    let name = lit(&op.name);
    let version = match &model.protocol {
        Protocol::Soap {
            version: SoapVersion::V12,
            ..
        } => quote!(::sdk_runtime::soap::SoapVersion::V12),
        _ => quote!(::sdk_runtime::soap::SoapVersion::V11),
    };
    let action = match &s.action {
        Some(a) => {
            let a = lit(a);
            quote!(::std::option::Option::Some(#a))
        }
        None => quote!(::std::option::Option::None),
    };
    let provenance = match op.provenance {
        Provenance::WireVerified => quote!(::sdk_runtime::soap::Provenance::WireVerified),
        Provenance::Published => quote!(::sdk_runtime::soap::Provenance::Published),
        Provenance::Reconstructed => quote!(::sdk_runtime::soap::Provenance::Reconstructed),
    };
    let records = match s.output.first() {
        Some(part) => record_streams(model, part, version_env(&model.protocol))?,
        None => TokenStream::new(),
    };
    let inner = quote! {
        #records

        /// The operation's input: the content of the request body element.
        pub type Input = #input;
        /// The operation's output: the content of the response body element.
        pub type Output = #output;

        /// Static description of the operation.
        pub const SPEC: ::sdk_runtime::soap::OperationSpec = ::sdk_runtime::soap::OperationSpec::new(
            #name,
            #version,
            #action,
            #provenance,
            #input_el,
            #output_el,
        );
    };

    // Header blocks bound to the input become parameters before the body.
    let mut header_params = TokenStream::new();
    let mut header_list = Vec::new();
    let mut header_reads = TokenStream::new();
    let mut header_args = Vec::new();
    for part in &s.input_headers {
        let ty = type_name(model, part.ty, quote!(types::))?;
        let param = format_ident!("header_{}", crate::names::snake(&part.element.local));
        let el = element_name(&part.element);
        header_params.extend(quote!(#param: &#ty,));
        header_list.push(quote!((#el, #param as &dyn ::sdk_runtime::soap::HeaderBlock)));
        header_reads.extend(
            quote!(let #param: #ty = ::sdk_runtime::requests::soap_header(&envelope, #el)?;),
        );
        header_args.push(param);
    }
    let sender = quote! {
        ::sdk_runtime::requests::RequestSender::soap(&operation::#module::SPEC, |target, request| {
            ::std::boxed::Box::pin(async move {
                let read = (|| -> ::std::result::Result<_, ::std::string::String> {
                    let envelope = ::sdk_runtime::requests::envelope(&request)?;
                    let input: operation::#module::Input =
                        ::sdk_runtime::requests::soap_body(&operation::#module::SPEC, &envelope)?;
                    #header_reads
                    ::std::result::Result::Ok((input, #(#header_args,)*))
                })();
                let (input, #(#header_args,)*) = match read {
                    ::std::result::Result::Ok(x) => x,
                    ::std::result::Result::Err(e) => {
                        return ::sdk_runtime::requests::Sent::Unreadable(e);
                    }
                };
                let client = Client::new(target.http().clone(), target.url().clone());
                #[allow(deprecated)]
                let result = client.#module(#(&#header_args,)* &input).await;
                ::sdk_runtime::requests::Sent::soap(result)
            })
        })
    };
    let call = if header_list.is_empty() {
        quote!(self.soap.call(&operation::#module::SPEC, input).await)
    } else {
        quote!(self.soap.call_with_headers(&operation::#module::SPEC, &[#(#header_list),*], input).await)
    };
    let method = quote! {
        pub async fn #module(
            &self,
            #header_params
            input: &operation::#module::Input,
        ) -> ::std::result::Result<
            ::sdk_runtime::soap::Response<operation::#module::Output>,
            ::sdk_runtime::SdkError<operation::#module::Error>,
        > {
            #call
        }
    };
    Ok((inner, method, sender))
}

/// The local names of the envelope elements around a body element.
fn version_env(_protocol: &Protocol) -> [&'static str; 2] {
    // SOAP 1.1 and 1.2 name them alike; containers are matched by local name.
    ["Envelope", "Body"]
}

/// For each repeated complex-typed element of the output (the records of a list answer), a
/// function that streams them from a reader in memory bounded by the largest record.
fn record_streams(
    model: &ServiceModel,
    part: &crate::model::Part,
    env: [&'static str; 2],
) -> Result<TokenStream, Error> {
    use crate::model::{FieldKind, TypeKind, TypeRef};
    let mut out = TokenStream::new();
    let Some(TypeKind::Struct(st)) = model.types.get(part.ty).map(|t| &t.kind) else {
        return Ok(out);
    };
    let [envelope, body] = env;
    let wrapper = lit(&part.element.local);
    for f in &st.fields {
        let repeated = f.max.is_none_or(|m| m > 1);
        let TypeRef::Def(id) = &f.ty else { continue };
        let complex = matches!(
            model.types.get(*id).map(|t| &t.kind),
            Some(TypeKind::Struct(_) | TypeKind::Polymorphic(_) | TypeKind::Choice(_))
        );
        if f.kind != FieldKind::Element || !repeated || !complex || f.nillable {
            continue;
        }
        let ty = type_name(model, *id, quote!(super::super::types::))?;
        let func = format_ident!("{}_records", f.rust_name.trim_start_matches("r#"));
        let el = element_name(&f.wire);
        let doc = lit(&format!(
            " Streams the `{}` records of this operation's answer from `reader` (a saved \
             answer, a file, or an HTTP body read on a blocking thread), decoding one at a time \
             in memory bounded by the largest record, not the answer. \
             [`Records::finish`](::sdk_runtime::xml::Records::finish) then reads the rest of the \
             answer as [`Output`] (with an empty `{}` list).",
            f.wire.local, f.rust_name
        ));
        out.extend(quote! {
            #[doc = #doc]
            pub fn #func<R: ::std::io::BufRead>(
                reader: R,
            ) -> ::sdk_runtime::xml::Records<R, #ty> {
                ::sdk_runtime::xml::Records::new(::sdk_runtime::xml::RecordReader::new(
                    reader,
                    &[#envelope, #body, #wrapper],
                    #el,
                ))
            }
        });
    }
    Ok(out)
}

/// The client of a SOAP service.
pub(super) fn client(
    model: &ServiceModel,
    address: Option<&str>,
    methods: TokenStream,
) -> TokenStream {
    let mut doc = vec![format!(
        "Client of the `{}` service. Cheap to clone; clones share connections.",
        model.name
    )];
    // A placeholder address that is not an absolute URL gives no default endpoint.
    let parsed = address.map(|a| (a, url::Url::parse(a)));
    if let Some((a, Err(e))) = &parsed {
        doc.push(format!(
            "The description's `soap:address` (`{a}`) is not an absolute URL ({e}); pass the endpoint to [`new`](Self::new)."
        ));
    }
    let doc = doc_attrs(&doc);
    let endpoint = match parsed {
        Some((a, Ok(url))) => {
            let (a, p) = (lit(a), lit(url.path()));
            quote!(, #a, #p)
        }
        _ => TokenStream::new(),
    };
    quote! {
        ::sdk_runtime::soap_client!(#doc Client #endpoint);

        impl Client {
            #methods
        }
    }
}

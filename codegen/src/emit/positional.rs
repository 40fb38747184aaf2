//! Emits a positional-protocol description ([`crate::positional`]) as Rust: per transaction a
//! module with its `Request` (fields in order, checked before sending) and `Response` (outputs
//! by position, every field kept in `raw`), and a `Transactions` trait with a method per
//! transaction for the crate's client to implement by one `call`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, inner_doc_attrs, render};
use crate::Error;
use crate::positional::{Description, Field, Kind, Known, Transaction, encoding_label};

/// The module of `d`, generated from `source`.
pub fn positional_file(d: &Description, source: &str) -> Result<String, Error> {
    let i = &d.interface;
    let encoding = format_ident!(
        "{}",
        encoding_label(&i.encoding)
            .ok_or_else(|| Error::Emit(format!("unknown encoding {}", i.encoding)))?
    );
    let separator = i
        .separator
        .chars()
        .next()
        .ok_or_else(|| Error::Emit("empty separator".to_owned()))?;
    let library = &i.library;
    let version = &i.version;
    let buffer = i.output_buffer;
    let mut table = vec![
        "| code | transaction | method | known from | fields |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for t in &d.transactions {
        table.push(format!(
            "| `{}` | {} ({}) | [`{}`](Transactions::{}) | {} | {} |",
            t.code,
            t.name,
            t.english,
            t.method,
            t.method,
            known_text(t.provenance),
            if t.described() {
                format!("{} in, {} out", t.inputs.len(), t.outputs.len())
            } else {
                "unknown (raw)".to_owned()
            }
        ));
    }
    let mut docs = vec![
        format!("{} ({}{}).", i.name, i.version, i.date.as_deref().map(|d| format!(", {d}")).unwrap_or_default()),
        format!(
            "Requests are the transaction code and the fields joined by `{separator}`, in {}; an answer's field 0 is its status (`-1`: refused, the message in field 1), its outputs follow from position 1. The vendor library is `{library}`.",
            i.encoding
        ),
        "Known from: **client code** — a working public client builds the inputs and reads the outputs described (lengths are its truncations, not official limits; skipped positions are unknown); **table of contents** — the specification names the transaction, its fields are unknown, so its request and answer are raw fields.".to_owned(),
    ];
    docs.push(table.join("\n"));
    let module_doc = inner_doc_attrs(&docs);
    let mut modules = TokenStream::new();
    let mut methods = TokenStream::new();
    let mut list = TokenStream::new();
    let mut runs = TokenStream::new();
    for t in &d.transactions {
        let m = format_ident!("t{}", t.code.to_ascii_lowercase());
        let (code, method) = (&t.code, format_ident!("{}", t.method));
        runs.extend(quote! {
            #code => ::std::result::Result::Ok(client.#method(&#m::Request::read(line)?).map(drop)),
        });
        modules.extend(transaction_module(t, &m)?);
        let method = format_ident!("{}", t.method);
        let doc = doc_attrs(&[
            format!("`{}` {} ({}).", t.code, t.name, t.english),
            format!("See [`{m}`]."),
        ]);
        methods.extend(quote! {
            #doc
            fn #method(&self, request: &#m::Request) -> ::std::result::Result<#m::Response, Self::Error> {
                self.call(request)
            }
        });
        let (code, name, english) = (&t.code, &t.name, &t.english);
        list.extend(quote!((#code, #name, #english),));
    }
    let tokens = quote! {
        #module_doc
        /// The interface's wire conventions.
        pub const PROTOCOL: ::sdk_runtime::positional::Protocol = ::sdk_runtime::positional::Protocol {
            separator: #separator,
            encoding: ::sdk_runtime::encoding_rs::#encoding,
        };
        /// The vendor library implementing the interface.
        pub const LIBRARY: &str = #library;
        /// The specification's version.
        pub const VERSION: &str = #version;
        /// Bytes the known client allocates for an answer.
        pub const OUTPUT_BUFFER: usize = #buffer;
        /// Every transaction: code, name, English gloss.
        pub const TRANSACTIONS: &[(&str, &str, &str)] = &[#list];
        /// A method per transaction, for a client that implements [`call`](Transactions::call).
        pub trait Transactions {
            /// The client's error.
            type Error;
            /// Runs one transaction.
            fn call<R: ::sdk_runtime::positional::Transaction>(&self, request: &R) -> ::std::result::Result<R::Output, Self::Error>;
            #methods
        }
        /// Reads a request line's fields (position 0: the transaction code; see each
        /// `Request::read`) into its typed request and runs it through `client` as the
        /// transaction's method would, checked before anything is sent: for replaying captured
        /// request lines and for auditing what reaches the library. `Err` when the line is no
        /// request of a transaction of the description.
        pub fn run_line<C: Transactions>(
            client: &C,
            line: &::sdk_runtime::positional::Answer,
        ) -> ::std::result::Result<::std::result::Result<(), C::Error>, ::sdk_runtime::positional::WireError> {
            match line.get(0).unwrap_or_default() {
                #runs
                other => ::std::result::Result::Err(::sdk_runtime::positional::WireError::Field {
                    position: 0,
                    label: "transaction code",
                    text: other.chars().take(60).collect(),
                    expected: "the code of a transaction of the description",
                }),
            }
        }
        #modules
    };
    render(tokens, source)
}

/// Bytes a request reserves for a formatted field of `kind` (not text): the most an integer, a
/// flag, or a date or date and time of the years 0–9999 take; a guess for a decimal or a code
/// (a longer value grows the buffer).
fn formatted_bytes(kind: Kind) -> usize {
    match kind {
        Kind::Integer => 20,
        Kind::Decimal => 24,
        Kind::Date => 10,
        Kind::Datetime => 19,
        Kind::Flag => 1,
        Kind::Text | Kind::Code | Kind::List => 8,
    }
}

fn known_text(k: Known) -> &'static str {
    match k {
        Known::ClientCode => "client code",
        Known::Toc => "table of contents",
        Known::Unknown => "unknown",
    }
}

fn camel(name: &str) -> String {
    name.split('_')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn field_doc(f: &Field, transaction: Known) -> Vec<String> {
    let mut d = vec![format!("{} ({}).", f.label, f.english)];
    d.push(format!(
        "Known from: {}.",
        known_text(f.provenance.unwrap_or(transaction))
    ));
    let mut facts = Vec::new();
    if let Some(p) = f.position {
        facts.push(format!("position {p}"));
    }
    if let Some(m) = f.max_bytes {
        facts.push(format!("at most {m} bytes"));
    }
    if let Some(p) = &f.pattern {
        facts.push(format!("matches `{p}`"));
    }
    if let Some(s) = f.scale {
        facts.push(format!("sent with {s} fraction digits"));
    }
    if !facts.is_empty() {
        d.push(format!("Wire: {}.", facts.join(", ")));
    }
    if f.sensitive {
        d.push("Personal data: shown as `<redacted>` in `Debug` output.".to_owned());
    }
    d
}

/// The Rust type of a field's value (without `Option`).
fn value_type(f: &Field) -> TokenStream {
    match f.kind {
        Kind::Text => quote!(::std::string::String),
        Kind::Integer => quote!(i64),
        Kind::Decimal => quote!(::sdk_runtime::Decimal),
        Kind::Date => quote!(::sdk_runtime::Date),
        Kind::Datetime => quote!(::time::PrimitiveDateTime),
        Kind::Flag => quote!(bool),
        Kind::Code => {
            let t = format_ident!("{}", camel(&f.name));
            quote!(#t)
        }
        Kind::List => quote!(::std::vec::Vec<::std::string::String>),
    }
}

fn code_enum(f: &Field) -> TokenStream {
    let t = format_ident!("{}", camel(&f.name));
    let doc = doc_attrs(&[format!(
        "{} ({}): the known values; others are kept as `Unknown`.",
        f.label, f.english
    )]);
    let mut variants = TokenStream::new();
    let mut to = TokenStream::new();
    let mut from = TokenStream::new();
    for [wire, variant, meaning] in &f.values {
        let v = format_ident!("{}", variant);
        let vd = doc_attrs(&[format!("`{wire}`: {meaning}.")]);
        variants.extend(quote!(#vd #v,));
        to.extend(quote!(Self::#v => #wire,));
        from.extend(quote!(#wire => Self::#v,));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #t {
            #variants
            /// A value the description does not know, as sent or received.
            Unknown(::std::string::String),
        }
        impl #t {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self { #to Self::Unknown(s) => s }
            }
            /// The value of a wire text.
            pub fn from_wire(text: &str) -> Self {
                match text { #from other => Self::Unknown(other.to_owned()) }
            }
        }
    }
}

fn transaction_module(t: &Transaction, m: &proc_macro2::Ident) -> Result<TokenStream, Error> {
    let (code, name) = (&t.code, &t.name);
    let provenance = match t.provenance {
        Known::ClientCode => quote!(::sdk_runtime::Provenance::WireVerified),
        Known::Toc | Known::Unknown => quote!(::sdk_runtime::Provenance::Reconstructed),
    };
    let mut doc = vec![format!("Transaction `{code}` {name} ({}).", t.english)];
    doc.push(match t.provenance {
        Known::ClientCode => "**Known from client code** (wire-verified: a working public client sends these inputs and reads these outputs; names and lengths may differ from the specification).".to_owned(),
        Known::Toc => "**Known from the table of contents** (reconstructed): the specification names it; its fields are unknown, so its request and answer are raw fields.".to_owned(),
        Known::Unknown => "**Unknown**: its fields are raw.".to_owned(),
    });
    if let Some(n) = &t.note {
        doc.push(n.clone());
    }
    let mdoc = doc_attrs(&doc);
    let mut items = TokenStream::new();
    for f in t
        .inputs
        .iter()
        .chain(&t.outputs)
        .filter(|f| f.kind == Kind::Code)
    {
        items.extend(code_enum(f));
    }
    let (request, response) = if t.described() {
        (described_request(t), described_response(t))
    } else {
        (raw_request(), raw_response())
    };
    Ok(quote! {
        #mdoc
        pub mod #m {
            #[allow(unused_imports)]
            use super::*;
            #items
            #request
            impl ::sdk_runtime::positional::Transaction for Request {
                const CODE: &'static str = #code;
                const NAME: &'static str = #name;
                const PROVENANCE: ::sdk_runtime::Provenance = #provenance;
                type Output = Response;
                fn write_fields(&self, out: &mut ::sdk_runtime::positional::Fields) {
                    self.write(out);
                }
            }
            #response
        }
    })
}

fn raw_request() -> TokenStream {
    quote! {
        /// The request: its fields are not described, so they are given as text, in order
        /// (each checked to be sendable).
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub struct Request {
            /// The fields after the transaction code.
            pub fields: ::std::vec::Vec<::std::string::String>,
        }
        impl Request {
            /// A request of these fields.
            pub fn new(fields: ::std::vec::Vec<::std::string::String>) -> Self {
                Self { fields }
            }
            fn write(&self, out: &mut ::sdk_runtime::positional::Fields) {
                out.reserve(self.fields.len(), self.fields.iter().map(::std::string::String::len).sum());
                for f in &self.fields {
                    out.text("field", f);
                }
            }
            /// Reads a request from a line's fields (position 0: the transaction code, then
            /// the fields in order).
            pub fn read(line: &::sdk_runtime::positional::Answer) -> ::std::result::Result<Self, ::sdk_runtime::positional::WireError> {
                ::std::result::Result::Ok(Self { fields: line.rest(1) })
            }
        }
        impl ::sdk_runtime::xml::Validate for Request {
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                for (i, f) in self.fields.iter().enumerate() {
                    v.field(&::std::format!("field {}", i + 1), |v| super::PROTOCOL.check_text(v, f, ::std::option::Option::None));
                }
            }
        }
    }
}

fn raw_response() -> TokenStream {
    quote! {
        /// The answer: its fields are not described, so they are given as received, from
        /// position 1.
        #[derive(Clone, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub struct Response {
            /// The fields after the status.
            pub fields: ::std::vec::Vec<::std::string::String>,
        }
        impl ::std::fmt::Debug for Response {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // Undescribed fields may hold personal data: only their number is shown.
                f.debug_struct("Response").field("fields", &self.fields.len()).finish()
            }
        }
        impl ::sdk_runtime::positional::FromAnswer for Response {
            fn from_answer(answer: &::sdk_runtime::positional::Answer) -> ::std::result::Result<Self, ::sdk_runtime::positional::WireError> {
                ::std::result::Result::Ok(Self { fields: answer.rest(1) })
            }
        }
    }
}

fn debug_impl(name: &str, fields: &[&Field], raw: bool) -> TokenStream {
    let ident = format_ident!("{}", name);
    let mut chain = TokenStream::new();
    for f in fields {
        let n = format_ident!("{}", f.name);
        let label = &f.name;
        if f.sensitive {
            chain.extend(quote!(.field(#label, &::sdk_runtime::redact::REDACTED)));
        } else {
            chain.extend(quote!(.field(#label, &self.#n)));
        }
    }
    if raw {
        chain.extend(quote!(.field("raw", &self.raw.len())));
    }
    quote! {
        impl ::std::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name) #chain .finish()
            }
        }
    }
}

fn described_request(t: &Transaction) -> TokenStream {
    let mut fields = TokenStream::new();
    let mut params = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut checks = TokenStream::new();
    // What `write` reserves: the texts' lengths, and at most this much for the other fields.
    let mut fixed_bytes = 0usize;
    let mut text_bytes = Vec::new();
    let mut reads = TokenStream::new();
    for (i, f) in t.inputs.iter().enumerate() {
        let n = format_ident!("{}", f.name);
        let at = i + 1;
        let read_label = &f.label;
        let read_one = match f.kind {
            Kind::Text => quote!(line.text(#at)),
            Kind::Integer => quote!(line.integer(#at, #read_label)?),
            Kind::Decimal => quote!(line.decimal(#at, #read_label)?),
            Kind::Date => quote!(line.date(#at, #read_label)?),
            Kind::Datetime => quote!(line.datetime(#at, #read_label)?),
            Kind::Flag => quote!(line.flag(#at, #read_label)?),
            Kind::Code | Kind::List => {
                let t = value_type(f);
                quote!(line.field(#at).trimmed().map(#t::from_wire))
            }
        };
        if f.optional {
            reads.extend(quote!(#n: #read_one,));
        } else {
            reads.extend(quote! {
                #n: #read_one.ok_or_else(|| ::sdk_runtime::positional::WireError::Field {
                    position: #at,
                    label: #read_label,
                    text: ::std::string::String::new(),
                    expected: "a value (the field is required)",
                })?,
            });
        }
        match (f.kind, f.optional) {
            (Kind::Text, false) => text_bytes.push(quote!(self.#n.len())),
            (Kind::Text, true) => {
                text_bytes.push(quote!(self.#n.as_ref().map_or(0, ::std::string::String::len)));
            }
            (kind, _) => fixed_bytes += formatted_bytes(kind),
        }
        let ty = value_type(f);
        let doc = doc_attrs(&field_doc(f, t.provenance));
        let label = &f.label;
        let vname = format!("{} ({})", f.name, f.label);
        // Writes the value `v` (a reference) of this field.
        let write_one = match f.kind {
            Kind::Text => quote!(out.text(#label, v)),
            Kind::Integer => quote!(out.integer(#label, v)),
            Kind::Decimal => {
                let scale = match f.scale {
                    Some(s) => quote!(::std::option::Option::Some(#s)),
                    None => quote!(::std::option::Option::None),
                };
                quote!(out.decimal(#label, v, #scale))
            }
            Kind::Date => quote!(out.date(#label, v)),
            Kind::Datetime => quote!(out.datetime(#label, v)),
            Kind::Flag => quote!(out.flag(#label, v)),
            Kind::Code | Kind::List => quote!(out.text(#label, v.as_str())),
        };
        let max = match f.max_bytes {
            Some(m) => quote!(::std::option::Option::Some(#m)),
            None => quote!(::std::option::Option::None),
        };
        let pattern = f.pattern.as_ref().map(|p| quote!(v.pattern(value, #p);));
        let check_one = match f.kind {
            Kind::Text => quote! { super::PROTOCOL.check_text(v, value, #max); #pattern },
            Kind::Code => {
                quote! { super::PROTOCOL.check_text(v, value.as_str(), ::std::option::Option::None); }
            }
            Kind::Decimal => match f.scale {
                Some(s) => quote! { ::sdk_runtime::positional::check_decimal(v, value, #s); },
                None => quote! { let _ = value; },
            },
            _ => quote! { let _ = (value, &v); },
        };
        if f.optional {
            fields.extend(quote!(#doc pub #n: ::std::option::Option<#ty>,));
            inits.extend(quote!(#n: ::std::option::Option::None,));
            writes.extend(quote! {
                match &self.#n {
                    ::std::option::Option::Some(v) => #write_one,
                    ::std::option::Option::None => out.text(#label, ""),
                }
            });
            checks.extend(quote! {
                if let ::std::option::Option::Some(value) = &self.#n {
                    v.field(#vname, |v| { #check_one });
                }
            });
        } else {
            fields.extend(quote!(#doc pub #n: #ty,));
            params.extend(quote!(#n: #ty,));
            inits.extend(quote!(#n,));
            writes.extend(quote!({ let v = &self.#n; #write_one; }));
            checks.extend(quote! {
                { let value = &self.#n; v.field(#vname, |v| { #check_one }); }
            });
        }
    }
    let reserve = if t.inputs.is_empty() {
        TokenStream::new()
    } else {
        let count = t.inputs.len();
        let bytes = match (fixed_bytes, text_bytes.is_empty()) {
            (n, true) => quote!(#n),
            (0, false) => quote!(#(#text_bytes)+*),
            (n, false) => quote!(#n #(+ #text_bytes)*),
        };
        quote!(out.reserve(#count, #bytes);)
    };
    let refs: Vec<&Field> = t.inputs.iter().collect();
    let debug = debug_impl("Request", &refs, false);
    let doc = if t.inputs.is_empty() {
        "The request: the transaction takes no fields."
    } else {
        "The request: its fields in the order they are sent."
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub struct Request { #fields }
        impl Request {
            /// A request of the required fields; optional ones start empty.
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#params) -> Self {
                Self { #inits }
            }
            #[allow(unused_variables)]
            fn write(&self, out: &mut ::sdk_runtime::positional::Fields) {
                #reserve
                #writes
            }
            /// Reads a request from a line's fields (position 0: the transaction code, then
            /// the fields in order), leniently: text as given, a code the description does not
            /// list kept as `Unknown`; a number, decimal, date or flag without its form, or an
            /// empty required field, is an error. Sending checks the rest.
            #[allow(unused_variables)]
            pub fn read(line: &::sdk_runtime::positional::Answer) -> ::std::result::Result<Self, ::sdk_runtime::positional::WireError> {
                ::std::result::Result::Ok(Self { #reads })
            }
        }
        #debug
        impl ::sdk_runtime::xml::Validate for Request {
            #[allow(unused_variables)]
            fn validate(&self, v: &mut ::sdk_runtime::xml::Validator) {
                #checks
            }
        }
    }
}

fn described_response(t: &Transaction) -> TokenStream {
    let mut fields = TokenStream::new();
    let mut reads = TokenStream::new();
    // The positions read one by one, found in one pass over the answer (`leading`).
    let position = |f: &Field| f.position.unwrap_or(0);
    let read_one: Vec<usize> = t
        .outputs
        .iter()
        .filter(|f| f.kind != Kind::List)
        .map(position)
        .collect();
    let leading = read_one.iter().max().map(|max| {
        let n = max + 1;
        let names = (0..n).map(|i| {
            if read_one.contains(&i) {
                let v = format_ident!("f{}", i);
                quote!(#v)
            } else {
                quote!(_)
            }
        });
        quote!(let [#(#names),*] = answer.leading::<#n>();)
    });
    for f in &t.outputs {
        let n = format_ident!("{}", f.name);
        let ty = value_type(f);
        let doc = doc_attrs(&field_doc(f, t.provenance));
        let p = position(f);
        let at = format_ident!("f{}", p);
        let label = &f.label;
        let read = match f.kind {
            Kind::Text => quote!(#at.text()),
            Kind::Integer => quote!(#at.integer(#label)?),
            Kind::Decimal => quote!(#at.decimal(#label)?),
            Kind::Date => quote!(#at.date(#label)?),
            Kind::Datetime => quote!(#at.datetime(#label)?),
            Kind::Flag => quote!(#at.flag(#label)?),
            Kind::Code => {
                let t = value_type(f);
                quote!(#at.trimmed().map(#t::from_wire))
            }
            Kind::List => quote!(answer.rest(#p)),
        };
        if f.kind == Kind::List {
            fields.extend(quote!(#doc pub #n: #ty,));
        } else {
            fields.extend(quote!(#doc pub #n: ::std::option::Option<#ty>,));
        }
        reads.extend(quote!(#n: #read,));
    }
    let refs: Vec<&Field> = t.outputs.iter().collect();
    let debug = debug_impl("Response", &refs, true);
    quote! {
        /// The answer: the described outputs (absent when the field is empty or missing), and
        /// every field as received.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub struct Response {
            #fields
            /// Every field of the answer as received, the status first (positions the
            /// description does not know, fields a later version added): the answer itself,
            /// shared, not copied.
            pub raw: ::sdk_runtime::positional::Answer,
        }
        #debug
        impl ::sdk_runtime::positional::FromAnswer for Response {
            fn from_answer(answer: &::sdk_runtime::positional::Answer) -> ::std::result::Result<Self, ::sdk_runtime::positional::WireError> {
                #leading
                ::std::result::Result::Ok(Self { #reads raw: answer.clone() })
            }
        }
    }
}

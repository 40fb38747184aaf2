//! The family client of a crate (`[client]` in `codegen.toml`): one `Client` holding the client
//! of every SOAP service over one transport, a method per operation that forwards to it, an
//! accessor per service, and `Client::builder()` preset with the authority's production host and
//! rules ([`sdk_runtime::client::ClientBuilder`]). What a crate adds by hand (domain value types,
//! convenience methods taking them) goes in its own `impl Client` block outside the generated
//! folder.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, inner_doc_attrs, lit, operation_docs, render, type_name};
use crate::Error;
use crate::config::ClientConfig;
use crate::model::{OperationBinding, Protocol, ServiceModel};

/// One service of the family client.
pub struct FacadeService<'a> {
    /// Its module in the output folder.
    pub module: &'a str,
    /// The features it is compiled under (any of them); empty: always.
    pub features: &'a [String],
    /// Its model.
    pub model: &'a ServiceModel,
}

/// `#[cfg(…)]` for a module compiled under any of `features` (nothing when empty).
pub(super) fn cfg(features: &[String]) -> TokenStream {
    match features {
        [] => TokenStream::new(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// The text naming the features of a service in the docs' table.
fn features_text(features: &[String]) -> String {
    if features.is_empty() {
        "always".to_owned()
    } else {
        features
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// The `client.rs` of a crate.
pub fn facade_file(
    config: &ClientConfig,
    services: &[FacadeService<'_>],
    source: &str,
) -> Result<String, Error> {
    if url::Url::parse(&config.base_url).is_err() {
        return Err(Error::Emit(format!(
            "[client] base_url `{}` is not an absolute URL",
            config.base_url
        )));
    }
    // Method names: the operation's, unless two services share one; then the module's name
    // goes in front of each of them.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for s in services {
        for op in &s.model.operations {
            *uses.entry(op.rust_name.as_str()).or_default() += 1;
        }
    }
    let reserved = ["builder", "from_http"];
    let mut fields = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut methods = TokenStream::new();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    let mut table = String::from(
        "| service | operation | method | provenance | features |\n|---|---|---|---|---|",
    );
    for s in services {
        let Protocol::Soap { address, .. } = &s.model.protocol else {
            return Err(Error::Emit(format!(
                "[client]: `{}` is not a SOAP service; the family client holds SOAP services only",
                s.module
            )));
        };
        if address
            .as_deref()
            .and_then(|a| url::Url::parse(a).ok())
            .is_none()
        {
            return Err(Error::Emit(format!(
                "[client]: service `{}` has no absolute soap:address, so it has no path to join \
                 onto the base URL",
                s.module
            )));
        }
        let module = format_ident!("{}", s.module);
        let cfg = cfg(s.features);
        let accessor = format_ident!("{}_service", s.module);
        let accessor_doc = lit(&format!(
            " The client of the `{}` service, for its operations' full API.",
            s.model.name
        ));
        fields.extend(quote!(#cfg #module: super::#module::Client,));
        inits.extend(quote! {
            #cfg
            #module: super::#module::Client::with_base_url(http.clone(), base_url)?,
        });
        methods.extend(quote! {
            #[doc = #accessor_doc]
            #cfg
            pub fn #accessor(&self) -> &super::#module::Client {
                &self.#module
            }
        });
        claim(&mut taken, accessor.to_string(), s.module, &reserved)?;
        for op in &s.model.operations {
            let OperationBinding::Soap(binding) = &op.binding else {
                continue;
            };
            let inner = op.rust_name.trim_start_matches("r#");
            let name = if uses.get(op.rust_name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{}_{inner}", s.module)
            } else {
                op.rust_name.clone()
            };
            claim(&mut taken, name.clone(), s.module, &reserved)?;
            let method = format_ident!("{}", name.trim_start_matches("r#"));
            let method = if name.starts_with("r#") {
                format_ident!("r#{}", method)
            } else {
                method
            };
            let op_mod = format_ident!("{}", inner);
            let op_mod = if op.rust_name.starts_with("r#") {
                format_ident!("r#{}", op_mod)
            } else {
                op_mod
            };
            let mut header_params = TokenStream::new();
            let mut header_args = TokenStream::new();
            for part in &binding.input_headers {
                let ty = type_name(s.model, part.ty, quote!(super::#module::types::))?;
                let param = format_ident!("header_{}", crate::names::snake(&part.element.local));
                header_params.extend(quote!(#param: &#ty,));
                header_args.extend(quote!(#param,));
            }
            let docs = operation_docs(op);
            let forward = lit(&format!(
                " Forwards to [`{}::Client::{inner}`](super::{}::Client::{inner}).",
                s.module, s.module
            ));
            let allow = if op.deprecated {
                quote!(#[deprecated(note = "deprecated by the service description")] #[allow(deprecated)])
            } else {
                TokenStream::new()
            };
            methods.extend(quote! {
                #docs
                #[doc = ""]
                #[doc = #forward]
                #cfg
                #allow
                pub async fn #method(
                    &self,
                    #header_params
                    input: &super::#module::operation::#op_mod::Input,
                ) -> ::std::result::Result<
                    ::sdk_runtime::soap::Response<super::#module::operation::#op_mod::Output>,
                    ::sdk_runtime::SdkError<super::#module::operation::#op_mod::Error>,
                > {
                    self.#module.#op_mod(#header_args input).await
                }
            });
            table.push_str(&format!(
                "\n| `{}` | `{}` | [`{}`](Client::{}) | {} | {} |",
                s.model.name.replace('|', "\\|").replace('`', "'"),
                op.name.replace('|', "\\|").replace('`', "'"),
                name.trim_start_matches("r#"),
                name.trim_start_matches("r#"),
                op.provenance.as_str(),
                features_text(s.features),
            ));
        }
    }
    let authority = &config.authority;
    let mut doc = vec![
        config
            .doc
            .clone()
            .unwrap_or_else(|| format!("Client of every {authority} service of this crate.")),
    ];
    doc.push(format!(
        "One transport (one connection pool, one client certificate) serves every service; \
         each is reached at its path on one base URL ([`Client::PRODUCTION_BASE_URL`] unless \
         [`ClientBuilder::base_url`](::sdk_runtime::client::ClientBuilder::base_url) says \
         otherwise). Cheap to clone; clones share connections.{}",
        if config.require_identity {
            format!(
                " {authority} authenticates every call by a TLS client certificate: \
                 [`build`](::sdk_runtime::client::ClientBuilder::build) refuses a builder without \
                 [`identity`](::sdk_runtime::client::ClientBuilder::identity)."
            )
        } else {
            String::new()
        }
    ));
    doc.push(
        "A service compiled out by its Cargo features has neither its methods nor its accessor."
            .to_owned(),
    );
    doc.push(table);
    let doc = doc_attrs(&doc);
    let base = lit(&config.base_url);
    let require = if config.require_identity {
        let a = lit(authority);
        quote!(.require_identity(#a))
    } else {
        TokenStream::new()
    };
    let module_doc = inner_doc_attrs(&[format!(
        "The family client of this crate: every {authority} service over one transport."
    )]);
    let tokens = quote! {
        #module_doc

        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            #fields
        }

        /// Builds a [`Client`]: the base URL, the client certificate, trust and timeouts.
        pub type ClientBuilder = ::sdk_runtime::client::ClientBuilder<Client>;

        impl Client {
            /// The authority's production host; each service's path is joined onto it.
            pub const PRODUCTION_BASE_URL: &'static str = #base;

            /// A builder with production defaults.
            pub fn builder() -> ClientBuilder {
                ::sdk_runtime::client::ClientBuilder::new(Self::PRODUCTION_BASE_URL) #require
            }

            /// The client over an existing transport, each service at its path on `base_url`.
            pub fn from_http(
                http: ::sdk_runtime::transport::HttpClient,
                base_url: &::sdk_runtime::url::Url,
            ) -> ::std::result::Result<Self, ::sdk_runtime::url::ParseError> {
                // Both are unused when every service is compiled out.
                let _ = (&http, base_url);
                ::std::result::Result::Ok(Self { #inits })
            }

            #methods
        }

        impl ::sdk_runtime::client::FromHttp for Client {
            fn from_http(
                http: ::sdk_runtime::transport::HttpClient,
                base_url: &::sdk_runtime::url::Url,
            ) -> ::std::result::Result<Self, ::sdk_runtime::url::ParseError> {
                Client::from_http(http, base_url)
            }
        }
    };
    render(tokens, source)
}

/// Records that `module` defines the method `name`; an error when another item has it.
fn claim(
    taken: &mut BTreeMap<String, String>,
    name: String,
    module: &str,
    reserved: &[&str],
) -> Result<(), Error> {
    if reserved.contains(&name.as_str()) {
        return Err(Error::Emit(format!(
            "[client]: `{module}` would define the method `{name}`, which the client itself has"
        )));
    }
    if let Some(other) = taken.insert(name.clone(), module.to_owned()) {
        return Err(Error::Emit(format!(
            "[client]: the method `{name}` of `{module}` clashes with one of `{other}`"
        )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_clash_is_an_error_naming_both_modules() {
        let mut taken = BTreeMap::new();
        claim(&mut taken, "get_order".into(), "shop", &["builder"]).unwrap();
        let err = claim(&mut taken, "get_order".into(), "store", &["builder"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`get_order` of `store` clashes with one of `shop`"),
            "{err}"
        );
        let err = claim(&mut taken, "builder".into(), "shop", &["builder"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("which the client itself has"), "{err}");
    }
}

//! Declarative macros the generated code calls for plumbing that is the same in every generated
//! operation; the generator passes only what differs.

/// The `Error` type of one generated SOAP operation: one variant per fault the service
/// description declares (its decoded detail and the fault as received) and `Unhandled` for any
/// other fault, with `FaultError`, `Display` and `std::error::Error`.
///
/// `Variant(DetailType) = "fault name", detail element name (ElementName)`, comma-separated.
#[macro_export]
#[doc(hidden)]
macro_rules! operation_error {
    ($($variant:ident($detail:ty) = $label:literal, $element:expr);* $(;)?) => {
        /// What the service can answer instead of an output.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum Error {
            $(
                #[doc = ::std::concat!(" The fault `", $label, "` declared by the service description.")]
                $variant {
                    /// The fault's detail, decoded.
                    detail: $detail,
                    /// The fault as received.
                    fault: $crate::soap::SoapFault,
                },
            )*
            /// A fault the service description does not declare; code, message, detail
            /// and raw bytes are kept.
            Unhandled($crate::soap::SoapFault),
        }

        impl $crate::soap::FaultError for Error {
            fn from_fault(fault: $crate::soap::SoapFault) -> Self {
                $(
                    if let ::std::option::Option::Some(detail) =
                        $crate::soap::decode_detail::<$detail>(&fault, $element)
                    {
                        return Self::$variant { detail, fault };
                    }
                )*
                Self::Unhandled(fault)
            }

            fn fault(&self) -> &$crate::soap::SoapFault {
                match self {
                    $(Self::$variant { fault, .. } => fault,)*
                    Self::Unhandled(fault) => fault,
                }
            }
        }

        impl ::std::fmt::Display for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant { fault, .. } => ::std::write!(f, ::std::concat!($label, ": {}"), fault),)*
                    Self::Unhandled(fault) => ::std::write!(f, "{}", fault),
                }
            }
        }

        impl ::std::error::Error for Error {}
    };
}

/// The `Error` type of one generated REST operation: one variant per error status the service
/// description documents (the status, the body decoded, and the body as received) and
/// `Unhandled` for any other status or a body that is not what the description says, with
/// `OperationError`, `status`, `raw`, a `Debug` that shows the body's length rather than its
/// bytes, `Display` and `std::error::Error`.
///
/// `#[doc] Variant(BodyType) = status pattern, decoding function;` per status, most specific
/// first (a `_` pattern is `default`).
#[cfg(feature = "rest")]
#[macro_export]
#[doc(hidden)]
macro_rules! rest_operation_error {
    ($($(#[$meta:meta])* $variant:ident($body:ty) = $pattern:pat, $decode:path;)*) => {
        /// What the service can answer instead of an output: one variant per error status the
        /// description documents, and `Unhandled`.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Error {
            $(
                $(#[$meta])*
                $variant {
                    /// The status received.
                    status: u16,
                    /// The body, decoded.
                    body: $body,
                    /// The body as received.
                    raw: $crate::bytes::Bytes,
                },
            )*
            /// A status the description does not document, or a documented one whose body is
            /// not what the description says; status and body are kept as received.
            Unhandled {
                /// The status received.
                status: u16,
                /// The body as received.
                raw: $crate::bytes::Bytes,
            },
        }

        impl Error {
            /// The HTTP status of the answer.
            pub fn status(&self) -> u16 {
                match self {
                    $(Self::$variant { status, .. } => *status,)*
                    Self::Unhandled { status, .. } => *status,
                }
            }

            /// The body as received.
            pub fn raw(&self) -> &$crate::bytes::Bytes {
                match self {
                    $(Self::$variant { raw, .. } => raw,)*
                    Self::Unhandled { raw, .. } => raw,
                }
            }
        }

        impl $crate::rest::OperationError for Error {
            #[allow(unreachable_patterns)]
            fn documents(status: u16) -> bool {
                match status {
                    $($pattern => true,)*
                    _ => false,
                }
            }

            #[allow(unreachable_patterns)]
            fn from_response(status: u16, raw: $crate::bytes::Bytes) -> Self {
                $(
                    if ::std::matches!(status, $pattern) {
                        return match $decode(&raw) {
                            ::std::result::Result::Ok(body) => Self::$variant { status, body, raw },
                            ::std::result::Result::Err(_) => Self::Unhandled { status, raw },
                        };
                    }
                )*
                Self::Unhandled { status, raw }
            }
        }

        impl ::std::fmt::Debug for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant { status, body, raw } => f
                        .debug_struct(::std::stringify!($variant))
                        .field("status", status)
                        .field("body", body)
                        .field("raw_len", &raw.len())
                        .finish(),)*
                    Self::Unhandled { status, raw } => f
                        .debug_struct("Unhandled")
                        .field("status", status)
                        .field("raw_len", &raw.len())
                        .finish(),
                }
            }
        }

        impl ::std::fmt::Display for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant { status, raw, .. } => ::std::write!(
                        f,
                        "HTTP {} {}: {}",
                        status,
                        ::std::stringify!($variant),
                        $crate::rest::body_excerpt(raw)
                    ),)*
                    Self::Unhandled { status, raw } => ::std::write!(
                        f,
                        "HTTP {} (not documented by the service description): {}",
                        status,
                        $crate::rest::body_excerpt(raw)
                    ),
                }
            }
        }

        impl ::std::error::Error for Error {}
    };
}

/// `Display`, serde (as a string; unknown values read into the catch-all variant) and
/// `Validate` (the catch-all refused before sending) of a generated JSON string enum, given its
/// `as_str` method and `From<&str>`, the catch-all variant's name and the list of values for
/// messages.
#[cfg(feature = "rest")]
#[macro_export]
#[doc(hidden)]
macro_rules! json_enumeration_type {
    ($name:ident, $unknown:ident, $expected:literal) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }

        impl $crate::xml::Validate for $name {
            fn validate(&self, v: &mut $crate::xml::Validator) {
                if let Self::$unknown(_) = self {
                    v.violation(
                        $crate::xml::ViolationKind::Enumeration,
                        ::std::concat!("must be one of ", $expected),
                    );
                }
            }
        }
    };
}

/// Constructor, accessors and `XmlText` of a generated restricted simple type
/// `pub struct Name(Base)` (its `Validate` impl holds the facets and stays generated).
#[macro_export]
#[doc(hidden)]
macro_rules! restricted_type {
    ($name:ident, $base:ty) => {
        impl $name {
            /// Checks the value against the type's constraints.
            pub fn new(
                value: impl ::std::convert::Into<$base>,
            ) -> ::std::result::Result<Self, $crate::xml::ValidationError> {
                let value = Self(value.into());
                $crate::xml::Validate::validated(&value)?;
                ::std::result::Result::Ok(value)
            }

            /// The value.
            pub fn get(&self) -> &$base {
                &self.0
            }

            /// The value, consuming `self`.
            pub fn into_inner(self) -> $base {
                self.0
            }
        }

        impl $crate::xml::XmlText for $name {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                $crate::xml::XmlText::to_xml_text(&self.0)
            }
            fn from_xml_text(text: &str) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                $crate::xml::restricted_from_text(text, Self)
            }
            fn from_xml_text_lenient(
                text: &str,
                cx: &mut $crate::xml::ReadContext,
            ) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                $crate::xml::restricted_from_text_lenient(text, cx, Self)
            }
        }
    };
}

/// `Display`, `XmlText` (strict: unknown values refused; lenient: kept as `Unknown` with a
/// diagnostic) and `Validate` (`Unknown` refused before sending) of a generated enumeration,
/// given its `as_str`/`known` methods and the list of values for messages.
#[macro_export]
#[doc(hidden)]
macro_rules! enumeration_type {
    ($name:ident, $expected:literal) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::xml::XmlText for $name {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
            fn from_xml_text(text: &str) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                Self::known(text.trim()).ok_or_else(|| {
                    $crate::xml::ValueError::new(::std::format!(
                        "`{}` is not one of {}",
                        text.trim(),
                        $expected
                    ))
                })
            }
            fn from_xml_text_lenient(
                text: &str,
                cx: &mut $crate::xml::ReadContext,
            ) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                ::std::result::Result::Ok(Self::known(text.trim()).unwrap_or_else(|| {
                    cx.diagnose(
                        $crate::xml::DiagnosticKind::InvalidValue,
                        ::std::concat!(
                            "value not in the enumeration (",
                            $expected,
                            "); kept as Unknown"
                        ),
                    );
                    Self::Unknown(text.trim().to_owned())
                }))
            }
        }

        impl $crate::xml::Validate for $name {
            fn validate(&self, v: &mut $crate::xml::Validator) {
                if let Self::Unknown(_) = self {
                    v.violation(
                        $crate::xml::ViolationKind::Enumeration,
                        ::std::concat!("must be one of ", $expected),
                    );
                }
            }
        }
    };
}

/// The `Client` struct of a generated SOAP service with its constructors: `new`, `endpoint`,
/// and, when the description gives an absolute `soap:address`, `DEFAULT_ENDPOINT`,
/// `ENDPOINT_PATH` and `with_base_url`. The operations are a separate `impl` block.
#[macro_export]
#[doc(hidden)]
macro_rules! soap_client {
    ($(#[$meta:meta])* $name:ident $(, $address:literal, $path:literal)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            soap: $crate::soap::SoapClient,
        }

        impl $name {
            $(
                /// The endpoint in the service description.
                pub const DEFAULT_ENDPOINT: &'static str = $address;
                /// The path of [`DEFAULT_ENDPOINT`](Self::DEFAULT_ENDPOINT), joined onto other
                /// hosts by [`with_base_url`](Self::with_base_url).
                pub const ENDPOINT_PATH: &'static str = $path;

                /// A client for the service's path on another host or behind a proxy
                /// (`base` + [`ENDPOINT_PATH`](Self::ENDPOINT_PATH)).
                pub fn with_base_url(
                    http: $crate::transport::HttpClient,
                    base: &$crate::url::Url,
                ) -> ::std::result::Result<Self, $crate::url::ParseError> {
                    let endpoint = $crate::soap::endpoint_url(base, Self::ENDPOINT_PATH)?;
                    ::std::result::Result::Ok(Self::new(http, endpoint))
                }
            )?

            /// A client for `endpoint`.
            pub fn new(http: $crate::transport::HttpClient, endpoint: $crate::url::Url) -> Self {
                Self {
                    soap: $crate::soap::SoapClient::new(http, endpoint),
                }
            }

            /// The endpoint this client calls.
            pub fn endpoint(&self) -> &$crate::url::Url {
                self.soap.endpoint()
            }

            /// The SOAP client underneath (same transport and endpoint), for envelopes the
            /// caller writes itself — signed ones, say — and sends with
            /// [`SoapClient::send`]($crate::soap::SoapClient::send).
            pub fn soap(&self) -> &$crate::soap::SoapClient {
                &self.soap
            }
        }
    };
}

/// The plumbing of a hand-written checked text type (a newtype over `String` with an inherent
/// `parse(&str) -> Result<Self, ValidationError>` and `check(&self, &mut Validator)` holding
/// its rules): `Validate` under the field name `$field`, `FromStr`, `XmlText` with strict
/// parsing and lenient reading (a broken rule becomes a diagnostic, the trimmed value is kept,
/// sending re-validates), and `serde::Serialize` as a string when the calling crate's `serde`
/// feature is on. Used by the SDKs' identifier types (VZP insured-person numbers, PESEL, …).
#[doc(hidden)]
#[macro_export]
macro_rules! checked_text_type {
    ($t:ident, $field:expr) => {
        impl $crate::xml::Validate for $t {
            fn validate(&self, v: &mut $crate::xml::Validator) {
                self.check(v);
            }

            fn validated(&self) -> ::std::result::Result<(), $crate::xml::ValidationError> {
                let mut v = $crate::xml::Validator::new();
                v.field($field, |v| self.check(v));
                v.finish()
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::xml::ValidationError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl $crate::xml::XmlText for $t {
            fn to_xml_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(&self.0)
            }

            fn from_xml_text(text: &str) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                Self::parse(text).map_err(|e| $crate::xml::ValueError::new(e.to_string()))
            }

            fn from_xml_text_lenient(
                text: &str,
                cx: &mut $crate::xml::ReadContext,
            ) -> ::std::result::Result<Self, $crate::xml::ValueError> {
                $crate::xml::restricted_from_text_lenient(text.trim(), cx, Self)
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

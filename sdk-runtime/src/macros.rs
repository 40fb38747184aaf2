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

//! The typed operation methods the P1 clients share.

/// One method per operation on the `Client` in scope (calling its `call` with the operation's
/// `SPEC`), `MaWynik` for each output, and `OPERATIONS`, the list of their specifications.
/// `op` must name the generated `operation` module; `Client`, `Error`, `Response`,
/// `OperationSpec` and `MaWynik` must be in scope.
#[cfg(any(feature = "erecepta", feature = "cer"))]
macro_rules! p1_operations {
    (
        kontekst: $kontekst:ty,
        wynik: $wynik:ty,
        path: $path:literal,
        service: $service:literal,
        ops: { $($(#[$doc:meta])* $method:ident;)* }
    ) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                #[doc = ::std::concat!(
                    "Input, output and the full description: [`", $path, "::operation::",
                    ::std::stringify!($method), "`](crate::", $path, "::operation::",
                    ::std::stringify!($method), ")."
                )]
                pub async fn $method(
                    &self,
                    kontekst: &$kontekst,
                    input: &op::$method::Input,
                ) -> Result<Response<op::$method::Output>, Error> {
                    self.call(&op::$method::SPEC, kontekst, input).await
                }
            )*
        }

        $(
            impl MaWynik for op::$method::Output {
                type Wynik = $wynik;
                fn wynik(&self) -> &$wynik {
                    &self.wynik
                }
            }
        )*

        #[doc = ::std::concat!(
            "The specification of every ", $service, " operation, in the order of the WSDL."
        )]
        pub const OPERATIONS: &[&OperationSpec] = &[$(&op::$method::SPEC),*];
    };
}

#[cfg(any(feature = "erecepta", feature = "cer"))]
pub(crate) use p1_operations;

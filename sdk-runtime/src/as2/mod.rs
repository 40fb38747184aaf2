//! AS2 (RFC 4130): EDI payloads sent over HTTP(S) as S/MIME (compressed, signed and encrypted as
//! two trading partners agreed), acknowledged by a message disposition notification (MDN) that
//! returns the message integrity check (MIC), synchronously in the HTTP response or
//! asynchronously by a request of its own.
//!
//! * [`message::build`] packs a payload for a [`Partner`]; [`message::open`] opens and checks a
//!   received one, giving what a receipt needs even when it must be refused.
//! * [`mdn::build`] writes the receipt; [`mdn::parse`] reads one and
//!   [`mdn::MdnOutcome::confirms`] checks it against the MIC kept from sending.
//! * `store` (feature `as2-store`): what we send kept until its receipt confirms it (sent again
//!   after a crash), what we receive kept once by `Message-ID`, on one SQLite file.
//! * [`crypto`]: CMS signatures (RSA, SHA-256; SHA-1/384/512 read), enveloped data (AES-CBC
//!   sent; AES-CBC and 3DES-CBC read), zlib compression.
//!
//! Interoperability is tested against pyas2lib in both directions (`tests/as2_pyas2lib.rs`).

pub mod crypto;
pub mod exchange;
pub mod mdn;
pub mod message;
pub mod mime;
#[cfg(feature = "as2-store")]
pub mod store;

use std::sync::Arc;

pub use crypto::{Cipher, DecryptionKey, Digest};

use crate::wssec::SigningIdentity;

/// Why an AS2 operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum As2Error {
    /// The MIME structure is not what AS2 requires.
    #[error("AS2 MIME: {0}")]
    Mime(String),
    /// A CMS structure could not be built or read.
    #[error("CMS: {0}")]
    Cms(String),
    /// A signature does not verify, or the signer is not the partner.
    #[error("signature: {0}")]
    Signature(String),
    /// The content does not match its signed digest: altered in transit.
    #[error("integrity check failed: {0}")]
    Integrity(String),
    /// Encrypted content could not be opened.
    #[error("decryption failed: {0}")]
    Decryption(String),
    /// Less protection than the agreement requires (unsigned, unencrypted).
    #[error("insufficient message security: {0}")]
    InsufficientSecurity(String),
    /// No agreement with the sender, or the message is not for us.
    #[error("unknown trading partner: {0}")]
    UnknownPartner(String),
    /// An algorithm or construct this implementation does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The local settings cannot do what the agreement asks.
    #[error("AS2 settings: {0}")]
    Config(String),
    /// The durable store failed (see [`store`]).
    #[error("AS2 store: {0}")]
    Store(String),
    /// Content inflates past the limit.
    #[error("the content inflates past {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
}

/// Our side of an agreement: our AS2 identifier and keys.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LocalParty {
    /// Our AS2 identifier (`AS2-From` of what we send).
    pub as2_id: String,
    /// The key we sign messages and receipts with.
    pub signing: Option<SigningIdentity>,
    /// The key that opens what partners encrypt for us.
    pub decryption: Option<Arc<DecryptionKey>>,
}

impl LocalParty {
    /// Our party with identifier `as2_id` and no keys yet.
    pub fn new(as2_id: impl Into<String>) -> Self {
        Self {
            as2_id: as2_id.into(),
            signing: None,
            decryption: None,
        }
    }

    /// Signs with `identity`.
    #[must_use]
    pub fn signing(mut self, identity: SigningIdentity) -> Self {
        self.signing = Some(identity);
        self
    }

    /// Opens encrypted content with `key`.
    #[must_use]
    pub fn decryption(mut self, key: DecryptionKey) -> Self {
        self.decryption = Some(Arc::new(key));
        self
    }
}

/// How a receipt is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MdnMode {
    /// No receipt.
    None,
    /// In the HTTP response.
    Sync,
    /// POSTed to `url` later.
    Async {
        /// Our receipt endpoint.
        url: String,
    },
}

/// An agreement with a trading partner.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Partner {
    /// The partner's AS2 identifier.
    pub as2_id: String,
    /// The partner's signing certificates (DER): signatures by anyone else are refused.
    pub certificates: Vec<Vec<u8>>,
    /// The certificate to encrypt for (DER).
    pub encryption_certificate: Option<Vec<u8>>,
    /// Sign what we send (default: yes).
    pub sign: bool,
    /// Encrypt what we send, with this cipher (default: AES-256-CBC).
    pub encrypt: Option<Cipher>,
    /// Compress what we send before signing (default: no).
    pub compress: bool,
    /// The receipt to ask for (default: synchronous).
    pub mdn: MdnMode,
    /// Ask for a signed receipt (default: yes), and refuse an unsigned one.
    pub signed_mdn: bool,
    /// Refuse unsigned messages from the partner (default: yes).
    pub require_signed: bool,
    /// Refuse unencrypted messages from the partner (default: yes).
    pub require_encrypted: bool,
    /// `Subject` of what we send.
    pub subject: String,
}

impl Partner {
    /// An agreement with `as2_id` whose certificate (DER) both verifies its signatures and
    /// receives our encrypted messages: everything signed and encrypted, signed synchronous
    /// receipts.
    pub fn new(as2_id: impl Into<String>, certificate: Vec<u8>) -> Self {
        Self {
            as2_id: as2_id.into(),
            certificates: vec![certificate.clone()],
            encryption_certificate: Some(certificate),
            sign: true,
            encrypt: Some(Cipher::Aes256Cbc),
            compress: false,
            mdn: MdnMode::Sync,
            signed_mdn: true,
            require_signed: true,
            require_encrypted: true,
            subject: "AS2 message".to_owned(),
        }
    }
}

/// `n` random bytes as hex.
pub(crate) fn random_hex(n: usize) -> String {
    use std::fmt::Write as _;
    let mut bytes = vec![0u8; n];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

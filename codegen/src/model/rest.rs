//! The REST parts of the model: how a service described by OpenAPI is reached (servers,
//! security schemes) and how each operation goes on the wire (method, path, parameters, body,
//! success responses). Error statuses are the operation's [`ErrorCase`](super::ErrorCase)s.

use super::{TypeId, TypeRef};

/// A REST service.
#[derive(Debug, Default)]
pub struct RestService {
    /// `info.version`.
    pub version: String,
    /// Servers with their descriptions (variables replaced by their defaults).
    pub servers: Vec<(String, Option<String>)>,
    /// Security schemes.
    pub schemes: Vec<Scheme>,
    /// Component schemas: (name, type).
    pub components: Vec<(String, TypeId)>,
    /// The description is Swagger 2.0 (normalised to OpenAPI 3.0 on input).
    pub swagger2: bool,
}

/// The wire of one REST operation.
#[derive(Debug, Clone)]
pub struct RestOperation {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path template (`/hlaseni/{id}`).
    pub path: String,
    /// Parameters (path, query, header, cookie).
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<Body>,
    /// Rust name of the body field in the input.
    pub body_field: String,
    /// Success (2xx) responses; the others are the operation's errors.
    pub responses: Vec<Resp>,
    /// Alternatives, each a list of (scheme, scopes).
    pub security: Vec<Vec<(String, Vec<String>)>>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// An HTTP header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust field name in the input.
    pub rust: String,
    /// Where it goes.
    pub location: Location,
    /// Required (path parameters always are).
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// `explode` (arrays as repeated parameters).
    pub explode: bool,
    /// Documentation.
    pub doc: Vec<String>,
    /// Personal data: redacted in `Debug` of the input.
    pub sensitive: bool,
}

/// One field of a form or multipart body, flattened into the operation's input.
#[derive(Debug, Clone)]
pub struct FormField {
    /// Wire name.
    pub wire: String,
    /// Rust field name in the input.
    pub rust: String,
    /// Required.
    pub required: bool,
    /// `None` for binary (`format: binary`) parts.
    pub ty: Option<TypeRef>,
    /// Multipart: sent as a JSON part (objects, arrays of objects).
    pub json: bool,
    /// Documentation.
    pub doc: Vec<String>,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON.
    Json {
        /// Media type.
        content_type: String,
        /// Its type.
        ty: TypeRef,
        /// Required.
        required: bool,
        /// Pointer of its schema in the original document.
        pointer: Option<String>,
    },
    /// `application/x-www-form-urlencoded`.
    Form {
        /// The fields.
        fields: Vec<FormField>,
    },
    /// `multipart/form-data`.
    Multipart {
        /// The fields.
        fields: Vec<FormField>,
    },
    /// Text.
    Text {
        /// Media type.
        content_type: String,
        /// Required.
        required: bool,
    },
    /// Bytes.
    Bytes {
        /// Media type.
        content_type: String,
        /// Required.
        required: bool,
    },
}

/// A response status of the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// One status.
    Exact(u16),
    /// `1XX` … `5XX`: the hundreds digit.
    Range(u16),
    /// `default`: any status the description does not list.
    Default,
}

impl Code {
    /// As the description writes it: `404`, `5XX`, `default`.
    pub fn label(self) -> String {
        match self {
            Code::Exact(c) => c.to_string(),
            Code::Range(n) => format!("{n}XX"),
            Code::Default => "default".into(),
        }
    }

    /// Whether the status is a success (2xx) status.
    pub fn is_success(self) -> bool {
        match self {
            Code::Exact(c) => (200..300).contains(&c),
            Code::Range(n) => n == 2,
            Code::Default => false,
        }
    }
}

/// A response body.
#[derive(Debug, Clone)]
pub enum ResponseBody {
    /// None.
    None,
    /// JSON.
    Json {
        /// Its type.
        ty: TypeRef,
        /// Pointer of its schema in the original document.
        pointer: Option<String>,
    },
    /// Text.
    Text,
    /// Bytes of any other media type.
    Bytes,
}

/// A documented success response.
#[derive(Debug, Clone)]
pub struct Resp {
    /// Its status.
    pub code: Code,
    /// Rust variant name (`Ok`, `Created`, …) when an operation has several.
    pub variant: String,
    /// Its body.
    pub body: ResponseBody,
    /// Its description.
    pub doc: String,
}

/// What a security scheme is.
#[derive(Debug, Clone)]
pub enum SchemeModel {
    /// HTTP authentication (`basic`, `bearer`, …).
    Http {
        /// The scheme.
        scheme: String,
        /// `bearerFormat`.
        bearer_format: Option<String>,
    },
    /// An API key.
    ApiKey {
        /// Parameter name.
        name: String,
        /// Where it goes.
        location: Location,
    },
    /// OAuth 2.0.
    OAuth2 {
        /// The flows.
        flows: Vec<FlowModel>,
    },
    /// OpenID Connect.
    OpenIdConnect {
        /// Discovery URL.
        url: String,
    },
    /// Mutual TLS.
    MutualTls,
}

/// An OAuth 2.0 flow.
#[derive(Debug, Clone)]
pub struct FlowModel {
    /// `implicit`, `password`, `clientCredentials`, `authorizationCode`.
    pub kind: String,
    /// `authorizationUrl`.
    pub authorization_url: Option<String>,
    /// `tokenUrl`.
    pub token_url: Option<String>,
    /// `refreshUrl`.
    pub refresh_url: Option<String>,
    /// Scopes and their descriptions.
    pub scopes: Vec<(String, String)>,
}

/// A security scheme.
#[derive(Debug, Clone)]
pub struct Scheme {
    /// Its name in the description.
    pub name: String,
    /// SCREAMING_SNAKE constant name.
    pub constant: String,
    /// Its description.
    pub doc: Option<String>,
    /// What it is.
    pub model: SchemeModel,
}

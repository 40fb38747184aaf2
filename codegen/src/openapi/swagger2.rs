//! Swagger 2.0 → OpenAPI 3.0: one model for the rest of the front end.
//!
//! Written by hand on `serde_json::Value` (no converter crate does this without pulling a web of
//! dependencies, and the mapping is small):
//!
//! | Swagger 2.0 | OpenAPI 3.0 |
//! |---|---|
//! | `host`, `basePath`, `schemes` | `servers` (one per scheme; `https` when none is given) |
//! | `definitions` | `components/schemas`, every `#/definitions/X` → `#/components/schemas/X` |
//! | parameter `in: body` | `requestBody`, one media type per `consumes` |
//! | parameters `in: formData` | a form body: `multipart/form-data` when a file is among them or `consumes` says so, else `application/x-www-form-urlencoded` |
//! | other parameters' `type`/`format`/`items`/`enum`/… | `schema`; `collectionFormat` → `style`/`explode` |
//! | `consumes`/`produces` (operation over document) | media types of the request body and responses |
//! | response `schema` | `content`, one media type per `produces` |
//! | `securityDefinitions` | `components/securitySchemes` (`basic` → `http`/`basic`; OAuth flows renamed) |
//! | `#/parameters/X`, `#/responses/X` | resolved in place |
//! | `x-nullable`, `type: file`, string `discriminator` | `nullable`, `string`/`binary`, `{propertyName}` |
//!
//! Every media type made from a body parameter or a response schema records where the schema
//! sits in the *original* document under [`ORIGIN`], for samples validated against it.

use serde_json::{Map, Value, json};

/// Extension key recording the JSON pointer (into the original document) of a body schema.
pub const ORIGIN: &str = "x-sdk-origin";

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Escapes one JSON-pointer token (RFC 6901).
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Converts a Swagger 2.0 document into an OpenAPI 3.0.3 document.
pub fn normalise(doc: &Value) -> Result<Value, String> {
    let root = doc
        .as_object()
        .ok_or("a Swagger document must be a JSON object")?;
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert(
        "info".into(),
        root.get("info")
            .cloned()
            .unwrap_or_else(|| json!({"title": "API", "version": "0"})),
    );
    out.insert("servers".into(), Value::Array(servers(root)));
    for key in ["tags", "externalDocs", "security"] {
        if let Some(v) = root.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for (k, v) in root {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }

    let mut components = Map::new();
    if let Some(defs) = root.get("definitions").and_then(Value::as_object) {
        let schemas: Map<String, Value> =
            defs.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    if let Some(sec) = root.get("securityDefinitions").and_then(Value::as_object) {
        let mut schemes = Map::new();
        for (k, v) in sec {
            schemes.insert(k.clone(), security_scheme(v)?);
        }
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }

    let global = Globals {
        root,
        consumes: media_list(root.get("consumes")),
        produces: media_list(root.get("produces")),
    };
    let mut paths = Map::new();
    if let Some(ps) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in ps {
            if path.starts_with("x-") {
                continue;
            }
            let item = item
                .as_object()
                .ok_or_else(|| format!("paths/{path} is not an object"))?;
            let mut new_item = Map::new();
            let shared: Vec<(String, Value)> = item
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .enumerate()
                        .map(|(i, p)| {
                            (
                                format!("/paths/{}/parameters/{i}", pointer_token(path)),
                                p.clone(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            for (key, op) in item {
                if METHODS.contains(&key.as_str()) {
                    let base = format!("/paths/{}/{key}", pointer_token(path));
                    new_item.insert(key.clone(), operation(&global, op, &shared, &base)?);
                } else if key.starts_with("x-") {
                    new_item.insert(key.clone(), op.clone());
                }
            }
            paths.insert(path.clone(), Value::Object(new_item));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    Ok(Value::Object(out))
}

struct Globals<'a> {
    root: &'a Map<String, Value>,
    consumes: Vec<String>,
    produces: Vec<String>,
}

fn media_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn servers(root: &Map<String, Value>) -> Vec<Value> {
    let base_path = root
        .get("basePath")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim_end_matches('/');
    match root.get("host").and_then(Value::as_str) {
        Some(host) => {
            let mut schemes = media_list(root.get("schemes"));
            if schemes.is_empty() {
                schemes.push("https".into());
            }
            schemes
                .iter()
                .map(|s| json!({ "url": format!("{s}://{host}{base_path}") }))
                .collect()
        }
        None => vec![json!({ "url": if base_path.is_empty() { "/" } else { base_path } })],
    }
}

fn security_scheme(v: &Value) -> Result<Value, String> {
    let o = v
        .as_object()
        .ok_or("a security definition is not an object")?;
    let mut out = Map::new();
    if let Some(d) = o.get("description") {
        out.insert("description".into(), d.clone());
    }
    match o.get("type").and_then(Value::as_str) {
        Some("basic") => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!("basic"));
        }
        Some("apiKey") => {
            out.insert("type".into(), json!("apiKey"));
            out.insert("name".into(), o.get("name").cloned().unwrap_or(json!("")));
            out.insert("in".into(), o.get("in").cloned().unwrap_or(json!("header")));
        }
        Some("oauth2") => {
            let flow = match o.get("flow").and_then(Value::as_str) {
                Some("implicit") => "implicit",
                Some("password") => "password",
                Some("application") => "clientCredentials",
                Some("accessCode") => "authorizationCode",
                other => return Err(format!("unknown OAuth2 flow {other:?}")),
            };
            let mut f = Map::new();
            for key in ["authorizationUrl", "tokenUrl"] {
                if let Some(u) = o.get(key) {
                    f.insert(key.into(), u.clone());
                }
            }
            f.insert(
                "scopes".into(),
                o.get("scopes").cloned().unwrap_or(json!({})),
            );
            out.insert("type".into(), json!("oauth2"));
            out.insert("flows".into(), json!({ flow: Value::Object(f) }));
        }
        other => return Err(format!("unknown security definition type {other:?}")),
    }
    Ok(Value::Object(out))
}

/// Resolves a `#/parameters/X` or `#/responses/X` reference; returns the object and the
/// pointer where it sits.
fn resolve<'a>(
    g: &'a Globals<'_>,
    v: &'a Value,
    here: String,
) -> Result<(&'a Value, String), String> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r
                .strip_prefix('#')
                .ok_or_else(|| format!("external reference `{r}` is not supported"))?;
            let mut tokens = pointer
                .split('/')
                .skip(1)
                .map(|t| t.replace("~1", "/").replace("~0", "~"));
            let first = tokens.next().unwrap_or_default();
            let mut cur = g.root.get(&first);
            for token in tokens {
                cur = cur.and_then(|c| c.get(&token));
            }
            cur.map(|c| (c, pointer.to_owned()))
                .ok_or_else(|| format!("dangling reference `{r}`"))
        }
        None => Ok((v, here)),
    }
}

fn operation(
    g: &Globals<'_>,
    op: &Value,
    shared: &[(String, Value)],
    base: &str,
) -> Result<Value, String> {
    let o = op
        .as_object()
        .ok_or_else(|| format!("{base} is not an object"))?;
    let mut out = Map::new();
    for (k, v) in o {
        if matches!(
            k.as_str(),
            "tags"
                | "summary"
                | "description"
                | "externalDocs"
                | "operationId"
                | "deprecated"
                | "security"
        ) || k.starts_with("x-")
        {
            out.insert(k.clone(), v.clone());
        }
    }
    let consumes = match o.get("consumes") {
        Some(c) => media_list(Some(c)),
        None => g.consumes.clone(),
    };
    let produces = match o.get("produces") {
        Some(p) => media_list(Some(p)),
        None => g.produces.clone(),
    };

    // Path-level parameters first, overridden by operation-level ones with the same name and
    // location.
    let mut params: Vec<(&Value, String)> = Vec::new();
    for (here, p) in shared {
        params.push(resolve(g, p, here.clone())?);
    }
    if let Some(ps) = o.get("parameters").and_then(Value::as_array) {
        for (i, p) in ps.iter().enumerate() {
            let (p, at) = resolve(g, p, format!("{base}/parameters/{i}"))?;
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            params.retain(|(q, _)| key(q) != key(p));
            params.push((p, at));
        }
    }

    let mut parameters = Vec::new();
    let mut form_props = Map::new();
    let mut form_required = Vec::new();
    let mut has_file = false;
    for (p, at) in params {
        let location = p.get("in").and_then(Value::as_str).unwrap_or("");
        match location {
            "body" => {
                let schema_v = p.get("schema").cloned().unwrap_or(json!({}));
                let mut content = Map::new();
                let types = if consumes.is_empty() {
                    vec!["application/json".to_owned()]
                } else {
                    consumes.clone()
                };
                for ct in types {
                    content.insert(
                        ct,
                        json!({ "schema": schema(&schema_v), ORIGIN: format!("{at}/schema") }),
                    );
                }
                let mut body = Map::new();
                if let Some(d) = p.get("description") {
                    body.insert("description".into(), d.clone());
                }
                body.insert(
                    "required".into(),
                    json!(p.get("required").and_then(Value::as_bool).unwrap_or(false)),
                );
                body.insert("content".into(), Value::Object(content));
                out.insert("requestBody".into(), Value::Object(body));
            }
            "formData" => {
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if p.get("type").and_then(Value::as_str) == Some("file") {
                    has_file = true;
                }
                let mut s = simple_schema(p);
                if let (Some(d), Some(obj)) = (p.get("description"), s.as_object_mut()) {
                    obj.insert("description".into(), d.clone());
                }
                if p.get("required").and_then(Value::as_bool) == Some(true) {
                    form_required.push(json!(name));
                }
                form_props.insert(name, s);
            }
            "query" | "header" | "path" => {
                let mut q = Map::new();
                for key in [
                    "name",
                    "in",
                    "description",
                    "required",
                    "deprecated",
                    "allowEmptyValue",
                ] {
                    if let Some(v) = p.get(key) {
                        q.insert(key.into(), v.clone());
                    }
                }
                if location == "path" {
                    q.insert("required".into(), json!(true));
                }
                if p.get("type").and_then(Value::as_str) == Some("array") {
                    let (style, explode) = match p
                        .get("collectionFormat")
                        .and_then(Value::as_str)
                        .unwrap_or("csv")
                    {
                        "multi" => ("form", true),
                        "ssv" => ("spaceDelimited", false),
                        "pipes" => ("pipeDelimited", false),
                        _ => (
                            if location == "query" {
                                "form"
                            } else {
                                "simple"
                            },
                            false,
                        ),
                    };
                    q.insert("style".into(), json!(style));
                    q.insert("explode".into(), json!(explode));
                }
                q.insert("schema".into(), simple_schema(p));
                parameters.push(Value::Object(q));
            }
            other => return Err(format!("{at}: unknown parameter location `{other}`")),
        }
    }
    if !form_props.is_empty() {
        let ct = if has_file || consumes.iter().any(|c| c == "multipart/form-data") {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut s = Map::new();
        s.insert("type".into(), json!("object"));
        s.insert("properties".into(), Value::Object(form_props));
        if !form_required.is_empty() {
            s.insert("required".into(), Value::Array(form_required.clone()));
        }
        out.insert(
            "requestBody".into(),
            json!({
                "required": !form_required.is_empty(),
                "content": { ct: { "schema": Value::Object(s) } }
            }),
        );
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }

    let mut responses = Map::new();
    if let Some(rs) = o.get("responses").and_then(Value::as_object) {
        for (code, r) in rs {
            if code.starts_with("x-") {
                continue;
            }
            let here = format!("{base}/responses/{}", pointer_token(code));
            let (r, at) = resolve(g, r, here)?;
            responses.insert(code.clone(), response(r, &at, &produces));
        }
    }
    if responses.is_empty() {
        responses.insert("default".into(), json!({"description": "Any answer."}));
    }
    out.insert("responses".into(), Value::Object(responses));
    Ok(Value::Object(out))
}

fn response(r: &Value, at: &str, produces: &[String]) -> Value {
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or(json!("")),
    );
    if let Some(s) = r.get("schema") {
        let mut content = Map::new();
        let types = if produces.is_empty() {
            vec!["application/json".to_owned()]
        } else {
            produces.to_vec()
        };
        for ct in types {
            content.insert(
                ct,
                json!({ "schema": schema(s), ORIGIN: format!("{at}/schema") }),
            );
        }
        out.insert("content".into(), Value::Object(content));
    }
    if let Some(hs) = r.get("headers").and_then(Value::as_object) {
        let headers: Map<String, Value> = hs
            .iter()
            .map(|(k, h)| {
                let mut o = Map::new();
                if let Some(d) = h.get("description") {
                    o.insert("description".into(), d.clone());
                }
                o.insert("schema".into(), simple_schema(h));
                (k.clone(), Value::Object(o))
            })
            .collect();
        out.insert("headers".into(), Value::Object(headers));
    }
    Value::Object(out)
}

/// The schema of a non-body parameter, items object or header (their schema keywords sit on
/// the object itself).
fn simple_schema(p: &Value) -> Value {
    let mut s = Map::new();
    if let Some(o) = p.as_object() {
        for (k, v) in o {
            match k.as_str() {
                "type" if v == "file" => {
                    s.insert("type".into(), json!("string"));
                    s.insert("format".into(), json!("binary"));
                }
                "items" => {
                    s.insert("items".into(), simple_schema(v));
                }
                "type" | "format" | "default" | "maximum" | "exclusiveMaximum" | "minimum"
                | "exclusiveMinimum" | "maxLength" | "minLength" | "pattern" | "maxItems"
                | "minItems" | "uniqueItems" | "enum" | "multipleOf" => {
                    s.insert(k.clone(), v.clone());
                }
                "x-nullable" => {
                    s.insert("nullable".into(), v.clone());
                }
                _ => {}
            }
        }
    }
    Value::Object(s)
}

/// A Swagger 2.0 schema object as an OpenAPI 3.0 one.
fn schema(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                match k.as_str() {
                    "$ref" => {
                        let r = v.as_str().unwrap_or("");
                        let r = match r.strip_prefix("#/definitions/") {
                            Some(name) => format!("#/components/schemas/{name}"),
                            None => r.to_owned(),
                        };
                        out.insert(k.clone(), json!(r));
                    }
                    "x-nullable" => {
                        out.insert("nullable".into(), v.clone());
                    }
                    "type" if v == "file" => {
                        out.insert("type".into(), json!("string"));
                        out.insert("format".into(), json!("binary"));
                    }
                    "discriminator" => {
                        let d = match v {
                            Value::String(name) => json!({ "propertyName": name }),
                            other => other.clone(),
                        };
                        out.insert(k.clone(), d);
                    }
                    "properties" => {
                        let props = v
                            .as_object()
                            .map(|ps| ps.iter().map(|(n, s)| (n.clone(), schema(s))).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(k.clone(), schema(v));
                    }
                    "allOf" | "oneOf" | "anyOf" => {
                        let parts = v
                            .as_array()
                            .map(|a| a.iter().map(schema).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Array(parts));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc() -> Value {
        json!({
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1"},
            "host": "api.example.org",
            "basePath": "/v1/",
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "securityDefinitions": {
                "basicAuth": {"type": "basic"},
                "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
                "oauth": {"type": "oauth2", "flow": "application",
                          "tokenUrl": "https://auth.example.org/token",
                          "scopes": {"pets:read": "read pets"}}
            },
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "type": "integer", "format": "int32"}
            },
            "responses": {
                "NotFound": {"description": "no such pet", "schema": {"$ref": "#/definitions/Error"}}
            },
            "definitions": {
                "Pet": {"type": "object", "required": ["name"],
                        "discriminator": "kind",
                        "properties": {
                            "name": {"type": "string"},
                            "kind": {"type": "string"},
                            "owner": {"$ref": "#/definitions/Owner"},
                            "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                            "nick": {"type": "string", "x-nullable": true}
                        }},
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Tag": {"type": "string"},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}}
            },
            "paths": {
                "/pets/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
                    "get": {
                        "operationId": "getPet",
                        "produces": ["application/json", "application/xml"],
                        "parameters": [
                            {"$ref": "#/parameters/Limit"},
                            {"name": "ids", "in": "query", "type": "array",
                             "items": {"type": "integer"}, "collectionFormat": "multi"},
                            {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}}
                        ],
                        "responses": {
                            "200": {"description": "the pet", "schema": {"$ref": "#/definitions/Pet"},
                                    "headers": {"X-Rate": {"type": "integer", "description": "left"}}},
                            "404": {"$ref": "#/responses/NotFound"}
                        },
                        "security": [{"oauth": ["pets:read"]}]
                    },
                    "put": {
                        "operationId": "putPet",
                        "consumes": ["application/json", "text/json"],
                        "parameters": [{"name": "pet", "in": "body", "required": true,
                                        "description": "the new pet",
                                        "schema": {"$ref": "#/definitions/Pet"}}],
                        "responses": {"204": {"description": "stored"}}
                    }
                },
                "/pets/{id}/photo": {
                    "post": {
                        "operationId": "uploadPhoto",
                        "consumes": ["multipart/form-data"],
                        "parameters": [
                            {"name": "id", "in": "path", "required": true, "type": "string"},
                            {"name": "file", "in": "formData", "type": "file", "required": true},
                            {"name": "caption", "in": "formData", "type": "string"}
                        ],
                        "responses": {"201": {"description": "created"}}
                    }
                },
                "/login": {
                    "post": {
                        "operationId": "login",
                        "consumes": ["application/x-www-form-urlencoded"],
                        "parameters": [
                            {"name": "user", "in": "formData", "type": "string", "required": true},
                            {"name": "password", "in": "formData", "type": "string", "required": true}
                        ],
                        "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}
                    }
                }
            }
        })
    }

    #[test]
    fn servers_come_from_host_base_path_and_schemes() {
        let out = normalise(&doc()).unwrap();
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(
            out["servers"],
            json!([{"url": "https://api.example.org/v1"}, {"url": "http://api.example.org/v1"}])
        );
        let mut bare = doc();
        bare.as_object_mut().unwrap().remove("host");
        assert_eq!(
            normalise(&bare).unwrap()["servers"],
            json!([{"url": "/v1"}])
        );
    }

    #[test]
    fn definitions_become_component_schemas_with_rewritten_refs() {
        let out = normalise(&doc()).unwrap();
        let pet = &out["components"]["schemas"]["Pet"];
        assert_eq!(
            pet["properties"]["owner"]["$ref"],
            "#/components/schemas/Owner"
        );
        assert_eq!(
            pet["properties"]["tags"]["items"]["$ref"],
            "#/components/schemas/Tag"
        );
        assert_eq!(pet["properties"]["nick"]["nullable"], true);
        assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
        assert!(out.get("definitions").is_none());
        // Nothing of the old shape is left anywhere.
        assert!(!out.to_string().contains("#/definitions/"));
    }

    #[test]
    fn body_parameters_become_request_bodies_per_consumed_type() {
        let out = normalise(&doc()).unwrap();
        let put = &out["paths"]["/pets/{id}"]["put"];
        let body = &put["requestBody"];
        assert_eq!(body["required"], true);
        assert_eq!(body["description"], "the new pet");
        for ct in ["application/json", "text/json"] {
            assert_eq!(
                body["content"][ct]["schema"]["$ref"],
                "#/components/schemas/Pet"
            );
            assert_eq!(
                body["content"][ct][ORIGIN],
                "/paths/~1pets~1{id}/put/parameters/0/schema"
            );
        }
        // The path-level parameter is inherited; the body one is not a parameter any more.
        assert_eq!(
            put["parameters"],
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        );
    }

    #[test]
    fn form_data_becomes_multipart_or_urlencoded_bodies() {
        let out = normalise(&doc()).unwrap();
        let upload = &out["paths"]["/pets/{id}/photo"]["post"]["requestBody"];
        let schema = &upload["content"]["multipart/form-data"]["schema"];
        assert_eq!(
            schema["properties"]["file"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(schema["required"], json!(["file"]));
        assert_eq!(upload["required"], true);
        let login = &out["paths"]["/login"]["post"]["requestBody"];
        let schema = &login["content"]["application/x-www-form-urlencoded"]["schema"];
        assert_eq!(schema["required"], json!(["user", "password"]));
        assert_eq!(out["paths"]["/login"]["post"].get("parameters"), None);
    }

    #[test]
    fn responses_get_content_per_produced_type_and_refs_resolved() {
        let out = normalise(&doc()).unwrap();
        let get = &out["paths"]["/pets/{id}"]["get"];
        let ok = &get["responses"]["200"];
        assert_eq!(
            ok["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            ok["content"]["application/xml"][ORIGIN],
            "/paths/~1pets~1{id}/get/responses/200/schema"
        );
        assert_eq!(
            ok["headers"]["X-Rate"]["schema"],
            json!({"type": "integer"})
        );
        let nf = &get["responses"]["404"];
        assert_eq!(nf["description"], "no such pet");
        assert_eq!(
            nf["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        assert_eq!(
            nf["content"]["application/json"][ORIGIN],
            "/responses/NotFound/schema"
        );
        // No schema, no content.
        assert!(
            out["paths"]["/pets/{id}"]["put"]["responses"]["204"]
                .get("content")
                .is_none()
        );
        assert_eq!(
            out["paths"]["/login"]["post"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn parameters_get_schemas_and_collection_formats() {
        let out = normalise(&doc()).unwrap();
        let params = out["paths"]["/pets/{id}"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let by_name = |n: &str| params.iter().find(|p| p["name"] == n).unwrap();
        assert_eq!(
            by_name("limit")["schema"],
            json!({"type": "integer", "format": "int32"})
        );
        assert_eq!(by_name("ids")["explode"], true);
        assert_eq!(by_name("tags")["explode"], false);
        assert_eq!(by_name("tags")["style"], "form");
        assert_eq!(by_name("id")["in"], "path");
    }

    #[test]
    fn security_definitions_become_security_schemes() {
        let out = normalise(&doc()).unwrap();
        let s = &out["components"]["securitySchemes"];
        assert_eq!(s["basicAuth"], json!({"type": "http", "scheme": "basic"}));
        assert_eq!(
            s["key"],
            json!({"type": "apiKey", "name": "X-Key", "in": "header"})
        );
        assert_eq!(
            s["oauth"]["flows"]["clientCredentials"]["tokenUrl"],
            "https://auth.example.org/token"
        );
        assert_eq!(
            out["paths"]["/pets/{id}"]["get"]["security"],
            json!([{"oauth": ["pets:read"]}])
        );
    }

    #[test]
    fn the_result_parses_as_openapi_3() {
        let out = normalise(&doc()).unwrap();
        let api: openapiv3::OpenAPI = serde_json::from_value(out).unwrap();
        assert_eq!(api.paths.paths.len(), 3);
    }
}

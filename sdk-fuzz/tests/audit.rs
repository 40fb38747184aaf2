//! The audit of what reaches the wire: for every operation of every sdk crate, a request whose
//! one value breaks one facet of its schema type is refused before anything is sent.
//!
//! Requests come from the generator's models, the same ones the code is generated from:
//!
//! * SOAP (`codegen::xml_samples`): the *full* sample of the operation's body element and header
//!   blocks, then that envelope once per facet of each simple value in it, with one value that
//!   stays in its base type's lexical space but breaks the facet (`codegen::violations`);
//! * REST (`codegen::openapi::request_samples`): a request document of every parameter and the
//!   body, then once per JSON Schema keyword of each value in it (`pattern`, `minLength`,
//!   `maxLength`, `minimum`, `maximum`, `multipleOf`, `enum`, `minItems`, `maxItems`) with one
//!   value of the same JSON type that breaks it.
//!
//! Each goes through the crate's `REQUESTS` table — read leniently into the typed input, then
//! the generated client method, as a vendor's code calls it — against a TLS server on loopback
//! that requires a client certificate and counts the requests it gets:
//!
//! * the valid request reaches the server (one more request counted), so the path is live;
//! * every broken one is refused with `Sent::Refused` and the count does not move.
//!
//! Chongqing's positional interface the same way: each described transaction's request line
//! (`codegen::positional::request_samples`) through the generated `jiaoyi::run_line` — the
//! typed request, then its method on the client — over the sandbox behind a library transport
//! that counts the lines reaching it; a line with one field breaking one constraint (the
//! separator inside a value, too many bytes, a pattern, a decimal's scale) must not reach it.
//! (Code fields keep values the description does not list, by design: those descriptions come
//! from client code and may be incomplete.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sdk_runtime::answers::Spec;
use sdk_runtime::bytes::Bytes;
use sdk_runtime::requests::{RequestSender, Sent, Target};
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::server::{MtlsServer, SandboxRequest, SandboxResponse};
use sdk_runtime::transport::HttpClient;

type Table = &'static [(&'static str, &'static [RequestSender])];

/// Each crate: the folder of its `codegen.toml` and its generated `REQUESTS`.
fn crates() -> Vec<(&'static str, Table)> {
    vec![
        ("wsdl/vzp", sdk_vzp::generated::REQUESTS),
        ("wsdl/p1", sdk_p1::generated::REQUESTS),
        ("openapi/sukl", sdk_sukl::generated::REQUESTS),
        ("wsdl/vecozo", sdk_vecozo::generated::REQUESTS),
    ]
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A server that counts requests and answers each with a SOAP fault.
struct Counter {
    server: MtlsServer,
    hits: Arc<AtomicUsize>,
    http: HttpClient,
}

fn counter(pki: &TestPki) -> Counter {
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    let handler = move |_request: SandboxRequest| {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            SandboxResponse::new(
                500,
                "text/xml; charset=utf-8",
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\
                 <s:Fault><faultcode>s:Server</faultcode><faultstring>audit</faultstring>\
                 </s:Fault></s:Body></s:Envelope>",
            )
        }
    };
    let server = MtlsServer::start(pki, Arc::new(handler)).unwrap();
    let identity = pki.issue_client_cert("audit").unwrap().identity().unwrap();
    let http = HttpClient::builder()
        .platform_roots(false)
        .add_root_certificate_der(pki.ca_cert_der())
        .identity(identity)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    Counter { server, hits, http }
}

/// A sample document without its XML declaration.
fn body_of(xml: &str) -> &str {
    xml.trim_start()
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>").map(|(_, b)| b))
        .unwrap_or(xml)
}

fn envelope(ns: &str, headers: &[&str], body: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"{ns}\"><s:Header>{}</s:Header><s:Body>{body}</s:Body></s:Envelope>",
        headers.concat()
    )
}

/// What the audit of one operation found.
#[derive(Default)]
struct Tally {
    operations: usize,
    broken: usize,
    by_facet: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

async fn send(
    sender: &RequestSender,
    target: &Target,
    counter: &Counter,
    doc: String,
) -> (Sent, usize) {
    let before = counter.hits.load(Ordering::SeqCst);
    let sent = sender.send(target.clone(), Bytes::from(doc)).await;
    (sent, counter.hits.load(Ordering::SeqCst) - before)
}

/// Every SOAP operation of the crate whose `codegen.toml` is in `dir`.
async fn audit_soap(dir: &str, table: Table, counter: &Counter, tally: &mut Tally) {
    let spec_dir = root().join(dir);
    let config = codegen::config::CrateConfig::read(&spec_dir.join("codegen.toml")).unwrap();
    let locations = config.locations(&spec_dir).unwrap();
    for service in &config.services {
        let Some((_, senders)) = table.iter().find(|(m, _)| *m == service.module) else {
            tally.failures.push(format!(
                "{dir}: module `{}` is not in REQUESTS (feature off?)",
                service.module
            ));
            continue;
        };
        let module = codegen::generate_wsdl_module_with(
            &spec_dir.join(&service.wsdl),
            &service.wsdl,
            &locations,
        )
        .unwrap();
        let values = &config.overlay.samples;
        let samples = codegen::xml_samples::samples_with(&module.model, &module.elements, values);
        let full = |name: &codegen::wsdl::QName| -> Option<(usize, String)> {
            let i = module.elements.iter().position(|e| &e.name == name)?;
            let s = samples.iter().find(|s| s.root == i)?;
            Some((i, body_of(&s.xml).to_owned()))
        };
        for request in &module.requests {
            let what = format!("{}::{}", service.module, request.operation);
            let Some(sender) = senders.iter().find(|s| s.operation() == request.operation) else {
                tally
                    .failures
                    .push(format!("{what}: not in the module's REQUESTS"));
                continue;
            };
            let Spec::Soap(spec) = sender.spec() else {
                tally.failures.push(format!("{what}: not a SOAP sender"));
                continue;
            };
            let ns = spec.version.namespace();
            let Some((body_root, body)) = full(&request.body) else {
                tally.failures.push(format!("{what}: no sample body"));
                continue;
            };
            let headers: Vec<(usize, String)> = request.headers.iter().filter_map(&full).collect();
            let header_texts: Vec<&str> = headers.iter().map(|(_, t)| t.as_str()).collect();
            let target = Target::new(
                counter.http.clone(),
                counter.server.base_url().join("audit").unwrap(),
            );
            tally.operations += 1;

            // The valid request is sent.
            let (sent, hits) =
                send(sender, &target, counter, envelope(ns, &header_texts, &body)).await;
            if hits != 1 || !matches!(sent, Sent::Called(_)) {
                tally.failures.push(format!(
                    "{what}: the valid sample was not sent ({hits} requests): {sent:?}"
                ));
                continue;
            }

            // Each broken value, in the body and in each header block, is refused unsent.
            let mut cases = Vec::new();
            for b in codegen::xml_samples::broken_samples_with(
                &module.model,
                &module.elements,
                body_root,
                values,
            ) {
                let doc = envelope(ns, &header_texts, body_of(&b.xml));
                cases.push((b, doc));
            }
            for (k, (root, _)) in headers.iter().enumerate() {
                for b in codegen::xml_samples::broken_samples_with(
                    &module.model,
                    &module.elements,
                    *root,
                    values,
                ) {
                    let mut texts = header_texts.clone();
                    texts[k] = body_of(&b.xml);
                    let doc = envelope(ns, &texts, &body);
                    cases.push((b, doc));
                }
            }
            for (b, doc) in cases {
                tally.broken += 1;
                *tally.by_facet.entry(b.facet.as_str()).or_default() += 1;
                let (sent, hits) = send(sender, &target, counter, doc).await;
                let case = format!("{what}: {} = {:?} ({})", b.path, b.value, b.facet.as_str());
                match sent {
                    Sent::Refused(_) if hits == 0 => {}
                    other => tally.failures.push(format!(
                        "{case}: {other:?}, {hits} requests reached the server"
                    )),
                }
            }
        }
    }
}

/// Every REST operation of the crate whose `codegen.toml` is in `dir`.
async fn audit_rest(dir: &str, table: Table, counter: &Counter, tally: &mut Tally) {
    let spec_dir = root().join(dir);
    let config = codegen::config::CrateConfig::read(&spec_dir.join("codegen.toml")).unwrap();
    let locations = config.locations(&spec_dir).unwrap();
    for api in &config.openapi {
        let Some((_, senders)) = table.iter().find(|(m, _)| *m == api.module) else {
            tally.failures.push(format!(
                "{dir}: module `{}` is not in REQUESTS (feature off?)",
                api.module
            ));
            continue;
        };
        let model = codegen::openapi::service_model(
            &spec_dir.join(&api.spec),
            &locations,
            &config.overlay,
            None,
            &api.spec,
        )
        .unwrap();
        let target = Target::new(counter.http.clone(), counter.server.base_url());
        for request in codegen::openapi::request_samples(&model) {
            let what = format!("{}::{}", api.module, request.operation);
            let Some(sender) = senders.iter().find(|s| s.operation() == request.operation) else {
                tally
                    .failures
                    .push(format!("{what}: not in the module's REQUESTS"));
                continue;
            };
            tally.operations += 1;
            let (sent, hits) = send(sender, &target, counter, request.valid.to_string()).await;
            if hits != 1 || !matches!(sent, Sent::Called(_)) {
                tally.failures.push(format!(
                    "{what}: the valid request was not sent ({hits} requests): {sent:?}\n{}",
                    request.valid
                ));
                continue;
            }
            for b in request.broken {
                tally.broken += 1;
                *tally.by_facet.entry(b.facet).or_default() += 1;
                let (sent, hits) = send(sender, &target, counter, b.request.to_string()).await;
                match sent {
                    Sent::Refused(_) if hits == 0 => {}
                    other => tally.failures.push(format!(
                        "{what}: {} = {} ({}): {other:?}, {hits} requests reached the server",
                        b.pointer, b.value, b.facet
                    )),
                }
            }
        }
    }
}

/// Chongqing's sandbox behind its library interface, counting the request lines that reach it.
struct CountingLibrary {
    sandbox: sdk_chongqing::sandbox::InProcess,
    lines: AtomicUsize,
}

impl sdk_chongqing::Transport for CountingLibrary {
    fn init(&self) -> Result<i32, sdk_chongqing::TransportError> {
        self.sandbox.init()
    }

    fn business_handle(
        &self,
        input: &[u8],
    ) -> Result<(i32, Vec<u8>), sdk_chongqing::TransportError> {
        self.lines.fetch_add(1, Ordering::SeqCst);
        self.sandbox.business_handle(input)
    }
}

/// Every described transaction of the positional interface whose `codegen.toml` is in `dir`:
/// its valid request line reaches the library once, and each line with one field breaking one
/// constraint (the separator in a text, too many bytes, a pattern, a decimal's scale) is
/// refused before it.
fn audit_positional(dir: &str, tally: &mut Tally) {
    use sdk_chongqing::Error;
    use sdk_runtime::positional::Answer;
    let spec_dir = root().join(dir);
    let config = codegen::config::CrateConfig::read(&spec_dir.join("codegen.toml")).unwrap();
    let client = sdk_chongqing::Client::new(CountingLibrary {
        sandbox: sdk_chongqing::sandbox::InProcess::new(),
        lines: AtomicUsize::new(0),
    });
    let count =
        |c: &sdk_chongqing::Client<CountingLibrary>| c.transport().lines.load(Ordering::SeqCst);
    for p in &config.positional {
        let d = codegen::positional::read(&spec_dir.join(&p.spec)).unwrap();
        for request in codegen::positional::request_samples(&d) {
            let what = format!("{}::{}", p.module, request.code);
            tally.operations += 1;
            let before = count(&client);
            let sent = sdk_chongqing::jiaoyi::run_line(
                &client,
                &Answer::from_fields(request.valid.clone()),
            );
            let reached = count(&client) - before;
            if reached != 1 {
                tally.failures.push(format!(
                    "{what}: the valid line {:?} was not sent ({reached} lines): {sent:?}",
                    request.valid
                ));
                continue;
            }
            if let Err(e) = &sent {
                tally
                    .failures
                    .push(format!("{what}: the valid line is unreadable: {e}"));
                continue;
            }
            for b in request.broken {
                tally.broken += 1;
                *tally.by_facet.entry(b.constraint).or_default() += 1;
                let before = count(&client);
                let sent = sdk_chongqing::jiaoyi::run_line(&client, &Answer::from_fields(b.line));
                let reached = count(&client) - before;
                match sent {
                    Ok(Err(Error::InvalidInput(_))) if reached == 0 => {}
                    other => tally.failures.push(format!(
                        "{what}: {} = {:?} ({}): {other:?}, {reached} lines reached the library",
                        b.label, b.value, b.constraint
                    )),
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_value_that_breaks_a_facet_reaches_the_wire() {
    let pki = TestPki::new("Audit CA").unwrap();
    let counter = counter(&pki);
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (dir, table) in crates() {
        let mut tally = Tally::default();
        audit_soap(dir, table, &counter, &mut tally).await;
        audit_rest(dir, table, &counter, &mut tally).await;
        report.push(format!(
            "{dir}: {} operations, {} broken requests refused unsent ({:?})",
            tally.operations,
            tally.broken - tally.failures.len().min(tally.broken),
            tally.by_facet
        ));
        assert!(tally.operations > 0, "{dir}: no operation audited");
        failures.extend(tally.failures);
    }
    let mut tally = Tally::default();
    audit_positional("positional/chongqing", &mut tally);
    report.push(format!(
        "positional/chongqing: {} transactions, {} broken request lines refused unsent ({:?})",
        tally.operations,
        tally.broken - tally.failures.len().min(tally.broken),
        tally.by_facet
    ));
    assert!(
        tally.operations > 0,
        "positional/chongqing: no transaction audited"
    );
    failures.extend(tally.failures);
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

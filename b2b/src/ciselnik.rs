//! `b2b sukl ciselnik ...`: Číselníky SÚKL, the drug code lists — a product by kód SÚKL, product
//! pages, a pharmacy by workplace code, the pharmacies — against the embedded SÚKL sandbox or a
//! real endpoint.

use std::fmt::Write as _;
use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_sukl::ciselniky::{Client, DotazPripravky, Odmitnuti, StatusLekarny};
use sdk_sukl::sandbox::Sandbox;
use serde::Serialize;
use serde_json::Value;

use crate::cli::{
    CiselnikCommand, CiselnikLekarnaArgs, CiselnikLekarnyArgs, CiselnikPripravekArgs,
    CiselnikPripravkyArgs, CiselnikTargetArgs,
};
use crate::failure::{Failure, single_line};
use crate::{identity, output};

pub async fn run(command: CiselnikCommand) -> Result<(), Failure> {
    match command {
        CiselnikCommand::Pripravek(args) => pripravek(args).await,
        CiselnikCommand::Pripravky(args) => pripravky(args).await,
        CiselnikCommand::Lekarna(args) => lekarna(args).await,
        CiselnikCommand::Lekarny(args) => lekarny(args).await,
    }
}

/// The client, and the sandbox it talks to when there is no --endpoint (kept alive while the
/// command runs).
struct Target {
    client: Client,
    sandbox: Option<Sandbox>,
    timeout: Duration,
}

impl Target {
    fn open(args: &CiselnikTargetArgs) -> Result<Self, Failure> {
        let timeout = Duration::from_secs(args.timeout);
        let Some(endpoint) = &args.endpoint else {
            let sandbox = Sandbox::start()
                .map_err(|e| Failure::Failed(format!("cannot start the SÚKL sandbox: {e}")))?;
            let client = sandbox
                .ciselniky_client()
                .map_err(|e| Failure::Failed(format!("cannot set up a sandbox client: {e}")))?;
            return Ok(Self {
                client,
                sandbox: Some(sandbox),
                timeout,
            });
        };
        sdk_runtime::url::Url::parse(endpoint)
            .map_err(|e| Failure::Usage(format!("--endpoint: {e}")))?;
        let mut builder = Client::builder().base_url(endpoint).timeout(timeout);
        if let Some(path) = &args.identity {
            builder = builder.identity(identity::load(path, args.key.as_deref())?);
        }
        for ca in &args.ca {
            let pem = std::fs::read(ca)
                .map_err(|e| Failure::Failed(format!("cannot read --ca {}: {e}", ca.display())))?;
            builder = builder.add_root_certificates_pem(&pem);
        }
        let client = builder
            .build()
            .map_err(|e| Failure::Failed(format!("cannot set up the HTTPS client: {e}")))?;
        Ok(Self {
            client,
            sandbox: None,
            timeout,
        })
    }

    /// Where the answer came from, for the summary line.
    fn source(&self) -> &'static str {
        if self.sandbox.is_some() {
            " (sandbox)"
        } else {
            ""
        }
    }

    async fn close(self) {
        if let Some(s) = self.sandbox {
            s.shutdown().await;
        }
    }

    /// A failed call as one line: invalid input is a usage error (nothing was sent).
    fn failure(&self, e: SdkError<Odmitnuti>) -> Failure {
        match e {
            SdkError::InvalidInput(e) => Failure::Usage(format!("{e} (nothing was sent)")),
            SdkError::Timeout { after } if after >= self.timeout => Failure::Failed(format!(
                "no answer within {} s; raise --timeout to wait longer",
                after.as_secs()
            )),
            SdkError::Service(o) => Failure::Failed(single_line(&o.to_string())),
            other => Failure::Failed(single_line(&other.to_string())),
        }
    }
}

/// A record's fields as SÚKL names them, in the description's order (fields it did not send
/// left out).
fn record<T: Serialize>(value: &T) -> Vec<(String, Value)> {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| serde_json::from_str::<Ordered>(&text).ok())
        .map(|o| o.0)
        .unwrap_or_default()
}

/// A JSON object's members in the order written (serde_json's map sorts them).
struct Ordered(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Members)
    }
}

/// The value of field `name` as text ("" when absent).
fn field(record: &[(String, Value)], name: &str) -> String {
    record
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| text_of(v))
        .unwrap_or_default()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every field of a record on its own line, SÚKL's name first.
fn fields(record: &[(String, Value)]) -> String {
    let mut out = String::new();
    let width = record
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in record {
        if !v.is_null() {
            let _ = writeln!(out, "{k:<width$}  {}", text_of(v));
        }
    }
    out
}

/// Records as SÚKL's JSON, pretty, fields in the description's order.
fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    output::stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ))
}

/// `b2b sukl ciselnik pripravek KOD_SUKL`.
async fn pripravek(args: CiselnikPripravekArgs) -> Result<(), Failure> {
    let target = Target::open(&args.target)?;
    let result = target.client.pripravek(&args.kod_sukl).await;
    let result = match result {
        Ok(Some(p)) => {
            if args.target.json {
                print_json(&p)
            } else {
                output::stdout(&fields(&record(&p)))
            }
        }
        Ok(None) => Err(Failure::Failed(format!(
            "SÚKL has no medicinal product with kód SÚKL {}{}",
            args.kod_sukl.trim(),
            target.source()
        ))),
        Err(e) => Err(target.failure(e)),
    };
    target.close().await;
    result
}

/// `b2b sukl ciselnik pripravky`.
async fn pripravky(args: CiselnikPripravkyArgs) -> Result<(), Failure> {
    let target = Target::open(&args.target)?;
    let mut dotaz = DotazPripravky::new();
    if args.regulovany || args.neregulovany {
        dotaz = dotaz.regulovany(args.regulovany);
    }
    dotaz.limit = args.limit;
    dotaz.offset = args.offset;
    let result = match target.client.pripravky(&dotaz).await {
        Ok(page) => {
            if args.target.json {
                print_json(&page.zaznamy)
            } else {
                let records: Vec<_> = page.zaznamy.iter().map(record).collect();
                let mut text = String::new();
                for r in &records {
                    let _ = writeln!(
                        text,
                        "{}  {} {}",
                        field(r, "KOD_SUKL"),
                        field(r, "NAZEV"),
                        field(r, "DOPLNEK")
                    );
                }
                let first = args.offset.unwrap_or(0) as usize;
                let total = page
                    .celkem
                    .map_or_else(|| "?".to_owned(), |t| t.to_string());
                let _ = writeln!(
                    text,
                    "{} product(s) from {} of {total}{}",
                    records.len(),
                    first + usize::from(!records.is_empty()),
                    target.source()
                );
                output::stdout(&text)
            }
        }
        Err(e) => Err(target.failure(e)),
    };
    target.close().await;
    result
}

/// `b2b sukl ciselnik lekarna KOD_PRACOVISTE`.
async fn lekarna(args: CiselnikLekarnaArgs) -> Result<(), Failure> {
    let target = Target::open(&args.target)?;
    let result = match target.client.lekarna(&args.kod_pracoviste).await {
        Ok(Some(l)) => {
            if args.target.json {
                print_json(&l)
            } else {
                output::stdout(&fields(&record(&l)))
            }
        }
        Ok(None) => Err(Failure::Failed(format!(
            "SÚKL has no pharmacy with workplace code {}{}",
            args.kod_pracoviste.trim(),
            target.source()
        ))),
        Err(e) => Err(target.failure(e)),
    };
    target.close().await;
    result
}

/// `b2b sukl ciselnik lekarny [--status zarazeno|vyrazeno]`.
async fn lekarny(args: CiselnikLekarnyArgs) -> Result<(), Failure> {
    let status = match args.status.as_deref() {
        Some("zarazeno") => Some(StatusLekarny::Zarazeno),
        Some("vyrazeno") => Some(StatusLekarny::Vyrazeno),
        Some(other) => {
            return Err(Failure::Usage(format!(
                "--status {other}: zarazeno or vyrazeno"
            )));
        }
        None => None,
    };
    let target = Target::open(&args.target)?;
    let result = match target.client.lekarny(status).await {
        Ok(list) => {
            if args.target.json {
                print_json(&list)
            } else {
                let records: Vec<_> = list.iter().map(record).collect();
                let mut text = String::new();
                for r in &records {
                    let _ = writeln!(
                        text,
                        "{}  {}  {}, {}, {} {}",
                        field(r, "KOD_PRACOVISTE"),
                        field(r, "STATUS"),
                        field(r, "NAZEV"),
                        field(r, "ULICE"),
                        field(r, "PSC"),
                        field(r, "MESTO")
                    );
                }
                let _ = writeln!(text, "{} pharmacies{}", records.len(), target.source());
                output::stdout(&text)
            }
        }
        Err(e) => Err(target.failure(e)),
    };
    target.close().await;
    result
}

//! `b2b sukl ...`: LEK-13 reports through the durable outbox, against the embedded SÚKL
//! sandbox or a real endpoint, and the outbox's views (list, due, retry, run).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use sdk_sukl::lek13::{Client, Hlaseni, Icz, KodPracoviste, Odesilatel, Software};
use sdk_sukl::outbox::{
    Due, Event, Outbox, OutboxError, ReportState, RetryPolicy, StavZpravy, rfc3339,
};
use sdk_sukl::sandbox::{SANDBOX_ICZ, SANDBOX_KOD_PRACOVISTE, Sandbox};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::cli::{
    Lek13Command, Lek13SendArgs, OutboxCommand, OutboxDueArgs, OutboxListArgs, OutboxRunArgs,
    OutboxStoreArgs, SuklCommand, SuklTargetArgs,
};
use crate::failure::{Failure, single_line};
use crate::{identity, output};

pub async fn run(command: SuklCommand) -> Result<(), Failure> {
    match command {
        SuklCommand::Lek13 {
            command: Lek13Command::Send(args),
        } => send(args).await,
        SuklCommand::Outbox { command } => match command {
            OutboxCommand::List(args) => list(args).await,
            OutboxCommand::Due(args) => due(args).await,
            OutboxCommand::Retry(args) => retry(args).await,
            OutboxCommand::Run(args) => worker(args).await,
        },
        SuklCommand::Ciselnik { command } => crate::ciselnik::run(command).await,
        SuklCommand::Erecept { command } => crate::erecept::run(command).await,
    }
}

/// One report read from a file, with where it came from.
struct Input {
    place: String,
    hlaseni: Hlaseni,
}

fn read_reports(files: &[PathBuf]) -> Result<Vec<Vec<Input>>, Failure> {
    let mut out = Vec::new();
    for file in files {
        let (name, text) = if file.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::Failed(format!("cannot read stdin: {e}")))?;
            ("stdin".to_owned(), text)
        } else {
            let text = std::fs::read_to_string(file)
                .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", file.display())))?;
            (file.display().to_string(), text)
        };
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::Usage(format!("{name}: not JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        let mut reports = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let place = format!("{name}[{i}]");
            let hlaseni: Hlaseni = serde_json::from_value(item)
                .map_err(|e| Failure::Usage(format!("{place}: not a LEK-13 report: {e}")))?;
            reports.push(Input { place, hlaseni });
        }
        out.push(reports);
    }
    Ok(out)
}

fn policy(t: &SuklTargetArgs) -> RetryPolicy {
    RetryPolicy::default()
        .backoff(
            Duration::from_millis(t.retry_base_ms),
            Duration::from_millis(t.retry_max_ms),
        )
        .concurrency(usize::try_from(t.concurrency).unwrap_or(4))
}

fn progress(outbox: Outbox, on: bool) -> Outbox {
    if !on {
        return outbox;
    }
    outbox.on_event(|e| match e {
        Event::Enqueued { podani_id } => eprintln!("enqueued {podani_id}"),
        Event::Sending {
            podani_id,
            akce,
            attempt,
        } => eprintln!("sending {podani_id} {akce} attempt {attempt}"),
        Event::Acknowledged { podani_id, akce } => eprintln!("acknowledged {podani_id} {akce}"),
        Event::Retrying {
            podani_id,
            error,
            after_ms,
        } => eprintln!(
            "retrying {podani_id} in {after_ms} ms: {}",
            single_line(error)
        ),
        Event::Failed { podani_id, error } => {
            eprintln!("failed {podani_id}: {}", single_line(error))
        }
        _ => {}
    })
}

fn outbox_failure(e: OutboxError) -> Failure {
    match e {
        OutboxError::Invalid(_)
        | OutboxError::KeyConflict { .. }
        | OutboxError::IdConflict(_)
        | OutboxError::Location(_) => Failure::Usage(e.to_string()),
        other => Failure::Failed(other.to_string()),
    }
}

/// The client for `target`: the real endpoint with the pharmacy's certificate, or a sandbox.
fn real_client(target: &SuklTargetArgs, endpoint: &str) -> Result<Client, Failure> {
    let identity_path = target.identity.as_ref().ok_or_else(|| {
        Failure::Usage(
            "--endpoint needs the pharmacy's SÚKL certificate: pass --identity FILE (SÚKL \
             authenticates every call by mutual TLS)"
                .to_owned(),
        )
    })?;
    sdk_runtime::url::Url::parse(endpoint)
        .map_err(|e| Failure::Usage(format!("--endpoint: {e}")))?;
    let id = identity::load(identity_path, target.key.as_deref())?;
    let mut builder = Client::builder()
        .base_url(endpoint)
        .identity(id)
        .timeout(Duration::from_secs(target.timeout));
    for ca in &target.ca {
        let pem = std::fs::read(ca)
            .map_err(|e| Failure::Failed(format!("cannot read --ca {}: {e}", ca.display())))?;
        builder = builder.add_root_certificates_pem(&pem);
    }
    builder
        .build()
        .map_err(|e| Failure::Failed(format!("cannot set up the HTTPS client: {e}")))
}

async fn send(args: Lek13SendArgs) -> Result<(), Failure> {
    // Everything given is checked before a sandbox starts or anything is stored.
    let files = read_reports(&args.files)?;
    let sandboxed = args.target.endpoint.is_none();
    let (kod, icz) = match (&args.kod_pracoviste, &args.icz, sandboxed) {
        (Some(k), Some(i), _) => (k.clone(), i.clone()),
        (k, i, true) => (
            k.clone()
                .unwrap_or_else(|| SANDBOX_KOD_PRACOVISTE.to_owned()),
            i.clone().unwrap_or_else(|| SANDBOX_ICZ.to_owned()),
        ),
        _ => {
            return Err(Failure::Usage(
                "--endpoint needs --kod-pracoviste (your SÚKL workplace code) and --icz".into(),
            ));
        }
    };
    let odesilatel = Odesilatel::new(
        KodPracoviste::parse(&kod)?,
        Icz::parse(&icz)?,
        Software::new(
            args.sw_nazev.clone().unwrap_or_else(|| "b2b".to_owned()),
            args.sw_verze
                .clone()
                .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned()),
            args.sw_vyrobce
                .clone()
                .unwrap_or_else(|| "b2b-sdk".to_owned()),
        ),
    );
    odesilatel.validate()?;
    let now = OffsetDateTime::now_utc();
    let mut problems = Vec::new();
    for input in files.iter().flatten() {
        if let Err(e) = input.hlaseni.check(now, args.allow_late) {
            for v in &e.violations {
                problems.push(format!("{}: {}: {}", input.place, v.field, v.message));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Usage(format!(
            "invalid reports (nothing was stored):\n  {}",
            problems.join("\n  ")
        )));
    }

    let mut sandbox = None;
    let store = match (&args.store, sandboxed) {
        (Some(s), false) => s.clone(),
        (None, false) => {
            return Err(Failure::Usage(
                "--endpoint needs --store: reports are committed to the outbox before they are \
                 sent (a SQLite file, or postgres://…)"
                    .into(),
            ));
        }
        (_, true) => {
            let dir = std::env::temp_dir().join(format!(
                "b2b-sukl-outbox-{}-{}",
                std::process::id(),
                uuid_like()
            ));
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::Failed(format!("cannot create {}: {e}", dir.display())))?;
            format!("sqlite:{}", dir.join("outbox.sqlite").display())
        }
    };
    let client = if sandboxed {
        let s = Sandbox::start()
            .map_err(|e| Failure::Failed(format!("cannot start the SÚKL sandbox: {e}")))?;
        let client = s
            .client_builder(&kod)
            .and_then(|b| b.timeout(Duration::from_secs(args.target.timeout)).build())
            .map_err(|e| Failure::Failed(format!("cannot set up a sandbox client: {e}")))?;
        sandbox = Some(s);
        client
    } else {
        real_client(&args.target, args.target.endpoint.as_deref().unwrap_or(""))?
    };

    let outbox = Outbox::open(&store, odesilatel)
        .await
        .map_err(outbox_failure)?
        .with_policy(policy(&args.target))
        .allow_late(args.allow_late);
    let outbox = progress(outbox, args.target.progress);
    // One transaction per file: a file is stored whole or not at all.
    let mut ids = Vec::new();
    for reports in &files {
        let batch: Vec<Hlaseni> = reports.iter().map(|i| i.hlaseni.clone()).collect();
        let stored = outbox.enqueue_all(&batch).await.map_err(outbox_failure)?;
        ids.extend(stored.into_iter().map(|e| e.podani_id));
    }
    if args.no_send {
        return print_states(&outbox, &ids, args.json, &store, sandboxed).await;
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.wait);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, outbox.run_until_idle(&client)).await {
            Ok(Ok(_)) | Err(_) => break,
            // Another worker sends from this outbox: it sends these too; watch them.
            Ok(Err(OutboxError::Busy(_))) => {
                if all_settled(&outbox, &ids).await? || left.is_zero() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200).min(left)).await;
            }
            Ok(Err(e)) => return Err(outbox_failure(e)),
        }
    }
    let result = print_states(&outbox, &ids, args.json, &store, sandboxed).await;
    if let Some(s) = sandbox {
        s.shutdown().await;
    }
    result
}

/// A short random suffix for temporary folder names.
fn uuid_like() -> String {
    format!(
        "{:x}",
        OffsetDateTime::now_utc().unix_timestamp_nanos() & 0xffff_ffff
    )
}

async fn all_settled(outbox: &Outbox, ids: &[String]) -> Result<bool, Failure> {
    for id in ids {
        let state = outbox.report(id).await.map_err(outbox_failure)?;
        if state.is_some_and(|s| s.stav == StavZpravy::Ceka) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn state_json(s: &ReportState) -> Value {
    json!({
        "podaniID": s.podani_id,
        "klic": s.klic,
        "druh": s.druh.as_str(),
        "stav": s.stav.as_str(),
        "nahlaseno": s.nahlaseno,
        "zruseno": s.zruseno,
        "vydano": rfc3339(s.vydano),
        "lhuta": rfc3339(s.lhuta),
        "potvrzeno": s.potvrzeno.map(rfc3339),
        "zpravy": s.zpravy,
        "pokusy": s.pokusy,
        "chyba": s.posledni_chyba,
    })
}

async fn print_states(
    outbox: &Outbox,
    ids: &[String],
    json: bool,
    store: &str,
    sandboxed: bool,
) -> Result<(), Failure> {
    let mut states = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = outbox.report(id).await.map_err(outbox_failure)? {
            states.push(s);
        }
    }
    let acknowledged = states
        .iter()
        .filter(|s| s.stav == StavZpravy::Potvrzeno)
        .count();
    let failed: Vec<&ReportState> = states
        .iter()
        .filter(|s| s.stav == StavZpravy::Selhalo)
        .collect();
    let waiting = states.len() - acknowledged - failed.len();
    if json {
        let doc = Value::Array(states.iter().map(state_json).collect());
        output::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ))?;
    } else {
        let mut text = String::new();
        for s in &states {
            let _ = write!(
                text,
                "{}  {:<8} {:<10} {}",
                s.podani_id,
                s.druh.as_str(),
                s.stav.as_str(),
                s.klic
            );
            if let Some(e) = &s.posledni_chyba
                && s.stav != StavZpravy::Potvrzeno
            {
                let _ = write!(text, "  ({})", single_line(e));
            }
            text.push('\n');
        }
        let _ = writeln!(
            text,
            "{} report(s): {acknowledged} acknowledged by SÚKL{}, {} failed, {waiting} waiting",
            states.len(),
            if sandboxed { " (sandbox)" } else { "" },
            failed.len()
        );
        output::stdout(&text)?;
    }
    if !failed.is_empty() {
        return Err(Failure::Failed(format!(
            "{} report(s) refused by SÚKL; fix the cause, then `b2b sukl outbox retry --store {store}`",
            failed.len()
        )));
    }
    if waiting > 0 {
        let hint = if sandboxed {
            String::new()
        } else {
            format!("; they stay in the outbox: `b2b sukl outbox run --store {store} …`")
        };
        return Err(Failure::Failed(format!(
            "{waiting} report(s) not acknowledged yet{hint}"
        )));
    }
    Ok(())
}

async fn reopen(store: &OutboxStoreArgs) -> Result<Outbox, Failure> {
    Outbox::reopen(&store.store).await.map_err(outbox_failure)
}

async fn list(args: OutboxListArgs) -> Result<(), Failure> {
    let outbox = reopen(&args.store).await?;
    let states = outbox.list(args.limit).await.map_err(outbox_failure)?;
    if args.json {
        let doc = Value::Array(states.iter().map(state_json).collect());
        return output::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    }
    let mut text = String::new();
    for s in &states {
        let _ = writeln!(
            text,
            "{}  {:<8} {:<10} lhůta {}  {}",
            s.podani_id,
            s.druh.as_str(),
            s.stav.as_str(),
            rfc3339(s.lhuta),
            s.klic
        );
    }
    let _ = writeln!(text, "{} report(s)", states.len());
    output::stdout(&text)
}

fn remaining(d: &Due) -> String {
    let secs = d.remaining_secs.unsigned_abs();
    let hm = format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60);
    if d.overdue {
        format!("OVERDUE by {hm}")
    } else {
        format!("due in {hm}")
    }
}

async fn due(args: OutboxDueArgs) -> Result<(), Failure> {
    let outbox = reopen(&args.store).await?;
    let now = OffsetDateTime::now_utc();
    let due = outbox
        .due(Duration::from_secs(args.hours.saturating_mul(3600)), now)
        .await
        .map_err(outbox_failure)?;
    if args.json {
        let doc = Value::Array(
            due.iter()
                .map(|d| {
                    let mut v = state_json(&d.report);
                    v["po_lhute"] = Value::Bool(d.overdue);
                    v["zbyva_s"] = Value::from(d.remaining_secs);
                    v
                })
                .collect(),
        );
        return output::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    }
    let mut text = String::new();
    for d in &due {
        let _ = writeln!(
            text,
            "{}  {:<8} {:<20} lhůta {}  {}",
            d.report.podani_id,
            d.report.druh.as_str(),
            remaining(d),
            rfc3339(d.report.lhuta),
            d.report.klic
        );
    }
    let overdue = due.iter().filter(|d| d.overdue).count();
    let _ = writeln!(
        text,
        "{} report(s) SÚKL does not have yet due within {} h, {overdue} overdue",
        due.len(),
        args.hours
    );
    output::stdout(&text)
}

async fn retry(args: OutboxStoreArgs) -> Result<(), Failure> {
    let outbox = reopen(&args).await?;
    let n = outbox.retry_failed().await.map_err(outbox_failure)?;
    output::stdout(&format!(
        "{n} failed message(s) will be sent again by the next `b2b sukl outbox run`\n"
    ))
}

async fn worker(args: OutboxRunArgs) -> Result<(), Failure> {
    let Some(endpoint) = args.target.endpoint.as_deref() else {
        return Err(Failure::Usage(
            "outbox run needs --endpoint (and --identity): an outbox sends to the endpoint it \
             was first used with"
                .into(),
        ));
    };
    let outbox = reopen(&args.store).await?.with_policy(policy(&args.target));
    let outbox = progress(outbox, args.target.progress);
    let client = real_client(&args.target, endpoint)?;
    if args.until_idle {
        let summary = outbox
            .run_until_idle(&client)
            .await
            .map_err(outbox_failure)?;
        return output::stdout(&format!(
            "sent {}, acknowledged {}, retried {}, failed {}\n",
            summary.sent, summary.acknowledged, summary.retried, summary.failed
        ));
    }
    outbox
        .run(&client, Duration::from_secs(args.poll.max(1)), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(outbox_failure)
}

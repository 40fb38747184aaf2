//! The sandbox's Číselníky SÚKL: a read-only subset of SÚKL's code-list API under
//! [`BASE_PATH`], answering in the shapes of `openapi/sukl/ciselniky.yaml` (SÚKL's published
//! description).
//!
//! Served (GET):
//!
//! | path | query | answer |
//! |---|---|---|
//! | `/lecivepripravky` | `fields=kod_sukl`, `je_regulovany=A\|N`, `limit` (default 20), `offset` (default 0); `stavy_registrace` and `platnost_od` accepted and not applied | `LecivePripravky`, header `x-total-count` |
//! | `/lecivepripravky/{kod_sukl}` | | `LecivePripravky` with the one product |
//! | `/cenypuvodce/{kod_sukl}` | | `CenyPuvodce` of a regulated product |
//! | `/atcskupiny`, `/atcskupiny/{kod_atc_skupina}` | `fields=kod_atc_skupina` | `AtcSkupiny` |
//! | `/lekarny` | `status=zarazeno\|vyrazeno` (listed or delisted; all without it), `fields=kod_pracoviste` | `Lekarny` |
//! | `/lekarny/{kod_pracoviste}` | | `Lekarny` with the one pharmacy |
//!
//! As SÚKL's description says: nothing found is 404 with `Error404 {error}` ("Nenalezeny žádné
//! záznamy"), also for a list that comes out empty; a URL it does not serve is 400 with
//! `Error400 {error}` ("Pro dané URL není služba implementována"). A query value outside its
//! enumeration or a `limit`/`offset` that is not a number is 400 too (**the sandbox's own
//! rule**: SÚKL's answer to those is not described). `fields` returns records with that one
//! field (the sandbox's reading of the parameter).
//!
//! **The data are invented**: [`PRIPRAVKY`] and [`LEKARNY`] are plausible but fictitious —
//! codes, names, holders, addresses and people are made up for the sandbox and name no real
//! product or pharmacy. The pharmacy [`SANDBOX_KOD_PRACOVISTE`](super::SANDBOX_KOD_PRACOVISTE)
//! is the workplace of the sandbox's LEK-13 certificate, and product `0012345` the one its
//! LEK-13 examples report.
//!
//! The code lists need no particular certificate: the sandbox's TLS layer asks every client for
//! one of its certificates (any will do here), while SÚKL's description declares no security.

use serde_json::{Map, Value, json};

use sdk_runtime::sandbox::{SandboxRequest, SandboxResponse};
use sdk_runtime::url::{Url, form_urlencoded};

use super::Sandbox;

/// The path the sandbox serves the code lists under: the published `basePath`.
pub const BASE_PATH: &str = "/cissuklapi/v1";

/// SÚKL's text for 400 in its description.
const NEIMPLEMENTOVANO: &str = "Pro dané URL není služba implementována";
/// SÚKL's text for 404 in its description.
const NENALEZENO: &str = "Nenalezeny žádné záznamy";

/// A product of the sandbox's code list (invented).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Pripravek {
    /// `KOD_SUKL`.
    pub kod_sukl: &'static str,
    /// `NAZEV`.
    pub nazev: &'static str,
    /// `SILA`.
    pub sila: &'static str,
    /// `KOD_LEKOVA_FORMA`.
    pub forma: &'static str,
    /// `BALENI`.
    pub baleni: &'static str,
    /// `KOD_CESTA_PODANI`.
    pub cesta: &'static str,
    /// `KOD_OBAL`.
    pub obal: &'static str,
    /// `REGISTRACNI_CISLO`.
    pub registracni_cislo: &'static str,
    /// `KOD_STAV_REGISTRACE`.
    pub stav_registrace: &'static str,
    /// `KOD_ATC_SKUPINA`.
    pub atc: &'static str,
    /// `KOD_ZPUSOB_VYDEJE`.
    pub zpusob_vydeje: &'static str,
    /// `JE_REGULOVANY` (`A`/`N`).
    pub regulovany: &'static str,
    /// `DDD_BALENI`.
    pub ddd_baleni: f64,
    /// The manufacturer's price (`CENA_PUVODCE`) of a regulated product.
    pub cena_puvodce: Option<f64>,
}

/// The sandbox's products (invented; see the module documentation).
pub const PRIPRAVKY: [Pripravek; 6] = [
    Pripravek {
        kod_sukl: "0012345",
        nazev: "PARACETAMOL SANDBOX",
        sila: "500MG",
        forma: "TBL NOB",
        baleni: "24",
        cesta: "POR",
        obal: "BLI",
        registracni_cislo: "07/101/99-C",
        stav_registrace: "R",
        atc: "N02BE01",
        zpusob_vydeje: "V",
        regulovany: "N",
        ddd_baleni: 4.0,
        cena_puvodce: None,
    },
    Pripravek {
        kod_sukl: "0023456",
        nazev: "IBUPROFEN SANDBOX",
        sila: "400MG",
        forma: "TBL FLM",
        baleni: "30",
        cesta: "POR",
        obal: "BLI",
        registracni_cislo: "29/202/05-C",
        stav_registrace: "R",
        atc: "M01AE01",
        zpusob_vydeje: "V",
        regulovany: "N",
        ddd_baleni: 10.0,
        cena_puvodce: None,
    },
    Pripravek {
        kod_sukl: "0034567",
        nazev: "AMOXICILIN SANDBOX",
        sila: "500MG",
        forma: "CPS DUR",
        baleni: "21",
        cesta: "POR",
        obal: "BLI",
        registracni_cislo: "15/303/08-C",
        stav_registrace: "R",
        atc: "J01CA04",
        zpusob_vydeje: "R",
        regulovany: "A",
        ddd_baleni: 7.0,
        cena_puvodce: Some(61.78),
    },
    Pripravek {
        kod_sukl: "0045678",
        nazev: "METFORMIN SANDBOX",
        sila: "850MG",
        forma: "TBL FLM",
        baleni: "60",
        cesta: "POR",
        obal: "BLI",
        registracni_cislo: "18/404/10-C",
        stav_registrace: "R",
        atc: "A10BA02",
        zpusob_vydeje: "R",
        regulovany: "A",
        ddd_baleni: 25.5,
        cena_puvodce: Some(89.5),
    },
    Pripravek {
        kod_sukl: "0056789",
        nazev: "ATORVASTATIN SANDBOX",
        sila: "20MG",
        forma: "TBL FLM",
        baleni: "30",
        cesta: "POR",
        obal: "BLI",
        registracni_cislo: "31/505/12-C",
        stav_registrace: "R",
        atc: "C10AA05",
        zpusob_vydeje: "R",
        regulovany: "A",
        ddd_baleni: 30.0,
        cena_puvodce: Some(104.12),
    },
    Pripravek {
        kod_sukl: "0067890",
        nazev: "SALBUTAMOL SANDBOX",
        sila: "100MCG/DÁV",
        forma: "INH SUS PSS",
        baleni: "1X200DÁV",
        cesta: "INH",
        obal: "LAG",
        registracni_cislo: "14/606/14-C",
        stav_registrace: "R",
        atc: "R03AC02",
        zpusob_vydeje: "R",
        regulovany: "A",
        ddd_baleni: 25.0,
        cena_puvodce: Some(72.4),
    },
];

/// A pharmacy of the sandbox's list (invented).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Lekarna {
    /// `KOD_PRACOVISTE`, 11 digits.
    pub kod_pracoviste: &'static str,
    /// `NAZEV`.
    pub nazev: &'static str,
    /// `KOD_LEKARNA`.
    pub kod_lekarna: &'static str,
    /// `ICO`.
    pub ico: &'static str,
    /// `ICZ`.
    pub icz: &'static str,
    /// `MESTO`.
    pub mesto: &'static str,
    /// `ULICE`.
    pub ulice: &'static str,
    /// `PSC`.
    pub psc: &'static str,
    /// `LEKARNIK_PRIJMENI`, `LEKARNIK_JMENO`.
    pub lekarnik: (&'static str, &'static str),
    /// `STATUS`: `Z` listed (zařazena), `V` delisted (vyřazena).
    pub status: &'static str,
    /// `ERECEPT` (`A`/`N`).
    pub erecept: &'static str,
    /// `POHOTOVOST_24H` (`A`/`N`).
    pub pohotovost_24h: &'static str,
}

/// The sandbox's pharmacies (invented; see the module documentation).
pub const LEKARNY: [Lekarna; 4] = [
    Lekarna {
        kod_pracoviste: super::SANDBOX_KOD_PRACOVISTE,
        nazev: "Lékárna U Sandboxu",
        kod_lekarna: "12345678",
        ico: "01234567",
        icz: super::SANDBOX_ICZ,
        mesto: "Praha 2",
        ulice: "Vinohradská 1",
        psc: "120 00",
        lekarnik: ("Nováková", "Jana"),
        status: "Z",
        erecept: "A",
        pohotovost_24h: "N",
    },
    Lekarna {
        kod_pracoviste: "23456789012",
        nazev: "Lékárna Na Náměstí",
        kod_lekarna: "23456789",
        ico: "12345670",
        icz: "23456000",
        mesto: "Brno",
        ulice: "náměstí Svobody 2",
        psc: "602 00",
        lekarnik: ("Dvořák", "Petr"),
        status: "Z",
        erecept: "A",
        pohotovost_24h: "A",
    },
    Lekarna {
        kod_pracoviste: "34567890123",
        nazev: "Lékárna Pod Lípou",
        kod_lekarna: "34567890",
        ico: "23456701",
        icz: "34567000",
        mesto: "Olomouc",
        ulice: "Lipová 3",
        psc: "779 00",
        lekarnik: ("Svobodová", "Eva"),
        status: "V",
        erecept: "N",
        pohotovost_24h: "N",
    },
    Lekarna {
        kod_pracoviste: "45678901234",
        nazev: "Nemocniční lékárna Sandbox",
        kod_lekarna: "45678901",
        ico: "34567012",
        icz: "45678000",
        mesto: "Ostrava",
        ulice: "Nemocniční 4",
        psc: "702 00",
        lekarnik: ("Černý", "Tomáš"),
        status: "Z",
        erecept: "A",
        pohotovost_24h: "A",
    },
];

/// The ATC groups of the sandbox's products: code, Czech and English name (the WHO's groups;
/// names written for the sandbox).
const ATC: [(&str, &str, &str); 6] = [
    ("A10BA02", "Metformin", "metformin"),
    ("C10AA05", "Atorvastatin", "atorvastatin"),
    ("J01CA04", "Amoxicilin", "amoxicillin"),
    ("M01AE01", "Ibuprofen", "ibuprofen"),
    ("N02BE01", "Paracetamol", "paracetamol"),
    ("R03AC02", "Salbutamol", "salbutamol"),
];

impl Pripravek {
    /// The product as a `LecivyPripravek` of the description.
    pub fn to_json(&self) -> Value {
        json!({
            "KOD_SUKL": self.kod_sukl,
            "NAZEV": self.nazev,
            "SILA": self.sila,
            "KOD_LEKOVA_FORMA": self.forma,
            "BALENI": self.baleni,
            "KOD_CESTA_PODANI": self.cesta,
            "DOPLNEK": format!("{} {} {}", self.sila, self.forma, self.baleni),
            "KOD_OBAL": self.obal,
            "REGISTRACNI_CISLO": self.registracni_cislo,
            "KOD_REGISTRACNI_PROCEDURA": "NAR",
            "KOD_STAV_REGISTRACE": self.stav_registrace,
            "KOD_DRUH_REGISTRACE": null,
            "KOD_ORGANIZACE_DRZITEL": "SNDBX",
            "KOD_ZEME_DRZITEL": "CZ",
            "KOD_ORGANIZACE_DRZITEL_SREG_B": null,
            "KOD_ZEME_DRZITEL_SREG_B": null,
            "SOUBEZNY_DOVOZ": null,
            "KOD_ORGANIZACE_DOVOZCE": null,
            "KOD_ZEME_DOVOZCE": null,
            "PLATNOST_REGISTRACE_DO": null,
            "NEOMEZENA_PLATNOST_REGISTRACE": "A",
            "UVADENI_DO": null,
            "KOD_INDIKACNI_SKUPINA": 7,
            "KOD_ATC_SKUPINA": self.atc,
            "DDD_MNOZSTVI": null,
            "DDD_JEDNOTKA": null,
            "DDD_BALENI": self.ddd_baleni,
            "DDD_ZDROJ": "WHO",
            "POVINNE_VZORKY": "N",
            "KOD_ZPUSOB_VYDEJE": self.zpusob_vydeje,
            "KOD_ZAVISLOST": null,
            "KOD_DOPING": null,
            "KOD_NARIZENI_VLADY": null,
            "BRAILLOVO_PISMO": "S",
            "EXPIRACE": "36",
            "EXPIRACE_JEDNOTKA": "M",
            "JE_REGULOVANY": self.regulovany,
        })
    }
}

impl Lekarna {
    /// The pharmacy as a `Lekarna` of the description.
    pub fn to_json(&self) -> Value {
        let slug = self.kod_lekarna;
        json!({
            "KOD_PRACOVISTE": self.kod_pracoviste,
            "NAZEV": self.nazev,
            "KOD_LEKARNA": self.kod_lekarna,
            "KOD_TYP_LEKARNA": "LEKARNA",
            "ICO": self.ico,
            "ICZ": self.icz,
            "MESTO": self.mesto,
            "ULICE": self.ulice,
            "PSC": self.psc,
            "PROVOZOVATEL": format!("Sandbox Pharma s.r.o., {}, {} {}", self.ulice, self.psc, self.mesto),
            "LEKARNIK_PRIJMENI": self.lekarnik.0,
            "LEKARNIK_JMENO": self.lekarnik.1,
            "LEKARNIK_TITUL": "PharmDr.",
            "KOD_OKL": "401",
            "STATUS": self.status,
            "REGION": self.mesto,
            "WWW": null,
            "EMAIL": format!("lekarna-{slug}@example.org"),
            "TELEFON": "+420 000 000 000",
            "FAX": null,
            "ERECEPT": self.erecept,
            "POHOTOVOST_24H": self.pohotovost_24h,
        })
    }
}

fn json_response(status: u16, body: &Value) -> SandboxResponse {
    SandboxResponse::new(status, "application/json", body.to_string())
}

fn error(status: u16, text: &str) -> SandboxResponse {
    json_response(status, &json!({ "error": text }))
}

/// Whether `path` is one of the code lists'.
pub(super) fn is_ciselniky_path(path: &str) -> bool {
    path == BASE_PATH || path.starts_with(&format!("{BASE_PATH}/"))
}

/// The query parameters, decoded; a repeated one keeps its first value.
fn query(request: &SandboxRequest) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(q) = &request.query {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            out.entry(k.into_owned())
                .or_insert_with(|| Value::String(v.into_owned()));
        }
    }
    out
}

/// A path segment, percent-decoded.
fn segment(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A query value that must be one of `allowed`, or the 400.
fn one_of<'q>(
    q: &'q Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<&'q str>, SandboxResponse> {
    match q.get(name).and_then(Value::as_str) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(error(
            400,
            &format!(
                "{NEIMPLEMENTOVANO} ({name}={v}: allowed {})",
                allowed.join(", ")
            ),
        )),
    }
}

/// A non-negative whole number from the query (`limit`, `offset`), or the 400.
fn count(q: &Map<String, Value>, name: &str, default: usize) -> Result<usize, SandboxResponse> {
    match q.get(name).and_then(Value::as_str) {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
            .map(|f| f as usize)
            .ok_or_else(|| {
                error(
                    400,
                    &format!("{NEIMPLEMENTOVANO} ({name}={v}: not a whole number)"),
                )
            }),
    }
}

/// Only `field` of every record, when `fields` asks for it.
fn only(records: Vec<Value>, fields: Option<&str>) -> Vec<Value> {
    let Some(f) = fields else {
        return records;
    };
    let key = f.to_ascii_uppercase();
    records
        .into_iter()
        .map(|r| json!({ key.clone(): r.get(&key).cloned().unwrap_or(Value::Null) }))
        .collect()
}

/// A list answer: 404 when empty, else the records with `x-total-count`.
fn list(records: Vec<Value>, total: usize) -> SandboxResponse {
    if records.is_empty() {
        return error(404, NENALEZENO);
    }
    json_response(200, &Value::Array(records)).with_header("x-total-count", total.to_string())
}

/// Answers a request under [`BASE_PATH`].
pub(super) fn answer(request: &SandboxRequest) -> SandboxResponse {
    let rest = request.path.strip_prefix(BASE_PATH).unwrap_or_default();
    let segments: Vec<String> = rest
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(segment)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if request.method != "GET" {
        return error(400, NEIMPLEMENTOVANO);
    }
    let q = query(request);
    let result = match segments.as_slice() {
        ["lecivepripravky"] => pripravky(&q),
        ["lecivepripravky", kod] => {
            let found: Vec<Value> = PRIPRAVKY
                .iter()
                .filter(|p| p.kod_sukl == *kod)
                .map(Pripravek::to_json)
                .collect();
            let n = found.len();
            Ok(list(found, n))
        }
        ["cenypuvodce", kod] => Ok(
            match PRIPRAVKY
                .iter()
                .find(|p| p.kod_sukl == *kod)
                .and_then(|p| p.cena_puvodce)
            {
                Some(cena) => json_response(200, &json!({"KOD_SUKL": kod, "CENA_PUVODCE": cena}))
                    .with_header("x-total-count", "1"),
                None => error(404, NENALEZENO),
            },
        ),
        ["atcskupiny"] => one_of(&q, "fields", &["kod_atc_skupina"]).map(|fields| {
            let all: Vec<Value> = ATC.iter().map(atc_json).collect();
            let n = all.len();
            list(only(all, fields), n)
        }),
        ["atcskupiny", kod] => {
            let found: Vec<Value> = ATC.iter().filter(|a| a.0 == *kod).map(atc_json).collect();
            let n = found.len();
            Ok(list(found, n))
        }
        ["lekarny"] => lekarny(&q),
        ["lekarny", kod] => {
            let found: Vec<Value> = LEKARNY
                .iter()
                .filter(|l| l.kod_pracoviste == *kod)
                .map(Lekarna::to_json)
                .collect();
            let n = found.len();
            Ok(list(found, n))
        }
        _ => Err(error(400, NEIMPLEMENTOVANO)),
    };
    result.unwrap_or_else(|refusal| refusal)
}

fn atc_json(a: &(&str, &str, &str)) -> Value {
    json!({"KOD_ATC_SKUPINA": a.0, "NAZEV": a.1, "NAZEV_EN": a.2, "JE_SUKL_ATC_SKUPINA": "N"})
}

fn pripravky(q: &Map<String, Value>) -> Result<SandboxResponse, SandboxResponse> {
    let fields = one_of(q, "fields", &["kod_sukl"])?;
    let regulovany = one_of(q, "je_regulovany", &["A", "N"])?;
    one_of(q, "stavy_registrace", &["stavy_registrace_scau"])?;
    let limit = count(q, "limit", 20)?;
    let offset = count(q, "offset", 0)?;
    let matching: Vec<&Pripravek> = PRIPRAVKY
        .iter()
        .filter(|p| regulovany.is_none_or(|r| p.regulovany == r))
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(Pripravek::to_json)
        .collect();
    Ok(list(only(page, fields), total))
}

fn lekarny(q: &Map<String, Value>) -> Result<SandboxResponse, SandboxResponse> {
    let fields = one_of(q, "fields", &["kod_pracoviste"])?;
    let status = one_of(q, "status", &["zarazeno", "vyrazeno"])?.map(|s| match s {
        "zarazeno" => "Z",
        _ => "V",
    });
    let found: Vec<Value> = LEKARNY
        .iter()
        .filter(|l| status.is_none_or(|s| l.status == s))
        .map(Lekarna::to_json)
        .collect();
    let n = found.len();
    Ok(list(only(found, fields), n))
}

impl Sandbox {
    /// The base URL of the code lists (`https://127.0.0.1:PORT/cissuklapi/v1`).
    pub fn ciselniky_base_url(&self) -> Url {
        let mut url = self.server.base_url();
        url.set_path(BASE_PATH);
        url
    }

    /// A code-list client for this sandbox: a sandbox certificate (the TLS layer asks for one),
    /// the sandbox CA as the only trust anchor, [`ciselniky_base_url`](Self::ciselniky_base_url).
    #[cfg(feature = "ciselniky")]
    pub fn ciselniky_client(
        &self,
    ) -> Result<crate::ciselniky::Client, crate::ciselniky::ClientBuildError> {
        use crate::ciselniky::{Client, ClientBuildError};
        let cert = self
            .pki
            .issue_client_cert(super::SANDBOX_KOD_PRACOVISTE)
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        let identity = cert
            .identity()
            .map_err(|e| ClientBuildError::Sandbox(e.to_string()))?;
        Client::builder()
            .base_url(self.ciselniky_base_url().to_string())
            .identity(identity)
            .platform_roots(false)
            .add_root_certificates_pem(self.ca_cert_pem().as_bytes())
            .build()
    }
}

//! What a pharmacy reports: one dispensing (a prescription, a requisition or a restricted
//! sale) with its items, checked against the guidance's rules before anything is stored or
//! sent, and turned into the wire report with its RFC 4122 identifiers.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use sdk_runtime::xml::{Validate, ValidationError, Validator, ViolationKind};
use sdk_runtime::{Decimal, decimal};

use super::values::{FormaIplp, Icp, KodSukl, Odesilatel, Pohlavi, check_digits};
use crate::generated::lek13::types as t;

/// SÚKL must have a report within 168 hours of the dispensing (guidance A).
pub const LHUTA: Duration = Duration::hours(168);

/// How far in the future a dispensing time may lie (clocks differ).
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The three kinds of report (guidance A; the names of SÚKL's LEK-13 open data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DruhHlaseni {
    /// Dispensing on prescription.
    Recept,
    /// Dispensing on a requisition (žádanka) of a health-care provider.
    Zadanka,
    /// Restricted non-prescription sale (volný prodej s omezením, OTC s omezením).
    Volny,
}

impl DruhHlaseni {
    /// The name on the wire and in the store: `recept`, `zadanka`, `volny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recept => "recept",
            Self::Zadanka => "zadanka",
            Self::Volny => "volny",
        }
    }

    /// The kind of a name given by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "recept" => Some(Self::Recept),
            "zadanka" => Some(Self::Zadanka),
            "volny" => Some(Self::Volny),
            _ => None,
        }
    }
}

impl fmt::Display for DruhHlaseni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of dispensed item (guidance B.1.1–B.1.3, B.2.1–B.2.3; a restricted sale has only the
/// first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DruhPolozky {
    /// A product with a SÚKL code (`reglp`).
    Registrovany,
    /// A product without a SÚKL code (`nereglp`).
    Neregistrovany,
    /// An individually prepared medicine (`iplp`).
    Iplp,
}

/// One dispensing to report. Build it with [`Hlaseni::recept`], [`Hlaseni::zadanka`] or
/// [`Hlaseni::volny_prodej`] and [`polozka`](Self::polozka), or read it from JSON (the names
/// of the wire: `druh`, `klic`, `icp`, `rokNarozeni`, `pohlavi`, `polozky`; unknown names are
/// refused). [`check`](Self::check) applies the guidance's rules; the wire report is built by
/// [`to_wire`](Self::to_wire).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Hlaseni {
    /// The kind of report.
    pub druh: DruhHlaseni,
    /// Your own key of this dispensing (e.g. its row in your database). Enqueueing a report
    /// with a key the outbox already holds returns the stored report instead of a second one,
    /// so a crash between your commit and the enqueue cannot report a dispensing twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub klic: Option<String>,
    /// The report's UUID, if you assign it; otherwise the SDK generates one (version 4) once,
    /// when the report is stored, and every resend uses it.
    #[serde(default, rename = "podaniID", skip_serializing_if = "Option::is_none")]
    pub podani_id: Option<String>,
    /// Prescription: the prescriber's IČP. Requisition: its IČP, or its provider's IČZ when
    /// it has none. Not in restricted sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icp: Option<String>,
    /// Prescription: the patient's year of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rok_narozeni: Option<i32>,
    /// Prescription: the patient's sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pohlavi: Option<Pohlavi>,
    /// The dispensed items (at least one).
    pub polozky: Vec<Polozka>,
}

impl fmt::Debug for Hlaseni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hlaseni")
            .field("druh", &self.druh)
            .field("klic", &self.klic)
            .field("podani_id", &self.podani_id)
            .field("icp", &self.icp)
            .field("rok_narozeni", &sdk_runtime::redact::REDACTED)
            .field("pohlavi", &sdk_runtime::redact::REDACTED)
            .field("polozky", &self.polozky)
            .finish()
    }
}

/// One dispensed item. The constructors set what every item of a kind needs; the setters add
/// the rest. Which fields a kind requires or allows is checked by [`Hlaseni::check`]: a field
/// the kind does not have is refused, never dropped.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Polozka {
    /// The kind of item.
    pub druh: DruhPolozky,
    /// The item's UUID, if you assign it; otherwise generated with the report's.
    #[serde(default, rename = "polozkaID", skip_serializing_if = "Option::is_none")]
    pub polozka_id: Option<String>,
    /// When it was dispensed: RFC 3339 (`2026-12-06T09:30:00+01:00`), or a date
    /// (`2026-12-06`, counted from its first moment in Czech time for the 168 hours).
    pub vydano: String,
    /// Quantity in packages; only a requisition may dispense part of a package.
    pub mnozstvi: Decimal,
    /// Final sale price with VAT and margin, CZK, for all packages (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cena_konecna: Option<Decimal>,
    /// Manufacturer's price, CZK (regulated products with a SÚKL code; optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cena_puvodce: Option<Decimal>,
    /// Prescription: the patient pays the full price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hradi_pacient: Option<bool>,
    /// Prescription: what the health insurer pays, CZK.
    #[serde(default, rename = "uhradaZP", skip_serializing_if = "Option::is_none")]
    pub uhrada_zp: Option<Decimal>,
    /// The SÚKL code (products with one, and every restricted sale).
    #[serde(default, rename = "kodSUKL", skip_serializing_if = "Option::is_none")]
    pub kod_sukl: Option<String>,
    /// Product name.
    pub nazev: String,
    /// Batch (all but individually prepared medicines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sarze: Option<String>,
    /// Pharmaceutical form (products without a SÚKL code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forma: Option<String>,
    /// Strength: amount and name of the active substance (products without a SÚKL code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sila: Option<String>,
    /// Package size (products without a SÚKL code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baleni: Option<String>,
    /// Form of an individually prepared medicine.
    #[serde(default, rename = "formaIPLP", skip_serializing_if = "Option::is_none")]
    pub forma_iplp: Option<FormaIplp>,
    /// Taxa laborum of an individually prepared medicine, CZK (not for unregulated ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxa_laborum: Option<Decimal>,
    /// Restricted sale: the patient's year of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rok_narozeni: Option<i32>,
    /// Restricted sale: the patient's sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pohlavi: Option<Pohlavi>,
}

impl fmt::Debug for Polozka {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Polozka")
            .field("druh", &self.druh)
            .field("polozka_id", &self.polozka_id)
            .field("vydano", &self.vydano)
            .field("mnozstvi", &self.mnozstvi)
            .field("kod_sukl", &self.kod_sukl)
            .field("nazev", &self.nazev)
            .field("sarze", &self.sarze)
            .field("rok_narozeni", &sdk_runtime::redact::REDACTED)
            .field("pohlavi", &sdk_runtime::redact::REDACTED)
            .finish_non_exhaustive()
    }
}

impl Hlaseni {
    fn new(druh: DruhHlaseni) -> Self {
        Self {
            druh,
            klic: None,
            podani_id: None,
            icp: None,
            rok_narozeni: None,
            pohlavi: None,
            polozky: Vec::new(),
        }
    }

    /// A prescription report: the prescriber's IČP, the patient's year of birth and sex.
    pub fn recept(icp: &Icp, rok_narozeni: i32, pohlavi: Pohlavi) -> Self {
        let mut h = Self::new(DruhHlaseni::Recept);
        h.icp = Some(icp.to_string());
        h.rok_narozeni = Some(rok_narozeni);
        h.pohlavi = Some(pohlavi);
        h
    }

    /// A requisition report: the requisition's IČP (or its provider's IČZ when it has none).
    pub fn zadanka(icp: &Icp) -> Self {
        let mut h = Self::new(DruhHlaseni::Zadanka);
        h.icp = Some(icp.to_string());
        h
    }

    /// A restricted-sale report (year of birth and sex go on each item).
    pub fn volny_prodej() -> Self {
        Self::new(DruhHlaseni::Volny)
    }

    /// Sets your key of the dispensing (see [`klic`](Self::klic)).
    pub fn klic(mut self, klic: impl Into<String>) -> Self {
        self.klic = Some(klic.into());
        self
    }

    /// Adds an item.
    pub fn polozka(mut self, polozka: Polozka) -> Self {
        self.polozky.push(polozka);
        self
    }

    /// The earliest dispensing time of the items (the 168 hours run from it), if every item's
    /// time parses.
    pub fn vydano(&self) -> Option<OffsetDateTime> {
        let mut earliest: Option<OffsetDateTime> = None;
        for p in &self.polozky {
            let t = parse_vydano(&p.vydano).ok()?;
            earliest = Some(earliest.map_or(t, |e| e.min(t)));
        }
        earliest
    }

    /// When SÚKL must have the report: [`LHUTA`] after the earliest dispensing.
    pub fn lhuta(&self) -> Option<OffsetDateTime> {
        self.vydano().map(|t| t + LHUTA)
    }

    /// Checks every rule of the guidance that can be checked here, at `now`: the fields each
    /// kind of report and item requires and allows, SÚKL codes (7 digits), IČP (8 digits), the
    /// year of birth, dispensing times not in the future and within the 168 hours (unless
    /// `late_allowed`), positive quantities (whole packages but on requisitions), prices not
    /// negative with at most two decimals. Every problem is listed, each naming its field by
    /// its wire name (`reglp/[0]/kodSUKL` is the first item with a SÚKL code).
    pub fn check(&self, now: OffsetDateTime, late_allowed: bool) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        if let Some(k) = &self.klic
            && (k.trim().is_empty() || k.len() > 200)
        {
            v.field("klic", |v| {
                v.violation(ViolationKind::Length, "must be 1 to 200 characters")
            });
        }
        if let Some(id) = &self.podani_id {
            v.field("podaniID", |v| check_uuid(v, id));
        }
        let year = now.year();
        match self.druh {
            DruhHlaseni::Recept => {
                v.field("icp", |v| check_digits(v, opt(&self.icp), 8, "an IČP"));
                v.field("rokNarozeni", |v| check_year(v, self.rok_narozeni, year));
                v.field("pohlavi", |v| check_sex(v, self.pohlavi.as_ref()));
            }
            DruhHlaseni::Zadanka => {
                v.field("icp", |v| {
                    check_digits(v, opt(&self.icp), 8, "an IČP (or the provider's IČZ)")
                });
                not_allowed(
                    &mut v,
                    "rokNarozeni",
                    self.rok_narozeni.is_some(),
                    self.druh,
                );
                not_allowed(&mut v, "pohlavi", self.pohlavi.is_some(), self.druh);
            }
            DruhHlaseni::Volny => {
                not_allowed(&mut v, "icp", self.icp.is_some(), self.druh);
                not_allowed(
                    &mut v,
                    "rokNarozeni",
                    self.rok_narozeni.is_some(),
                    self.druh,
                );
                not_allowed(&mut v, "pohlavi", self.pohlavi.is_some(), self.druh);
            }
        }
        if self.polozky.is_empty() {
            v.field("polozky", |v| {
                v.violation(ViolationKind::Occurs, "a report has at least one item")
            });
        }
        let mut ids: Vec<&str> = Vec::new();
        for (list, i, p) in self.positions() {
            v.field(list, |v| {
                v.field(&format!("[{i}]"), |v| {
                    self.check_item(v, p, now, late_allowed);
                    if let Some(id) = &p.polozka_id {
                        if ids.contains(&id.as_str()) {
                            v.field("polozkaID", |v| {
                                v.violation(ViolationKind::Format, "used by another item")
                            });
                        }
                        ids.push(id);
                    }
                })
            });
        }
        v.finish()
    }

    /// Each item with the wire list it goes to and its index there.
    fn positions(&self) -> Vec<(&'static str, usize, &Polozka)> {
        let mut counts = [0usize; 3];
        let mut out = Vec::new();
        for p in &self.polozky {
            let (list, slot) = match (self.druh, p.druh) {
                (DruhHlaseni::Volny, _) => ("polozky", 0),
                (_, DruhPolozky::Registrovany) => ("reglp", 0),
                (_, DruhPolozky::Neregistrovany) => ("nereglp", 1),
                (_, DruhPolozky::Iplp) => ("iplp", 2),
            };
            out.push((list, counts[slot], p));
            counts[slot] += 1;
        }
        out
    }

    fn check_item(&self, v: &mut Validator, p: &Polozka, now: OffsetDateTime, late: bool) {
        use DruhPolozky::*;
        let druh = self.druh;
        if let Some(id) = &p.polozka_id {
            v.field("polozkaID", |v| check_uuid(v, id));
        }
        if druh == DruhHlaseni::Volny && p.druh != Registrovany {
            v.field("druh", |v| {
                v.violation(
                    ViolationKind::Enumeration,
                    "a restricted sale reports products with a SÚKL code only",
                )
            });
        }
        v.field("datumVydeje", |v| match parse_vydano(&p.vydano) {
            Err(message) => v.violation(ViolationKind::Format, message),
            Ok(t) if t > now + CLOCK_SKEW => {
                v.violation(ViolationKind::Range, "the dispensing time is in the future")
            }
            Ok(t) if !late && now > t + LHUTA => v.violation(
                ViolationKind::Deadline,
                format!(
                    "dispensed more than 168 hours ago (SÚKL needed it by {}); report it anyway \
                     only on purpose (late reports allowed)",
                    (t + LHUTA).format(&Rfc3339).unwrap_or_default()
                ),
            ),
            Ok(_) => {}
        });
        v.field("mnozstvi", |v| {
            let m = &p.mnozstvi;
            if m.is_negative() || m.is_zero() {
                v.violation(ViolationKind::Range, format!("must be positive, is {m}"));
            } else if *m > Decimal::from(999_999_999) {
                v.violation(ViolationKind::Range, "must be at most 999999999");
            } else if druh != DruhHlaseni::Zadanka && m.fraction_digits() != 0 {
                v.violation(
                    ViolationKind::Range,
                    "whole packages only (part of a package only on a requisition)",
                );
            }
        });
        check_amount(v, "cenaKonecna", p.cena_konecna.as_ref(), false);
        let with_code = p.druh == Registrovany;
        let recept = druh == DruhHlaseni::Recept;
        // Manufacturer's price: products with a SÚKL code on prescriptions and requisitions.
        if with_code && druh != DruhHlaseni::Volny {
            check_amount(v, "cenaPuvodce", p.cena_puvodce.as_ref(), false);
        } else {
            not_allowed_item(v, "cenaPuvodce", p.cena_puvodce.is_some(), druh, p.druh);
        }
        if recept {
            v.field("hradiPacient", |v| {
                if p.hradi_pacient.is_none() {
                    v.violation(ViolationKind::Required, "required on prescriptions");
                }
            });
            check_amount(v, "uhradaZP", p.uhrada_zp.as_ref(), true);
        } else {
            not_allowed_item(v, "hradiPacient", p.hradi_pacient.is_some(), druh, p.druh);
            not_allowed_item(v, "uhradaZP", p.uhrada_zp.is_some(), druh, p.druh);
        }
        if with_code {
            v.field("kodSUKL", |v| {
                check_digits(v, opt(&p.kod_sukl), KodSukl::DIGITS, "a SÚKL code")
            });
        } else {
            not_allowed_item(v, "kodSUKL", p.kod_sukl.is_some(), druh, p.druh);
        }
        v.field("nazev", |v| check_text(v, Some(&p.nazev), 100));
        if p.druh == Iplp {
            not_allowed_item(v, "sarze", p.sarze.is_some(), druh, p.druh);
            v.field("formaIPLP", |v| {
                if p.forma_iplp.is_none() {
                    v.violation(
                        ViolationKind::Required,
                        "required for individually prepared medicines",
                    );
                }
            });
            check_amount(v, "taxaLaborum", p.taxa_laborum.as_ref(), false);
        } else {
            v.field("sarze", |v| check_text(v, p.sarze.as_ref(), 20));
            not_allowed_item(v, "formaIPLP", p.forma_iplp.is_some(), druh, p.druh);
            not_allowed_item(v, "taxaLaborum", p.taxa_laborum.is_some(), druh, p.druh);
        }
        if p.druh == Neregistrovany {
            v.field("forma", |v| check_text(v, p.forma.as_ref(), 50));
            v.field("sila", |v| check_text(v, p.sila.as_ref(), 100));
            v.field("baleni", |v| check_text(v, p.baleni.as_ref(), 50));
        } else {
            not_allowed_item(v, "forma", p.forma.is_some(), druh, p.druh);
            not_allowed_item(v, "sila", p.sila.is_some(), druh, p.druh);
            not_allowed_item(v, "baleni", p.baleni.is_some(), druh, p.druh);
        }
        if druh == DruhHlaseni::Volny {
            let year = now.year();
            v.field("rokNarozeni", |v| check_year(v, p.rok_narozeni, year));
            v.field("pohlavi", |v| check_sex(v, p.pohlavi.as_ref()));
        } else {
            not_allowed_item(v, "rokNarozeni", p.rok_narozeni.is_some(), druh, p.druh);
            not_allowed_item(v, "pohlavi", p.pohlavi.is_some(), druh, p.druh);
        }
    }

    /// The wire report: `odesilatel`'s workplace, IČZ and software, the given identifiers or
    /// new RFC 4122 version 4 ones. Checks the report at `now` first ([`check`](Self::check))
    /// and the result against the description's own rules.
    pub fn to_wire(
        &self,
        odesilatel: &Odesilatel,
        now: OffsetDateTime,
        late_allowed: bool,
    ) -> Result<WireReport, ValidationError> {
        let mut v = Validator::new();
        if let Err(e) = self.check(now, late_allowed) {
            v.extend(e);
        }
        v.field("sw", |v| odesilatel.sw.check(v));
        v.finish()?;
        let id = |given: &Option<String>| {
            given
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
        };
        let podani_id = id(&self.podani_id);
        let kod = odesilatel.kod_pracoviste.to_string();
        let icz = odesilatel.icz.to_string();
        let sw = t::Software {
            nazev: odesilatel.sw.nazev.clone(),
            verze: odesilatel.sw.verze.clone(),
            vyrobce: odesilatel.sw.vyrobce.clone(),
        };
        let icp = self.icp.clone().unwrap_or_default();
        // Struct literals with field names (this crate holds the generated types): no two
        // arguments of the same type can change places.
        let unknown_sex = || Pohlavi::Unknown(String::new());
        let report = match self.druh {
            DruhHlaseni::Recept => {
                let (mut reg, mut nereg, mut iplp) = (Vec::new(), Vec::new(), Vec::new());
                for p in &self.polozky {
                    let (polozka_id, datum_vydeje) = (id(&p.polozka_id), datum_vydeje(&p.vydano));
                    match p.druh {
                        DruhPolozky::Registrovany => reg.push(t::PolozkaReceptRegistrovany {
                            polozka_id,
                            datum_vydeje,
                            mnozstvi: p.mnozstvi.clone(),
                            cena_konecna: p.cena_konecna.clone(),
                            cena_puvodce: p.cena_puvodce.clone(),
                            hradi_pacient: p.hradi_pacient.unwrap_or_default(),
                            uhrada_zp: p.uhrada_zp.clone().unwrap_or_default(),
                            kod_sukl: p.kod_sukl.clone().unwrap_or_default(),
                            nazev: p.nazev.clone(),
                            sarze: p.sarze.clone().unwrap_or_default(),
                        }),
                        DruhPolozky::Neregistrovany => nereg.push(t::PolozkaReceptNeregistrovany {
                            polozka_id,
                            datum_vydeje,
                            mnozstvi: p.mnozstvi.clone(),
                            cena_konecna: p.cena_konecna.clone(),
                            hradi_pacient: p.hradi_pacient.unwrap_or_default(),
                            uhrada_zp: p.uhrada_zp.clone().unwrap_or_default(),
                            nazev: p.nazev.clone(),
                            forma: p.forma.clone().unwrap_or_default(),
                            sila: p.sila.clone().unwrap_or_default(),
                            baleni: p.baleni.clone().unwrap_or_default(),
                            sarze: p.sarze.clone().unwrap_or_default(),
                        }),
                        DruhPolozky::Iplp => iplp.push(t::PolozkaReceptIPLP {
                            polozka_id,
                            datum_vydeje,
                            mnozstvi: p.mnozstvi.clone(),
                            cena_konecna: p.cena_konecna.clone(),
                            hradi_pacient: p.hradi_pacient.unwrap_or_default(),
                            uhrada_zp: p.uhrada_zp.clone().unwrap_or_default(),
                            nazev: p.nazev.clone(),
                            forma_iplp: p.forma_iplp.map_or(0, FormaIplp::code),
                            taxa_laborum: p.taxa_laborum.clone(),
                        }),
                    }
                }
                WireReport::Recept(t::HlaseniRecept {
                    podani_id,
                    kod_pracoviste: kod,
                    icz,
                    sw,
                    icp,
                    rok_narozeni: self.rok_narozeni.unwrap_or_default(),
                    pohlavi: self.pohlavi.clone().unwrap_or_else(unknown_sex),
                    reglp: non_empty(reg),
                    nereglp: non_empty(nereg),
                    iplp: non_empty(iplp),
                })
            }
            DruhHlaseni::Zadanka => {
                let (mut reg, mut nereg, mut iplp) = (Vec::new(), Vec::new(), Vec::new());
                for p in &self.polozky {
                    let (polozka_id, datum_vydeje) = (id(&p.polozka_id), datum_vydeje(&p.vydano));
                    match p.druh {
                        DruhPolozky::Registrovany => reg.push(t::PolozkaZadankaRegistrovany {
                            polozka_id,
                            datum_vydeje,
                            mnozstvi: p.mnozstvi.clone(),
                            cena_konecna: p.cena_konecna.clone(),
                            kod_sukl: p.kod_sukl.clone().unwrap_or_default(),
                            nazev: p.nazev.clone(),
                            sarze: p.sarze.clone().unwrap_or_default(),
                            cena_puvodce: p.cena_puvodce.clone(),
                        }),
                        DruhPolozky::Neregistrovany => {
                            nereg.push(t::PolozkaZadankaNeregistrovany {
                                polozka_id,
                                datum_vydeje,
                                mnozstvi: p.mnozstvi.clone(),
                                cena_konecna: p.cena_konecna.clone(),
                                nazev: p.nazev.clone(),
                                forma: p.forma.clone().unwrap_or_default(),
                                sila: p.sila.clone().unwrap_or_default(),
                                baleni: p.baleni.clone().unwrap_or_default(),
                                sarze: p.sarze.clone().unwrap_or_default(),
                            })
                        }
                        DruhPolozky::Iplp => iplp.push(t::PolozkaZadankaIPLP {
                            polozka_id,
                            datum_vydeje,
                            mnozstvi: p.mnozstvi.clone(),
                            cena_konecna: p.cena_konecna.clone(),
                            nazev: p.nazev.clone(),
                            forma_iplp: p.forma_iplp.map_or(0, FormaIplp::code),
                            taxa_laborum: p.taxa_laborum.clone(),
                        }),
                    }
                }
                WireReport::Zadanka(t::HlaseniZadanka {
                    podani_id,
                    kod_pracoviste: kod,
                    icz,
                    sw,
                    icp,
                    reglp: non_empty(reg),
                    nereglp: non_empty(nereg),
                    iplp: non_empty(iplp),
                })
            }
            DruhHlaseni::Volny => WireReport::Volny(t::HlaseniVolnyProdej {
                podani_id,
                kod_pracoviste: kod,
                icz,
                sw,
                polozky: self
                    .polozky
                    .iter()
                    .map(|p| t::PolozkaVolnyProdej {
                        polozka_id: id(&p.polozka_id),
                        datum_vydeje: datum_vydeje(&p.vydano),
                        mnozstvi: p.mnozstvi.clone(),
                        cena_konecna: p.cena_konecna.clone(),
                        otc_s_omezenim: true,
                        rok_narozeni: p.rok_narozeni.unwrap_or_default(),
                        pohlavi: p.pohlavi.clone().unwrap_or_else(unknown_sex),
                        kod_sukl: p.kod_sukl.clone().unwrap_or_default(),
                        nazev: p.nazev.clone(),
                        sarze: p.sarze.clone().unwrap_or_default(),
                    })
                    .collect(),
            }),
        };
        // The description's own facets (patterns, lengths, ranges) over the result.
        report.validated()?;
        Ok(report)
    }
}

impl Polozka {
    fn new(druh: DruhPolozky, vydano: &str, mnozstvi: Decimal, nazev: &str) -> Self {
        Self {
            druh,
            polozka_id: None,
            vydano: vydano.to_owned(),
            mnozstvi,
            cena_konecna: None,
            cena_puvodce: None,
            hradi_pacient: None,
            uhrada_zp: None,
            kod_sukl: None,
            nazev: nazev.to_owned(),
            sarze: None,
            forma: None,
            sila: None,
            baleni: None,
            forma_iplp: None,
            taxa_laborum: None,
            rok_narozeni: None,
            pohlavi: None,
        }
    }

    /// A product with a SÚKL code (guidance B.1.1, B.2.1), dispensed at `vydano` (RFC 3339 or a
    /// date). On a prescription, add [`hradi`](Self::hradi).
    pub fn registrovany(
        vydano: &str,
        mnozstvi: impl Into<Decimal>,
        kod_sukl: &KodSukl,
        nazev: &str,
        sarze: &str,
    ) -> Self {
        let mut p = Self::new(DruhPolozky::Registrovany, vydano, mnozstvi.into(), nazev);
        p.kod_sukl = Some(kod_sukl.to_string());
        p.sarze = Some(sarze.to_owned());
        p
    }

    /// A product without a SÚKL code (guidance B.1.2, B.2.2).
    pub fn neregistrovany(
        vydano: &str,
        mnozstvi: impl Into<Decimal>,
        nazev: &str,
        forma: &str,
        sila: &str,
        baleni: &str,
        sarze: &str,
    ) -> Self {
        let mut p = Self::new(DruhPolozky::Neregistrovany, vydano, mnozstvi.into(), nazev);
        p.forma = Some(forma.to_owned());
        p.sila = Some(sila.to_owned());
        p.baleni = Some(baleni.to_owned());
        p.sarze = Some(sarze.to_owned());
        p
    }

    /// An individually prepared medicine (guidance B.1.3, B.2.3).
    pub fn iplp(vydano: &str, mnozstvi: impl Into<Decimal>, nazev: &str, forma: FormaIplp) -> Self {
        let mut p = Self::new(DruhPolozky::Iplp, vydano, mnozstvi.into(), nazev);
        p.forma_iplp = Some(forma);
        p
    }

    /// A restricted non-prescription product sold (guidance B.3), with the patient's year of birth
    /// and sex.
    pub fn otc_s_omezenim(
        vydano: &str,
        mnozstvi: impl Into<Decimal>,
        kod_sukl: &KodSukl,
        nazev: &str,
        sarze: &str,
        rok_narozeni: i32,
        pohlavi: Pohlavi,
    ) -> Self {
        let mut p = Self::registrovany(vydano, mnozstvi, kod_sukl, nazev, sarze);
        p.rok_narozeni = Some(rok_narozeni);
        p.pohlavi = Some(pohlavi);
        p
    }

    /// Prescription items: whether the patient pays the full price, and what the insurer pays.
    pub fn hradi(mut self, hradi_pacient: bool, uhrada_zp: impl Into<Decimal>) -> Self {
        self.hradi_pacient = Some(hradi_pacient);
        self.uhrada_zp = Some(uhrada_zp.into());
        self
    }

    /// The final sale price with VAT and margin for all packages.
    pub fn cena_konecna(mut self, czk: impl Into<Decimal>) -> Self {
        self.cena_konecna = Some(czk.into());
        self
    }

    /// The manufacturer's price (regulated products with a SÚKL code).
    pub fn cena_puvodce(mut self, czk: impl Into<Decimal>) -> Self {
        self.cena_puvodce = Some(czk.into());
        self
    }

    /// The taxa laborum of an individually prepared medicine.
    pub fn taxa_laborum(mut self, czk: impl Into<Decimal>) -> Self {
        self.taxa_laborum = Some(czk.into());
        self
    }
}

/// A report as it goes on the wire: one of the three generated report types.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WireReport {
    /// A prescription report.
    Recept(t::HlaseniRecept),
    /// A requisition report.
    Zadanka(t::HlaseniZadanka),
    /// A restricted-sale report.
    Volny(t::HlaseniVolnyProdej),
}

impl WireReport {
    /// The report's kind.
    pub fn druh(&self) -> DruhHlaseni {
        match self {
            Self::Recept(_) => DruhHlaseni::Recept,
            Self::Zadanka(_) => DruhHlaseni::Zadanka,
            Self::Volny(_) => DruhHlaseni::Volny,
        }
    }

    /// The report's UUID.
    pub fn podani_id(&self) -> &str {
        match self {
            Self::Recept(r) => &r.podani_id,
            Self::Zadanka(r) => &r.podani_id,
            Self::Volny(r) => &r.podani_id,
        }
    }

    /// The workplace code in the body.
    pub fn kod_pracoviste(&self) -> &str {
        match self {
            Self::Recept(r) => &r.kod_pracoviste,
            Self::Zadanka(r) => &r.kod_pracoviste,
            Self::Volny(r) => &r.kod_pracoviste,
        }
    }

    /// The body as sent.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        match self {
            Self::Recept(r) => serde_json::to_string(r),
            Self::Zadanka(r) => serde_json::to_string(r),
            Self::Volny(r) => serde_json::to_string(r),
        }
    }

    /// Reads a body of the given kind.
    pub fn from_json(druh: DruhHlaseni, json: &str) -> Result<Self, serde_json::Error> {
        Ok(match druh {
            DruhHlaseni::Recept => Self::Recept(serde_json::from_str(json)?),
            DruhHlaseni::Zadanka => Self::Zadanka(serde_json::from_str(json)?),
            DruhHlaseni::Volny => Self::Volny(serde_json::from_str(json)?),
        })
    }

    /// The earliest `datumVydeje` of the items, as a date.
    pub fn datum_vydeje(&self) -> Option<Date> {
        let dates: Vec<&str> = match self {
            Self::Recept(r) => r
                .reglp
                .iter()
                .flatten()
                .map(|p| p.datum_vydeje.as_str())
                .chain(r.nereglp.iter().flatten().map(|p| p.datum_vydeje.as_str()))
                .chain(r.iplp.iter().flatten().map(|p| p.datum_vydeje.as_str()))
                .collect(),
            Self::Zadanka(r) => r
                .reglp
                .iter()
                .flatten()
                .map(|p| p.datum_vydeje.as_str())
                .chain(r.nereglp.iter().flatten().map(|p| p.datum_vydeje.as_str()))
                .chain(r.iplp.iter().flatten().map(|p| p.datum_vydeje.as_str()))
                .collect(),
            Self::Volny(r) => r.polozky.iter().map(|p| p.datum_vydeje.as_str()).collect(),
        };
        dates
            .into_iter()
            .filter_map(|d| sdk_runtime::xml::parse_date(d).ok())
            .min()
    }
}

impl Validate for WireReport {
    fn validate(&self, v: &mut Validator) {
        match self {
            Self::Recept(r) => r.validate(v),
            Self::Zadanka(r) => r.validate(v),
            Self::Volny(r) => r.validate(v),
        }
    }
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// The first moment of a Czech day: midnight of summer time (UTC+2), the earliest any
/// dispensing on that date can have happened.
fn czech_midnight(d: Date) -> OffsetDateTime {
    let offset = UtcOffset::from_hms(2, 0, 0).unwrap_or(UtcOffset::UTC);
    d.midnight().assume_offset(offset)
}

/// Parses a dispensing time: RFC 3339, or a date (`YYYY-MM-DD`).
pub fn parse_vydano(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the dispensing time is required".to_owned());
    }
    if text.len() == 10 {
        return sdk_runtime::xml::parse_date(text)
            .map(czech_midnight)
            .map_err(|e| format!("not a date (YYYY-MM-DD): {e}"));
    }
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        format!("not an RFC 3339 time with its offset (2026-12-06T09:30:00+01:00): {e}")
    })
}

/// The wire date of a dispensing time: its date in its own offset.
fn datum_vydeje(vydano: &str) -> String {
    match parse_vydano(vydano) {
        Ok(_) if vydano.trim().len() == 10 => vydano.trim().to_owned(),
        Ok(t) => {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        }
        Err(_) => String::new(),
    }
}

fn check_uuid(v: &mut Validator, id: &str) {
    if uuid::Uuid::parse_str(id).is_err() || id.len() != 36 {
        v.violation(
            ViolationKind::Format,
            "must be an RFC 4122 UUID (8-4-4-4-12 hexadecimal digits)",
        );
    }
}

fn check_year(v: &mut Validator, year: Option<i32>, now_year: i32) {
    match year {
        None => v.violation(
            ViolationKind::Required,
            "the patient's year of birth is required",
        ),
        Some(y) if y < 1900 || y > now_year => v.violation(
            ViolationKind::Range,
            format!("must be a year from 1900 to {now_year}"),
        ),
        Some(_) => {}
    }
}

fn check_sex(v: &mut Validator, sex: Option<&Pohlavi>) {
    match sex {
        None => v.violation(ViolationKind::Required, "the patient's sex is required"),
        Some(s) => s.validate(v),
    }
}

fn check_text(v: &mut Validator, text: Option<&String>, max: usize) {
    match text.map(|t| t.trim()) {
        None | Some("") => v.violation(ViolationKind::Required, "required"),
        Some(t) => v.length(t, Some(1), Some(max)),
    }
}

/// An amount in CZK: not negative, at most two decimals, within SÚKL's range.
fn check_amount(v: &mut Validator, field: &str, value: Option<&Decimal>, required: bool) {
    v.field(field, |v| match value {
        None if required => v.violation(ViolationKind::Required, "required"),
        None => {}
        Some(a) if a.is_negative() => v.violation(
            ViolationKind::Range,
            format!("must not be negative, is {a}"),
        ),
        Some(a) if *a > decimal!("99999999.99") => {
            v.violation(ViolationKind::Range, "must be at most 99999999.99")
        }
        Some(a) if a.fraction_digits() > 2 => {
            v.violation(ViolationKind::Format, "at most two decimal places (haléře)")
        }
        Some(_) => {}
    });
}

fn not_allowed(v: &mut Validator, field: &str, present: bool, druh: DruhHlaseni) {
    if present {
        v.field(field, |v| {
            v.violation(
                ViolationKind::Occurs,
                format!("not part of a `{druh}` report"),
            )
        });
    }
}

fn not_allowed_item(
    v: &mut Validator,
    field: &str,
    present: bool,
    druh: DruhHlaseni,
    polozka: DruhPolozky,
) {
    if present {
        let kind = match polozka {
            DruhPolozky::Registrovany => "with a SÚKL code",
            DruhPolozky::Neregistrovany => "without a SÚKL code",
            DruhPolozky::Iplp => "individually prepared",
        };
        v.field(field, |v| {
            v.violation(
                ViolationKind::Occurs,
                format!("not part of an item {kind} in a `{druh}` report"),
            )
        });
    }
}

//! What the sandbox answers, service by service, from fictitious data (the tables in the
//! [module docs](super)). An `Err` is a SOAP fault with the text as its reason.
//!
//! **The codes and rules here are the sandbox's own**: VZP's `stavVyrizeniPozadavku` table and
//! fault conditions are not public. `0` means data was found, `1` that none was.

use sdk_runtime::Date;
use sdk_runtime::values::DateTime;

use crate::generated::nastaveni_uctu::types as nu;
use crate::generated::overeni_prukazu::types as op;
use crate::generated::oznameni_puvodni_zzp::types as oz;
use crate::generated::prubeh_pojisteni::types as pp;
use crate::generated::registrace_kapitace::types as rk;
use crate::generated::registrujici_pzs::types as rp;
use crate::generated::stav_pojisteni::types as sp;
use crate::generated::stav_smlouvy::types as ss;
use crate::generated::validace_cisla_se::types as vc;
use crate::generated::vyhledani_szz::types as vs;
use crate::{CisloPojistence, Icp};

/// `stavVyrizeniPozadavku`: data found.
const FOUND: &str = "0";
/// `stavVyrizeniPozadavku`: nothing found.
const NOT_FOUND: &str = "1";

/// The sandbox's input rule for every date: public health insurance in its present form began
/// on 1 January 1992; an earlier date is a fault, as an input-data error.
pub(super) fn check_date(field: &str, day: Date) -> Result<(), String> {
    match date((1992, 1, 1)) {
        Some(start) if day < start => Err(format!(
            "chyba vstupních dat: {field} {day} je před 1. 1. 1992 (sandbox)"
        )),
        _ => Ok(()),
    }
}

/// A calendar day in the data tables.
type Day = (i32, u8, u8);

fn date(d: Day) -> Option<Date> {
    let month = time::Month::try_from(d.1).ok()?;
    Date::from_calendar_date(d.0, month, d.2).ok()
}

/// `true` when `day` lies in `[from, to]` (`to` open when `None`).
fn within(day: Date, from: Day, to: Option<Day>) -> bool {
    date(from).is_some_and(|f| f <= day) && to.is_none_or(|t| date(t).is_some_and(|t| day <= t))
}

const INSURERS: &[(&str, &str)] = &[
    ("111", "VŠEOBECNÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY"),
    ("201", "VOJENSKÁ ZDRAVOTNÍ POJIŠŤOVNA ČESKÉ REPUBLIKY"),
    ("205", "ČESKÁ PRŮMYSLOVÁ ZDRAVOTNÍ POJIŠŤOVNA"),
    (
        "211",
        "ZDRAVOTNÍ POJIŠŤOVNA MINISTERSTVA VNITRA ČESKÉ REPUBLIKY",
    ),
];

fn insurer_name(code: &str) -> Option<String> {
    INSURERS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| (*n).to_owned())
}

/// One period of insurance of one person.
struct Period {
    number: &'static str,
    from: Day,
    to: Option<Day>,
    insurer: &'static str,
}

const PERIODS: &[Period] = &[
    Period {
        number: "8001010006",
        from: (1980, 1, 1),
        to: None,
        insurer: "111",
    },
    Period {
        number: "7552150012",
        from: (1975, 2, 15),
        to: Some((2019, 12, 31)),
        insurer: "111",
    },
    Period {
        number: "7552150012",
        from: (2020, 1, 1),
        to: None,
        insurer: "201",
    },
    Period {
        number: "9106150009",
        from: (1991, 6, 15),
        to: Some((2024, 6, 30)),
        insurer: "205",
    },
    Period {
        number: "7001010050",
        from: (1970, 1, 1),
        to: None,
        insurer: "211",
    },
    Period {
        number: "450101123",
        from: (1945, 1, 1),
        to: None,
        insurer: "111",
    },
];

/// The insurance periods of a person; `None` when the number is unknown.
fn periods(number: &CisloPojistence) -> Option<Vec<&'static Period>> {
    let known: Vec<&Period> = PERIODS
        .iter()
        .filter(|p| p.number == number.as_str())
        .collect();
    (!known.is_empty()).then_some(known)
}

/// The insurer of a known person on a day (`Ok(None)`: not insured then); `Err` when unknown.
fn insurer_on(number: &CisloPojistence, day: Date) -> Result<Option<&'static str>, ()> {
    let known = periods(number).ok_or(())?;
    Ok(known
        .iter()
        .find(|p| within(day, p.from, p.to))
        .map(|p| p.insurer))
}

pub(super) fn prubeh(
    input: &pp::PrubehPojisteniDruhB2BPozadavek,
) -> Result<pp::PrubehPojisteniDruhB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = pp::PrubehPojisteniDruhB2BOdpoved::new();
    match insurer_on(&input.cislo_pojistence, input.k_datu) {
        Err(()) => out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned()),
        Ok(Some(insurer)) => {
            out.stav = Some(pp::StavPojisteni::Pojisten);
            out.kod_pojistovny = pp::KodPojistovny::new(insurer).ok();
            out.nazev_pojistovny = insurer_name(insurer);
            out.druh_pojisteni =
                Some("1 - veřejné zdravotní pojištění (nepřeúčtované přes CMU)".to_owned());
            out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
        }
        Ok(None) => {
            out.stav = Some(pp::StavPojisteni::Nepojisten);
            out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
        }
    }
    Ok(out)
}

pub(super) fn stav_pojisteni(
    input: &sp::StavPojisteniB2BPozadavek,
) -> Result<sp::StavPojisteniB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = sp::StavPojisteniB2BOdpoved::new();
    match insurer_on(&input.cislo_pojistence, input.k_datu) {
        Err(()) => out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned()),
        Ok(Some(insurer)) => {
            out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
            out.stav = Some(sp::StavPojisteni::Pojisten);
            out.kod_pojistovny = sp::KodPojistovny::new(insurer).ok();
            out.nazev_pojistovny = insurer_name(insurer);
        }
        Ok(None) => {
            out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
            out.stav = Some(sp::StavPojisteni::Nepojisten);
        }
    }
    Ok(out)
}

/// One workplace (pracoviště) of a facility, with its contract with VZP.
struct Workplace {
    icp: &'static str,
    name: &'static str,
    odbornost: &'static str,
    from: Day,
    to: Option<Day>,
    /// The responsible person ("Surname Firstname"), fictitious.
    person: &'static str,
}

/// One facility (zdravotnické zařízení) under contract.
struct Facility {
    icz: &'static str,
    ico: &'static str,
    name: &'static str,
    street: &'static str,
    town: &'static str,
    psc: &'static str,
    workplaces: &'static [Workplace],
}

const FACILITIES: &[Facility] = &[
    Facility {
        icz: "12345000",
        ico: "27074358",
        name: "Zdravotní středisko Sandbox s.r.o.",
        street: "Fiktivní 12",
        town: "Praha 4",
        psc: "14000",
        workplaces: &[Workplace {
            icp: "12345678",
            name: "Ordinace praktického lékaře",
            odbornost: "001",
            from: (2015, 1, 1),
            to: None,
            person: "Nováková Jana",
        }],
    },
    Facility {
        icz: "24681000",
        ico: "00064165",
        name: "Nemocnice Sandbox",
        street: "U testu 2",
        town: "Brno",
        psc: "60200",
        workplaces: &[
            Workplace {
                icp: "24681357",
                name: "Odběrové centrum - COVID19",
                odbornost: "955",
                from: (2021, 12, 1),
                to: Some((2022, 12, 31)),
                person: "Svoboda Petr",
            },
            Workplace {
                icp: "24681358",
                name: "Interní ambulance",
                odbornost: "101",
                from: (2008, 1, 1),
                to: None,
                person: "Černá Eva",
            },
        ],
    },
    Facility {
        icz: "13579000",
        ico: "25123456",
        name: "Zubní ordinace Sandbox",
        street: "Testovací 5",
        town: "Ostrava",
        psc: "70200",
        workplaces: &[Workplace {
            icp: "13579246",
            name: "Stomatologie",
            odbornost: "014",
            from: (2010, 5, 1),
            to: None,
            person: "Malý Tomáš",
        }],
    },
];

fn workplace(icp: &str) -> Option<(&'static Facility, &'static Workplace)> {
    FACILITIES
        .iter()
        .find_map(|f| f.workplaces.iter().find(|w| w.icp == icp).map(|w| (f, w)))
}

pub(super) fn smlouva(
    input: &ss::StavSmlouvyICPICPPB2BZadost,
) -> Result<ss::StavSmlouvyICPICPPB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = ss::StavSmlouvyICPICPPB2BOdpoved::new();
    let found =
        workplace(input.icp_icpp.as_str()).filter(|(_, w)| within(input.k_datu, w.from, w.to));
    let Some((f, w)) = found else {
        out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned());
        return Ok(out);
    };
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    out.odbornost = Some(w.odbornost.to_owned());
    out.datum_od = date(w.from);
    out.datum_do = w.to.and_then(date);
    out.nazev_zz = Some(f.name.to_owned());
    out.nazev_p = Some(w.name.to_owned());
    out.ulice = Some(f.street.to_owned());
    out.misto = Some(f.town.to_owned());
    out.psc = Some(f.psc.to_owned());
    out.prijmeni_jmeno = Some(w.person.to_owned());
    Ok(out)
}

/// One registration of a person with a registering provider (capitation).
struct Registration {
    number: &'static str,
    icp: &'static str,
    from: Day,
    to: Option<Day>,
}

const REGISTRATIONS: &[Registration] = &[
    Registration {
        number: "8001010006",
        icp: "12345678",
        from: (2016, 3, 1),
        to: None,
    },
    Registration {
        number: "7552150012",
        icp: "24681358",
        from: (2010, 1, 1),
        to: None,
    },
    Registration {
        number: "7552150012",
        icp: "13579246",
        from: (2012, 9, 1),
        to: None,
    },
];

fn registrations_on(number: &str, day: Date) -> impl Iterator<Item = &'static Registration> + '_ {
    REGISTRATIONS
        .iter()
        .filter(move |r| r.number == number && within(day, r.from, r.to))
}

/// The sandbox's own provider: the caller is taken to represent it (`zastupovaný PZS`).
pub const SANDBOX_CALLER_ICZ: &str = "12345000";

pub(super) fn registrace_kapitace(
    input: &rk::RegistracePojistenceKapitaceB2BPozadavek,
) -> Result<rk::RegistracePojistenceKapitaceB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = rk::RegistracePojistenceKapitaceB2BOdpoved::new();
    let Ok(insurer) = insurer_on(&input.cislo_pojistence, input.k_datu) else {
        out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned());
        return Ok(out);
    };
    let icz = input
        .icz
        .as_ref()
        .map_or(SANDBOX_CALLER_ICZ, |i| i.get().as_str());
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    if let Some(insurer) = insurer {
        out.kod_pojistovny = rk::KodPojistovny::new(insurer).ok();
        out.nazev_pojistovny = insurer_name(insurer);
    }
    let at = registrations_on(input.cislo_pojistence.as_str(), input.k_datu).find_map(|r| {
        workplace(r.icp)
            .filter(|(f, _)| f.icz == icz)
            .map(|(_, w)| (r, w))
    });
    match at {
        Some((r, w)) => {
            out.registrovan = Some(true);
            out.icp = Icp::parse(w.icp).ok();
            out.odbornost = rk::Odbornost::new(w.odbornost).ok();
            out.datum_registrace_od = date(r.from);
            out.datum_registrace_do = r.to.and_then(date);
        }
        None => out.registrovan = Some(false),
    }
    Ok(out)
}

pub(super) fn registrujici_pzs(
    input: &rp::RegistrujiciPZSB2BPozadavek,
) -> Result<rp::RegistrujiciPZSB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = rp::RegistrujiciPZSB2BOdpoved::new();
    if periods(&input.cislo_pojistence).is_none() {
        out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned());
        return Ok(out);
    }
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    let registered: Vec<(&Registration, &Facility, &Workplace)> =
        registrations_on(input.cislo_pojistence.as_str(), input.k_datu)
            .filter_map(|r| workplace(r.icp).map(|(f, w)| (r, f, w)))
            .collect();
    let here = registered
        .iter()
        .any(|(_, f, _)| f.icz == SANDBOX_CALLER_ICZ);
    out.registrovan_u_zastupovaneho_pzs = Some(here);
    // The registering workplaces are listed only for a person registered elsewhere.
    if !here {
        for (r, f, w) in registered {
            let mut p = rp::RegistrujiciPracoviste::new();
            p.icp = Icp::parse(w.icp).ok();
            p.icz = rp::Icz::new(f.icz).ok();
            p.nazev_zz = Some(f.name.to_owned());
            p.odbornost = rp::Odbornost::new(w.odbornost).ok();
            p.datum_registrace_od = date(r.from);
            out.registrujici_pracoviste.push(p);
        }
    }
    Ok(out)
}

/// How many facilities a search returns when it does not say.
const DEFAULT_MAX_RESULTS: usize = 100;

pub(super) fn vyhledani_szz(
    input: &vs::VyhledaniSZZB2BPozadavek,
) -> Result<vs::VyhledaniSZZB2BOdpoved, String> {
    if let Some(day) = input.k_datu {
        check_date("kDatu", day)?;
    }
    let needle = input.retezec.get().to_lowercase();
    // With kDatu, only workplaces under contract that day count, and a facility without one is
    // not a contracted facility (SZZ) that day.
    let active = |w: &&Workplace| input.k_datu.is_none_or(|d| within(d, w.from, w.to));
    let matches = |f: &Facility| {
        let mut workplaces = f.workplaces.iter().filter(active).peekable();
        workplaces.peek().is_some()
            && ([f.name, f.town, f.icz, f.ico, f.street]
                .iter()
                .any(|s| s.to_lowercase().contains(&needle))
                || workplaces
                    .any(|w| w.icp.contains(&needle) || w.name.to_lowercase().contains(&needle)))
    };
    let found: Vec<&Facility> = FACILITIES.iter().filter(|f| matches(f)).collect();
    let max = input
        .max_pocet
        .as_ref()
        .and_then(|m| usize::try_from(*m.get()).ok())
        .unwrap_or(DEFAULT_MAX_RESULTS);
    let mut out = vs::VyhledaniSZZB2BOdpoved::new();
    out.stav_vyrizeni_pozadavku = Some(if found.is_empty() { NOT_FOUND } else { FOUND }.to_owned());
    out.pocet_nalezenych = Some(found.len() as u128);
    for f in found.into_iter().take(max) {
        let mut z = vs::Zarizeni::new();
        z.icz = vs::Icz::new(f.icz).ok();
        z.ico = vs::Ico::new(f.ico).ok();
        z.nazev_zz = Some(f.name.to_owned());
        z.ulice = Some(f.street.to_owned());
        z.misto = Some(f.town.to_owned());
        z.psc = vs::Psc::new(f.psc).ok();
        for w in f.workplaces.iter().filter(active) {
            let mut p = vs::Pracoviste::new();
            p.icp = Icp::parse(w.icp).ok();
            p.nazev_p = Some(w.name.to_owned());
            p.odbornost = vs::Odbornost::new(w.odbornost).ok();
            p.datum_od = date(w.from);
            p.datum_do = w.to.and_then(date);
            z.pracoviste.push(p);
        }
        out.zarizeni.push(z);
    }
    Ok(out)
}

/// One EHIC card.
struct Card {
    number: &'static str,
    holder: &'static str,
    insurer: &'static str,
    from: Day,
    to: Day,
}

const CARDS: &[Card] = &[
    Card {
        number: "80203000010000000001",
        holder: "8001010006",
        insurer: "111",
        from: (2024, 1, 1),
        to: (2029, 12, 31),
    },
    Card {
        number: "80203000010000000002",
        holder: "9106150009",
        insurer: "205",
        from: (2019, 7, 1),
        to: (2024, 6, 30),
    },
];

pub(super) fn overeni_prukazu(
    input: &op::OvereniPlatnostiPrukazuB2BPozadavek,
) -> Result<op::OvereniPlatnostiPrukazuB2BOdpoved, String> {
    check_date("kDatu", input.k_datu)?;
    let mut out = op::OvereniPlatnostiPrukazuB2BOdpoved::new();
    let Some(card) = CARDS.iter().find(|c| c.number == input.cislo_prukazu.get()) else {
        out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned());
        return Ok(out);
    };
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    out.platnost = Some(if within(input.k_datu, card.from, Some(card.to)) {
        op::PlatnostPrukazu::Platny
    } else {
        op::PlatnostPrukazu::Neplatny
    });
    out.platnost_od = date(card.from);
    out.platnost_do = date(card.to);
    out.kod_pojistovny = op::KodPojistovny::new(card.insurer).ok();
    out.cislo_pojistence = CisloPojistence::parse(card.holder).ok();
    Ok(out)
}

/// One re-registration of a person from one insurer to another (CRP).
struct Transfer {
    number: &'static str,
    from_insurer: &'static str,
    to_insurer: &'static str,
    filed: Day,
    effective: Day,
}

const TRANSFERS: &[Transfer] = &[
    Transfer {
        number: "7552150012",
        from_insurer: "111",
        to_insurer: "201",
        filed: (2019, 9, 30),
        effective: (2020, 1, 1),
    },
    Transfer {
        number: "9106150009",
        from_insurer: "111",
        to_insurer: "205",
        filed: (2019, 3, 28),
        effective: (2019, 7, 1),
    },
];

pub(super) fn oznameni_puvodni_zzp(
    input: &oz::OznameniPuvodniZZPB2BPozadavek,
) -> Result<oz::OznameniPuvodniZZPB2BOdpoved, String> {
    check_date("obdobiOd", input.obdobi_od)?;
    if input.obdobi_do < input.obdobi_od {
        return Err(format!(
            "chyba vstupních dat: obdobiDo {} je před obdobiOd {} (sandbox)",
            input.obdobi_do, input.obdobi_od
        ));
    }
    let mut out = oz::OznameniPuvodniZZPB2BOdpoved::new();
    let code = input.kod_pojistovny.get().as_str();
    for t in TRANSFERS.iter().filter(|t| {
        t.from_insurer == code
            && date(t.effective).is_some_and(|d| input.obdobi_od <= d && d <= input.obdobi_do)
    }) {
        let mut p = oz::Preregistrace::new();
        p.cislo_pojistence = CisloPojistence::parse(t.number).ok();
        p.kod_nove_pojistovny = oz::KodPojistovny::new(t.to_insurer).ok();
        p.datum_prihlasky = date(t.filed);
        p.datum_zmeny = date(t.effective);
        out.preregistrace.push(p);
    }
    out.stav_vyrizeni_pozadavku = Some(
        if out.preregistrace.is_empty() {
            NOT_FOUND
        } else {
            FOUND
        }
        .to_owned(),
    );
    Ok(out)
}

/// A person known to the executors' validation: number, surname, first name, birth date.
const PERSONS: &[(&str, &str, &str, Day)] = &[
    ("8001010006", "Novák", "Jan", (1980, 1, 1)),
    ("7552150012", "Dvořáková", "Marie", (1975, 2, 15)),
    ("9106150009", "Procházka", "Karel", (1991, 6, 15)),
];

pub(super) fn validace_cisla(
    input: &vc::ValidaceCislaPojistenceSEB2BPozadavek,
) -> Result<vc::ValidaceCislaPojistenceSEB2BOdpoved, String> {
    let mut out = vc::ValidaceCislaPojistenceSEB2BOdpoved::new();
    let Some((_, surname, first, born)) = PERSONS
        .iter()
        .find(|p| p.0 == input.cislo_pojistence.as_str())
    else {
        out.stav_vyrizeni_pozadavku = Some(NOT_FOUND.to_owned());
        out.vysledek_validace = Some(vc::VysledekValidace::Nenalezen);
        return Ok(out);
    };
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.to_lowercase();
    let matches = same(input.prijmeni.get(), surname)
        && same(input.jmeno.get(), first)
        && input.datum_narozeni.is_none_or(|d| date(*born) == Some(d));
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    out.vysledek_validace = Some(if matches {
        vc::VysledekValidace::Shoda
    } else {
        vc::VysledekValidace::Neshoda
    });
    // The sandbox's own flag: `A`, the number is active in the register.
    out.priznak_cisla_pojistence = matches.then(|| "A".to_owned());
    Ok(out)
}

/// The moment a setting takes effect: the start of the next day, UTC.
fn tomorrow() -> DateTime {
    let next = time::OffsetDateTime::now_utc().date().next_day();
    DateTime::from(next.unwrap_or(time::Date::MAX).midnight().assume_utc())
}

pub(super) fn nastaveni_komunikace(
    input: &nu::NastaveniKomunikacePozadavek,
) -> Result<nu::NastaveniKomunikaceOdpoved, String> {
    if input.typ_komunikace == nu::TypKomunikace::As2 {
        let url = input.as2url.as_deref().unwrap_or("");
        if !url.starts_with("https://") {
            return Err(
                "chyba vstupních dat: AS2 needs as2Url, the https:// address VZP pushes answers to"
                    .to_owned(),
            );
        }
        if input.as2id.is_none() {
            return Err("chyba vstupních dat: AS2 needs as2Id, your AS2 identifier".to_owned());
        }
    }
    let mut out = nu::NastaveniKomunikaceOdpoved::new();
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    out.typ_komunikace = Some(input.typ_komunikace.clone());
    out.platnost_od = Some(tomorrow());
    Ok(out)
}

/// Renews the account's certificate: the new one must be DER, issued by the sandbox CA (VZP
/// accepts only qualified trust-service providers), and still valid.
pub(super) fn obnova_certifikatu(
    input: &nu::ObnovaCertifikatuPozadavek,
    ca_der: &[u8],
) -> Result<nu::ObnovaCertifikatuOdpoved, String> {
    use base64::Engine as _;
    use x509_parser::prelude::{FromDer, X509Certificate};
    let text: String = input
        .certifikat
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("chyba vstupních dat: certifikat is not base64: {e}"))?;
    let (_, cert) = X509Certificate::from_der(&der)
        .map_err(|e| format!("chyba vstupních dat: certifikat is not a DER certificate: {e}"))?;
    let (_, ca) = X509Certificate::from_der(ca_der)
        .map_err(|e| format!("the sandbox CA certificate does not parse: {e}"))?;
    if cert.issuer() != ca.subject() || cert.verify_signature(Some(ca.public_key())).is_err() {
        return Err(
            "chyba vstupních dat: the certificate was not issued by an accepted authority"
                .to_owned(),
        );
    }
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca);
    let client_auth = cert
        .extended_key_usage()
        .ok()
        .flatten()
        .is_some_and(|eku| eku.value.client_auth);
    if is_ca || !client_auth {
        return Err(
            "chyba vstupních dat: the certificate must be an end-entity certificate for client \
             authentication (extended key usage clientAuth)"
                .to_owned(),
        );
    }
    if !cert.validity().is_valid() {
        return Err("chyba vstupních dat: the certificate is not valid now".to_owned());
    }
    let mut out = nu::ObnovaCertifikatuOdpoved::new();
    out.stav_vyrizeni_pozadavku = Some(FOUND.to_owned());
    out.uid = Some(format!(
        "SBX-{}",
        cert.raw_serial_as_string().replace(':', "")
    ));
    out.platnost_do = Some(DateTime::from(cert.validity().not_after.to_datetime()));
    Ok(out)
}

//! `b2b sukl erecept ...`: SÚKL's eRecept — a prescription's life on the embedded sandbox, a
//! ping, a prescription by its identifier — against the sandbox or SÚKL.

use std::time::Duration;

use sdk_runtime::SdkError;
use sdk_runtime::wssec::SigningIdentity;
use sdk_sukl::erecept::{ErpBuilder, Error, Lekar, Lekarnik, Prostredi, podpis};
use sdk_sukl::generated::cuer_lekar::operation as lekar_op;
use sdk_sukl::generated::cuer_lekarnik::operation as lekarnik_op;
use sdk_sukl::generated::erecept::types as t;
use sdk_sukl::sandbox::Sandbox;

use crate::cli::{
    EreceptCommand, EreceptPingArgs, EreceptPredpisArgs, EreceptRole, EreceptTargetArgs,
    EreceptUkazkaArgs, SUKL_PASSWORD_ENV,
};
use crate::failure::{Failure, single_line};
use crate::identity;

pub async fn run(command: EreceptCommand) -> Result<(), Failure> {
    match command {
        EreceptCommand::Ukazka(args) => ukazka(args).await,
        EreceptCommand::Ping(args) => ping(args).await,
        EreceptCommand::Predpis(args) => predpis(args).await,
    }
}

/// An eRecept failure as the command reports it: SÚKL's fault with its code, anything else as
/// it is.
fn failure(what: &str, e: &Error) -> Failure {
    match e {
        Error::Volani(inner) if matches!(**inner, SdkError::InvalidInput(_)) => Failure::Usage(
            format!("{what}: {} (nothing was sent)", single_line(&e.to_string())),
        ),
        Error::ChybiPodpis { .. } => Failure::Usage(single_line(&e.to_string())),
        _ => Failure::Failed(format!("{what}: {}", single_line(&e.to_string()))),
    }
}

fn built<C>(r: Result<C, sdk_sukl::erecept::BuildErpError>) -> Result<C, Failure> {
    r.map_err(|e| Failure::Failed(format!("cannot set up the eRecept client: {e}")))
}

/// The clients of both roles, and the sandbox they talk to when there is no --endpoint.
enum Klient {
    Lekarnik(Lekarnik),
    Lekar(Lekar),
}

struct Target {
    klient: Klient,
    sandbox: Option<Sandbox>,
}

impl Target {
    fn open(args: &EreceptTargetArgs, signed: bool) -> Result<Self, Failure> {
        let timeout = Duration::from_secs(args.timeout);
        let Some(endpoint) = &args.endpoint else {
            let sandbox = Sandbox::start()
                .map_err(|e| Failure::Failed(format!("cannot start the SÚKL sandbox: {e}")))?;
            let klient = match args.role {
                EreceptRole::Lekarnik => Klient::Lekarnik(built(
                    sandbox
                        .lekarnik_builder()
                        .and_then(|b| b.timeout(timeout).build()),
                )?),
                EreceptRole::Lekar => Klient::Lekar(built(
                    sandbox
                        .lekar_builder()
                        .and_then(|b| b.timeout(timeout).build()),
                )?),
            };
            return Ok(Self {
                klient,
                sandbox: Some(sandbox),
            });
        };
        let url = sdk_runtime::url::Url::parse(endpoint)
            .map_err(|e| Failure::Usage(format!("--endpoint: {e}")))?;
        let need = |value: &Option<String>, flag: &str| {
            value
                .clone()
                .ok_or_else(|| Failure::Usage(format!("--endpoint needs {flag}")))
        };
        let identity_path = args.identity.as_deref().ok_or_else(|| {
            Failure::Usage("--endpoint needs --identity (the workplace's SÚKL certificate)".into())
        })?;
        let uzivatel = need(&args.uzivatel, "--uzivatel (the SÚKL user)")?;
        let pracoviste = need(&args.pracoviste, "--pracoviste (the workplace code)")?;
        let sw = need(
            &args.sw_klienta,
            "--sw-klienta (the software identification)",
        )?;
        let heslo = std::env::var(SUKL_PASSWORD_ENV).map_err(|_| {
            Failure::Usage(format!(
                "the SÚKL user's password is read from ${SUKL_PASSWORD_ENV}, which is not set"
            ))
        })?;
        let podpis = match (&args.podpis, signed) {
            (Some(path), _) => {
                let id = identity::load_as(identity::SIGNING, path, None)?;
                Some(SigningIdentity::from_identity(id).map_err(|e| {
                    Failure::Failed(format!("cannot sign with {}: {e}", path.display()))
                })?)
            }
            (None, true) => {
                return Err(Failure::Usage(
                    "a signed request needs --podpis (the user's personal certificate)".into(),
                ));
            }
            (None, false) => None,
        };
        let tls = identity::load(identity_path, args.key.as_deref())?;
        let mut cas = Vec::new();
        for ca in &args.ca {
            cas.push(
                std::fs::read(ca).map_err(|e| {
                    Failure::Failed(format!("cannot read --ca {}: {e}", ca.display()))
                })?,
            );
        }
        fn setup<C>(
            mut b: ErpBuilder<C>,
            url: sdk_runtime::url::Url,
            tls: sdk_runtime::transport::Identity,
            cas: &[Vec<u8>],
            (uzivatel, heslo, pracoviste, sw): (String, String, String, String),
            podpis: Option<SigningIdentity>,
            timeout: Duration,
        ) -> Result<ErpBuilder<C>, Failure> {
            b = b
                .prostredi(Prostredi::Vlastni(url))
                .identity(tls)
                .uzivatel(uzivatel, heslo)
                .pracoviste(pracoviste)
                .sw_klienta(sw)
                .timeout(timeout);
            for pem in cas {
                b = built(b.add_root_certificates_pem(pem))?;
            }
            if let Some(p) = podpis {
                b = b.podpisovy_certifikat(p);
            }
            Ok(b)
        }
        let who = (uzivatel, heslo, pracoviste, sw);
        let klient = match args.role {
            EreceptRole::Lekarnik => Klient::Lekarnik(built(
                setup(Lekarnik::builder(), url, tls, &cas, who, podpis, timeout)?.build(),
            )?),
            EreceptRole::Lekar => Klient::Lekar(built(
                setup(Lekar::builder(), url, tls, &cas, who, podpis, timeout)?.build(),
            )?),
        };
        Ok(Self {
            klient,
            sandbox: None,
        })
    }

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
}

async fn ping(args: EreceptPingArgs) -> Result<(), Failure> {
    let target = Target::open(&args.target, args.zep)?;
    let answer: Result<t::ZpravaOdpovedType, Error> = match (&target.klient, args.zep) {
        (Klient::Lekarnik(k), false) => k
            .call::<_, t::ZpravaBezOdpovedType>(
                k.cuer().soap(),
                &lekarnik_op::app_ping::SPEC,
                &t::ZpravaBezDotazType::new(zprava(k.zprava())?),
            )
            .await
            .map(|r| r.output.zprava),
        (Klient::Lekar(k), false) => k
            .call::<_, t::ZpravaBezOdpovedType>(
                k.cuer().soap(),
                &lekar_op::app_ping::SPEC,
                &t::ZpravaBezDotazType::new(zprava(k.zprava())?),
            )
            .await
            .map(|r| r.output.zprava),
        (Klient::Lekarnik(k), true) => k
            .call_signed::<_, t::ZpravaBezOdpovedType>(
                k.cuer().soap(),
                &lekarnik_op::app_ping_zep::SPEC,
                &t::ZpravaZepDotazType::new(zprava(k.zprava())?, podpis::k_podpisu()),
            )
            .await
            .map(|r| r.output.zprava),
        (Klient::Lekar(k), true) => k
            .call_signed::<_, t::ZpravaBezOdpovedType>(
                k.cuer().soap(),
                &lekar_op::app_ping_zep::SPEC,
                &t::ZpravaZepDotazType::new(zprava(k.zprava())?, podpis::k_podpisu()),
            )
            .await
            .map(|r| r.output.zprava),
    };
    let source = target.source();
    target.close().await;
    let z = answer.map_err(|e| failure(if args.zep { "AppPingZEP" } else { "AppPing" }, &e))?;
    println!(
        "{} answered{source}: ID_Podani {}, Prijato {}",
        if args.zep { "AppPingZEP" } else { "AppPing" },
        z.id_podani.get(),
        z.prijato
    );
    Ok(())
}

fn zprava(
    z: Result<t::ZpravaDotazType, sdk_runtime::xml::ValidationError>,
) -> Result<t::ZpravaDotazType, Failure> {
    z.map_err(|e| Failure::Usage(format!("the message header: {e}")))
}

/// The request reading `id` (a usage error when the identifier breaks its rule).
fn na_doklad(
    r: Result<t::NacteniDokladuDotazType, sdk_runtime::xml::ValidationError>,
    id: &str,
) -> Result<t::NacteniDokladuDotazType, Failure> {
    r.map_err(|e| Failure::Usage(format!("the request for `{id}`: {e} (nothing was sent)")))
}

async fn predpis(args: EreceptPredpisArgs) -> Result<(), Failure> {
    if args.target.endpoint.is_none() {
        return Err(Failure::Usage(
            "the embedded sandbox starts empty: `b2b sukl erecept ukazka` walks a prescription \
             through it; give --endpoint to read one from SÚKL"
                .into(),
        ));
    }
    let target = Target::open(&args.target, false)?;
    let answer = match &target.klient {
        Klient::Lekarnik(k) => {
            let d = na_doklad(k.dotaz_na_doklad(&args.id_dokladu), &args.id_dokladu)?;
            k.call::<_, t::NacteniPredpisuErpOdpovedType>(
                k.cuer().soap(),
                &lekarnik_op::nacist_predpis::SPEC,
                &d,
            )
            .await
        }
        Klient::Lekar(k) => {
            let d = na_doklad(k.dotaz_na_doklad(&args.id_dokladu), &args.id_dokladu)?;
            k.call::<_, t::NacteniPredpisuErpOdpovedType>(
                k.cuer().soap(),
                &lekar_op::nacist_predpis::SPEC,
                &d,
            )
            .await
        }
    };
    target.close().await;
    let p = answer.map_err(|e| failure("NacistPredpis", &e))?.output;
    print_predpis(&p.doklad);
    Ok(())
}

fn print_predpis(d: &t::NacteniPredpisuDokladOdpovedType) {
    println!(
        "prescription {}: {} (written {}, valid until {}), {} item(s), {} dispensing(s)",
        d.id_dokladu.get(),
        sdk_runtime::xml::XmlText::to_xml_text(&d.stav),
        d.datum_vystaveni,
        d.platnost_do,
        d.plp.len(),
        d.vydej.len()
    );
    for (i, lp) in d.plp.iter().enumerate() {
        println!(
            "  {}. kód {} × {}: {}",
            i + 1,
            lp.id_lp_zdroj.get(),
            lp.mnozstvi.get(),
            lp.navod.get()
        );
    }
    for v in &d.vydej {
        println!(
            "  dispensed {} on {} by {}{}",
            v.id_dokladu,
            v.datum_vydeje,
            v.nazev_pzs,
            if v.zruseni.is_some() {
                " (cancelled)"
            } else {
                ""
            }
        );
    }
}

/// A sample document of the sandbox.
fn priklad<T>(r: Result<T, sdk_runtime::xml::DecodeError>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Failed(format!("the sample document: {e}")))
}

async fn ukazka(args: EreceptUkazkaArgs) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    let sandbox = Sandbox::start()
        .map_err(|e| Failure::Failed(format!("cannot start the SÚKL sandbox: {e}")))?;
    let result = walk(&sandbox, timeout).await;
    sandbox.shutdown().await;
    result
}

async fn walk(sandbox: &Sandbox, timeout: Duration) -> Result<(), Failure> {
    let lekar = built(
        sandbox
            .lekar_builder()
            .and_then(|b| b.timeout(timeout).build()),
    )?;
    let lekarnik = built(
        sandbox
            .lekarnik_builder()
            .and_then(|b| b.timeout(timeout).build()),
    )?;
    let today = time::OffsetDateTime::now_utc().date();
    let doklad = priklad(sdk_sukl::sandbox::erecept::priklad_predpisu(today))?;
    let dotaz = t::ZalozeniPredpisuErpDotazType::new(
        t::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(
            Box::new(doklad),
        ),
        zprava(lekar.zprava())?,
        podpis::k_podpisu(),
    );
    let ulozeno: t::UlozeniDokladuOdpovedType = lekar
        .call_signed(
            lekar.cuer().soap(),
            &lekar_op::zalozit_predpis::SPEC,
            &dotaz,
        )
        .await
        .map_err(|e| failure("ZalozitPredpis", &e))?
        .output;
    let id = ulozeno.doklad.id_dokladu.get().clone();
    println!("1. prescriber wrote prescription {id} (signed; the sandbox verified the signature)");

    let nacteno: t::NacteniPredpisuErpOdpovedType = lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::nacist_predpis::SPEC,
            &na_doklad(lekarnik.dotaz_na_doklad(&id), &id)?,
        )
        .await
        .map_err(|e| failure("NacistPredpis", &e))?
        .output;
    print!("2. pharmacist found it: ");
    print_predpis(&nacteno.doklad);

    let rezervace = t::ZmenaStavuPredpisuDotazType::new(
        t::ZmenaStavuPredpisuDokladType::new(
            id.clone(),
            lekarnik.pristupujici(),
            t::StavElektronickehoReceptu::Pripravovany,
        ),
        zprava(lekarnik.zprava())?,
    );
    let _: t::UlozeniDokladuOdpovedType = lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::zmenit_stav_predpisu::SPEC,
            &rezervace,
        )
        .await
        .map_err(|e| failure("ZmenitStavPredpisu", &e))?
        .output;
    println!("3. pharmacist reserved it (PRIPRAVOVANY)");

    let vydej = priklad(sdk_sukl::sandbox::erecept::priklad_vydeje(today, &id))?;
    let vydej = t::ZalozeniVydejeErpDotazType::new(
        t::ZalozeniVydejeErpDokladDotazTypeOrDerived::ZalozeniVydejeErpDokladDotazType(Box::new(
            vydej,
        )),
        zprava(lekarnik.zprava())?,
        podpis::k_podpisu(),
    );
    let vydano: t::UlozeniDokladuOdpovedType = lekarnik
        .call_signed(
            lekarnik.cuer().soap(),
            &lekarnik_op::zalozit_vydej::SPEC,
            &vydej,
        )
        .await
        .map_err(|e| failure("ZalozitVydej", &e))?
        .output;
    println!(
        "4. pharmacist dispensed it: dispensing {} (signed)",
        vydano.doklad.id_dokladu.get()
    );

    let zpet: t::NacteniPredpisuErpOdpovedType = lekar
        .call(
            lekar.cuer().soap(),
            &lekar_op::nacist_predpis::SPEC,
            &na_doklad(lekar.dotaz_na_doklad(&id), &id)?,
        )
        .await
        .map_err(|e| failure("NacistPredpis", &e))?
        .output;
    print!("5. prescriber reads it back: ");
    print_predpis(&zpet.doklad);
    Ok(())
}

//! The sandbox's VSP-Koppeling: the four REST services of message exchange, under VECOZO's own
//! paths on the sandbox host.
//!
//! | service | path on the sandbox | generated client |
//! |---|---|---|
//! | REST Push V1 | [`PUSH_BASE_PATH`]`/berichten` (POST, multipart) | [`berichten_push::Client`](crate::berichten_push::Client) |
//! | REST Pull V1 | [`PULL_BASE_PATH`]`/berichten`, `/berichten/zoeken`, `/berichten/{traceerId}/payload`, `/berichten/{traceerId}` (DELETE) | [`berichten_pull::Client`](crate::berichten_pull::Client) |
//! | Berichtstatus REST Pull V2 | [`BERICHTSTATUS_V2_BASE_PATH`]`/berichtstatussen` | [`berichtstatus_v2::Client`](crate::berichtstatus_v2::Client) |
//! | Berichtstatus REST Pull V3 | [`BERICHTSTATUS_V3_BASE_PATH`]`/berichtstatussen` | [`berichtstatus_v3::Client`](crate::berichtstatus_v3::Client) |
//!
//! [`Sandbox::berichten_push`], [`Sandbox::berichten_pull`], [`Sandbox::berichtstatus_v2`] and
//! [`Sandbox::berichtstatus_v3`] give those clients for a certificate of
//! [`Sandbox::issue_systeemcertificaat`]. The sandbox starts empty and keeps messages in memory.
//!
//! # The sandbox's rules
//!
//! **These rules, codes and limits are the sandbox's own.** The published descriptions give the
//! operations, bodies and statuses; how VECOZO routes, which limits it applies and how it words
//! its refusals are not public. The `code`s BRS04, BRS06 and BRS33 are the meanings of VECOZO's
//! error list as the iWlz community documents it (RFC0018a), borrowed here for the same
//! situations; the `SANDBOX-…` codes are invented.
//!
//! * **Parties are AGB codes.** A caller is the AGB code in its certificate's subject
//!   ([`crate::certificaat::agb_code`]); a certificate without one is
//!   refused with 403 (a status the descriptions do not document) on every path.
//! * **Push.** The body must be `multipart/form-data` with exactly one `berichtMetadata` part
//!   (JSON, `application/json` or no content type) and one `payload` part. Each message then
//!   waits for every addressee (`geadresseerden[].code`), in the order received. Refusals:
//!
//!   | situation | status | `code` |
//!   |---|---|---|
//!   | not multipart, a part missing or repeated, metadata not the schema's (unknown fields, facets), an ID not a UUID, an empty payload | 400, `errors` per field (`berichtMetadata.…`, `payload`) | — |
//!   | no addressee | 422 | `BRS33` |
//!   | an addressee without a code, or whose code is not an AGB code (eight digits) | 422 | `BRS04` |
//!   | payload larger than [`MAX_PAYLOAD_BYTES`] | 422 | `BRS06` |
//!   | `afzender.code` is not the certificate's AGB code | 422 | `SANDBOX-AFZENDER` |
//!   | the `traceerId` was used before | 422 | `SANDBOX-TRACEERID-BEKEND` |
//!   | [`MAX_BERICHTEN`] messages or [`MAX_OPSLAG_BYTES`] of payload waiting | 503 with `Retry-After` | — |
//!
//!   The body of a 400 or 422 is a problem document (`ValidationProblemDetails`: `title`,
//!   `status`, `detail`, `errors`, and `code` as an extra member). Delivered messages are
//!   forgotten, oldest first, when room is needed.
//! * **Pull.** `GET /berichten` lists the messages waiting for the caller, oldest first, at most
//!   `limit` (1–250, 250 when absent; 400 otherwise). `POST /berichten/zoeken` does the same for
//!   those matching the `Zoekpad` (flow fields and addressee, `conversatieId`, `alsAntwoordOp`;
//!   an unknown `zoekpadType` or a malformed body is 400). Each entry carries `ontvangenOp`, the
//!   payload's URL on the sandbox, its size and its SHA-256 (`algoritme` `SHA256`, lower-case
//!   hex). `GET …/payload` answers the bytes exactly as pushed (`application/octet-stream`);
//!   `DELETE /berichten/{traceerId}` confirms receipt (202). Both answer 404 for a message that
//!   is not waiting for the caller: unknown, addressed to others, or already confirmed. There is
//!   no `GET /berichten/{traceerId}` (the description has none): 405.
//! * **Berichtstatus.** Give exactly one of `traceerId` (matching the message's own trace ID or
//!   its `alsAntwoordOp`) and `conversatieId`, as a UUID; otherwise 400. The caller sees the
//!   messages it pushed and those addressed to it, oldest first, at most 250 (V3's bound, kept
//!   for V2 as well). A message is `Aangeboden` (V2) / `WordtAangeboden` (V3) from the moment it
//!   is accepted until every addressee has confirmed it, then `Bezorgd` (both);
//!   `berichtstatusGewijzigdOp` is when that happened. Routing is immediate, so the sandbox
//!   never shows `Ontvangen` or `WordtVerwerkt`, and it rejects nothing after acceptance.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use sdk_runtime::bytes::Bytes;
use sdk_runtime::client::ClientBuildError;
use sdk_runtime::sandbox::{IssuedCert, SandboxRequest, SandboxResponse};
use sdk_runtime::url::Url;
use sdk_runtime::xml::{Validate, ValidationError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Sandbox;
use crate::generated::{
    berichten_pull as pull, berichten_push as push, berichtstatus_v2 as v2, berichtstatus_v3 as v3,
};
use crate::{AgbCode, certificaat};

/// The REST Push service's base path on the sandbox (VECOZO's own path).
pub const PUSH_BASE_PATH: &str = "/berichtenservice/berichten/rest-push/v1";
/// The REST Pull service's base path on the sandbox.
pub const PULL_BASE_PATH: &str = "/berichtenservice/berichten/rest-pull/v1";
/// Berichtstatus REST Pull V2's base path on the sandbox.
pub const BERICHTSTATUS_V2_BASE_PATH: &str = "/berichtenservice/berichtstatus/rest-pull/v2";
/// Berichtstatus REST Pull V3's base path on the sandbox.
pub const BERICHTSTATUS_V3_BASE_PATH: &str = "/berichtenservice/berichtstatus/rest-pull/v3";

/// The largest payload the sandbox accepts (4 MiB; larger is 422 `BRS06`). The sandbox's own.
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;
/// How many messages the sandbox keeps at most (delivered ones are forgotten first).
pub const MAX_BERICHTEN: usize = 1000;
/// How many payload bytes the sandbox keeps at most (delivered ones are forgotten first).
pub const MAX_OPSLAG_BYTES: usize = 64 * 1024 * 1024;
/// The most entries one list, search or status answer holds (the descriptions' 250).
pub const MAX_LIJST: usize = 250;

/// At most this many parts in one multipart body, and header bytes per part.
const MAX_DELEN: usize = 16;
const MAX_DEELKOP: usize = 8 * 1024;

impl Sandbox {
    fn vsp_url(&self, base_path: &str) -> Url {
        let mut url = self.base_url();
        url.set_path(base_path);
        url
    }

    /// The REST Push service's base URL on the sandbox.
    pub fn berichten_push_url(&self) -> Url {
        self.vsp_url(PUSH_BASE_PATH)
    }

    /// The REST Pull service's base URL on the sandbox.
    pub fn berichten_pull_url(&self) -> Url {
        self.vsp_url(PULL_BASE_PATH)
    }

    /// Berichtstatus V2's base URL on the sandbox.
    pub fn berichtstatus_v2_url(&self) -> Url {
        self.vsp_url(BERICHTSTATUS_V2_BASE_PATH)
    }

    /// Berichtstatus V3's base URL on the sandbox.
    pub fn berichtstatus_v3_url(&self) -> Url {
        self.vsp_url(BERICHTSTATUS_V3_BASE_PATH)
    }

    /// A REST Push client authenticated by `certificaat`.
    pub fn berichten_push(
        &self,
        certificaat: &IssuedCert,
    ) -> Result<push::Client, ClientBuildError> {
        Ok(push::Client::new(
            self.http_client(certificaat)?,
            self.berichten_push_url(),
        ))
    }

    /// A REST Pull client authenticated by `certificaat`.
    pub fn berichten_pull(
        &self,
        certificaat: &IssuedCert,
    ) -> Result<pull::Client, ClientBuildError> {
        Ok(pull::Client::new(
            self.http_client(certificaat)?,
            self.berichten_pull_url(),
        ))
    }

    /// A Berichtstatus V2 client authenticated by `certificaat`.
    pub fn berichtstatus_v2(
        &self,
        certificaat: &IssuedCert,
    ) -> Result<v2::Client, ClientBuildError> {
        Ok(v2::Client::new(
            self.http_client(certificaat)?,
            self.berichtstatus_v2_url(),
        ))
    }

    /// A Berichtstatus V3 client authenticated by `certificaat`.
    pub fn berichtstatus_v3(
        &self,
        certificaat: &IssuedCert,
    ) -> Result<v3::Client, ClientBuildError> {
        Ok(v3::Client::new(
            self.http_client(certificaat)?,
            self.berichtstatus_v3_url(),
        ))
    }
}

/// The messages the sandbox holds, and the answers of the four services.
#[derive(Default)]
pub(super) struct Vsp {
    opslag: Mutex<Opslag>,
}

#[derive(Default)]
struct Opslag {
    berichten: Vec<Bericht>,
    bytes: usize,
}

/// A message; [`Opslag::berichten`] keeps them in arrival order.
struct Bericht {
    /// The AGB code of the certificate that pushed it.
    indiener: String,
    metadata: push::types::BerichtMetadata,
    payload: Bytes,
    /// SHA-256, lower-case hex.
    checksum: String,
    ontvangen_op: OffsetDateTime,
    /// The addressees (codes) that confirmed receipt.
    bevestigd: BTreeSet<String>,
    gewijzigd_op: OffsetDateTime,
}

impl Bericht {
    fn geadresseerden(&self) -> impl Iterator<Item = &str> {
        self.metadata
            .routeringgegevens
            .geadresseerden
            .iter()
            .filter_map(|g| g.code.as_deref())
    }

    fn wacht_op(&self, agb: &str) -> bool {
        self.geadresseerden().any(|g| g == agb) && !self.bevestigd.contains(agb)
    }

    fn bezorgd(&self) -> bool {
        self.geadresseerden().all(|g| self.bevestigd.contains(g))
    }

    fn zichtbaar_voor(&self, agb: &str) -> bool {
        self.indiener == agb || self.geadresseerden().any(|g| g == agb)
    }

    fn referentie(&self) -> &push::types::Referentiegegevens {
        &self.metadata.referentiegegevens
    }
}

/// Which service a path belongs to.
enum Dienst<'a> {
    Push(&'a str),
    Pull(&'a str),
    Status(StatusVersie, &'a str),
}

#[derive(Clone, Copy)]
enum StatusVersie {
    V2,
    V3,
}

impl Vsp {
    /// The answer to `request` when its path is one of the VSP services', else `None`.
    pub(super) fn answer(&self, request: &SandboxRequest) -> Option<SandboxResponse> {
        let path = request.path.as_str();
        let dienst = if let Some(rest) = path.strip_prefix(PUSH_BASE_PATH) {
            Dienst::Push(rest)
        } else if let Some(rest) = path.strip_prefix(PULL_BASE_PATH) {
            Dienst::Pull(rest)
        } else if let Some(rest) = path.strip_prefix(BERICHTSTATUS_V2_BASE_PATH) {
            Dienst::Status(StatusVersie::V2, rest)
        } else if let Some(rest) = path.strip_prefix(BERICHTSTATUS_V3_BASE_PATH) {
            Dienst::Status(StatusVersie::V3, rest)
        } else {
            return None;
        };
        let agb = match certificaat::agb_code(&request.client.der, "client certificate") {
            Ok(agb) => agb,
            Err(e) => {
                return Some(probleem(
                    403,
                    "Niet geautoriseerd",
                    e.to_string(),
                    BTreeMap::new(),
                    None,
                ));
            }
        };
        Some(match dienst {
            Dienst::Push("/berichten") => methode(request, "POST", || self.push(request, &agb)),
            Dienst::Pull("/berichten") => methode(request, "GET", || self.lijst(request, &agb)),
            Dienst::Pull("/berichten/zoeken") => {
                methode(request, "POST", || self.zoek(request, &agb))
            }
            Dienst::Pull(rest) => match rest.strip_prefix("/berichten/").map(|r| r.split('/')) {
                Some(mut delen) => match (delen.next(), delen.next(), delen.next()) {
                    (Some(id), Some("payload"), None) if !id.is_empty() => {
                        methode(request, "GET", || self.payload(id, &agb))
                    }
                    (Some(id), None, None) if !id.is_empty() => {
                        methode(request, "DELETE", || self.bevestig(id, &agb))
                    }
                    _ => niet_gevonden(),
                },
                None => niet_gevonden(),
            },
            Dienst::Status(versie, "/berichtstatussen") => {
                methode(request, "GET", || self.status(request, &agb, versie))
            }
            Dienst::Push(_) | Dienst::Status(..) => niet_gevonden(),
        })
    }

    fn opslag(&self) -> std::sync::MutexGuard<'_, Opslag> {
        // A panic while holding the lock cannot leave the store half-changed in a way that
        // matters to a sandbox; keep serving.
        self.opslag.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, request: &SandboxRequest, agb: &AgbCode) -> SandboxResponse {
        let (metadata, payload) = match lees_push(request) {
            Ok(v) => v,
            Err(antwoord) => return antwoord,
        };
        if payload.len() > MAX_PAYLOAD_BYTES {
            return onverwerkbaar(
                "BRS06",
                format!(
                    "de payload is {} bytes; de sandbox neemt er hoogstens {MAX_PAYLOAD_BYTES} aan",
                    payload.len()
                ),
                "payload",
            );
        }
        let routering = &metadata.routeringgegevens;
        if routering.geadresseerden.is_empty() {
            return onverwerkbaar(
                "BRS33",
                "het bericht heeft geen geadresseerde en kan niet worden bezorgd".to_owned(),
                "berichtMetadata.routeringgegevens.geadresseerden",
            );
        }
        for (i, g) in routering.geadresseerden.iter().enumerate() {
            let bekend = g
                .code
                .as_deref()
                .is_some_and(|c| c.len() == 8 && c.bytes().all(|b| b.is_ascii_digit()));
            if !bekend {
                return onverwerkbaar(
                    "BRS04",
                    format!(
                        "geadresseerde {i} is niet op VECOZO aangesloten: de sandbox bezorgt alleen aan AGB-codes (acht cijfers)"
                    ),
                    &format!("berichtMetadata.routeringgegevens.geadresseerden[{i}].code"),
                );
            }
        }
        if routering.afzender.code.as_deref() != Some(agb.as_str()) {
            return onverwerkbaar(
                "SANDBOX-AFZENDER",
                format!(
                    "de afzender moet de AGB-code van het certificaat dragen ({})",
                    agb.as_str()
                ),
                "berichtMetadata.routeringgegevens.afzender.code",
            );
        }
        let traceer_id = metadata.referentiegegevens.traceer_id.clone();
        let mut opslag = self.opslag();
        if opslag
            .berichten
            .iter()
            .any(|b| b.referentie().traceer_id.eq_ignore_ascii_case(&traceer_id))
        {
            return onverwerkbaar(
                "SANDBOX-TRACEERID-BEKEND",
                format!("een bericht met traceerId {traceer_id} is al ontvangen"),
                "berichtMetadata.referentiegegevens.traceerId",
            );
        }
        if !opslag.maak_ruimte(payload.len()) {
            return SandboxResponse::new(
                503,
                "text/plain; charset=utf-8",
                "de sandbox is vol: haal berichten op en bevestig ze",
            )
            .with_header("Retry-After", "60");
        }
        let nu = OffsetDateTime::now_utc();
        let checksum = sha256_hex(&payload);
        opslag.bytes += payload.len();
        opslag.berichten.push(Bericht {
            indiener: agb.as_str().to_owned(),
            metadata,
            payload,
            checksum,
            ontvangen_op: nu,
            bevestigd: BTreeSet::new(),
            gewijzigd_op: nu,
        });
        SandboxResponse::new(204, "text/plain; charset=utf-8", Bytes::new())
    }

    fn lijst(&self, request: &SandboxRequest, agb: &AgbCode) -> SandboxResponse {
        let limit = match limit(request) {
            Ok(l) => l,
            Err(antwoord) => return antwoord,
        };
        self.wachtend(request, agb, limit, |_| true)
    }

    fn zoek(&self, request: &SandboxRequest, agb: &AgbCode) -> SandboxResponse {
        let limit = match limit(request) {
            Ok(l) => l,
            Err(antwoord) => return antwoord,
        };
        let pad: pull::types::Zoekpad = match serde_json::from_slice(&request.body) {
            Ok(p) => p,
            Err(e) => return ongeldig("body", e.to_string()),
        };
        if let Err(e) = pad.validated() {
            return ongeldig_veld("", &e);
        }
        use pull::types::Zoekpad as Z;
        match pad {
            Z::ZoekpadOpBerichtstroom(z) => self.wachtend(request, agb, limit, |b| {
                let s = &b.metadata.routeringgegevens.berichtstroom;
                s.berichttype == z.berichttype
                    && z.berichtsubtype
                        .as_ref()
                        .is_none_or(|t| s.berichtsubtype.as_ref() == Some(t))
                    && z.berichtversie
                        .is_none_or(|v| v == i64::from(s.berichtversie))
                    && z.berichtsubversie
                        .is_none_or(|v| v == i64::from(s.berichtsubversie))
                    && z.actie.as_ref().is_none_or(|a| *a == s.actie)
                    && (z.geadresseerde_rol.is_none() && z.geadresseerde_code.is_none()
                        || b.metadata.routeringgegevens.geadresseerden.iter().any(|g| {
                            z.geadresseerde_rol.as_ref().is_none_or(|r| *r == g.rol)
                                && z.geadresseerde_code
                                    .as_ref()
                                    .is_none_or(|c| g.code.as_ref() == Some(c))
                        }))
            }),
            Z::ZoekpadOpConversatieId(z) => {
                if !is_uuid(&z.conversatie_id) {
                    return ongeldig("conversatieId", GEEN_UUID.to_owned());
                }
                self.wachtend(request, agb, limit, |b| {
                    b.referentie()
                        .conversatie_id
                        .eq_ignore_ascii_case(&z.conversatie_id)
                })
            }
            Z::ZoekpadOpAlsAntwoordOp(z) => {
                if !is_uuid(&z.als_antwoord_op) {
                    return ongeldig("alsAntwoordOp", GEEN_UUID.to_owned());
                }
                self.wachtend(request, agb, limit, |b| {
                    b.referentie()
                        .als_antwoord_op
                        .as_ref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&z.als_antwoord_op))
                })
            }
            _ => ongeldig(
                "zoekpadType",
                "must be ZoekpadOpBerichtstroom, ZoekpadOpConversatieId or ZoekpadOpAlsAntwoordOp"
                    .to_owned(),
            ),
        }
    }

    /// The metadata of the messages waiting for `agb` that `filter` keeps, oldest first.
    fn wachtend(
        &self,
        request: &SandboxRequest,
        agb: &AgbCode,
        limit: usize,
        filter: impl Fn(&Bericht) -> bool,
    ) -> SandboxResponse {
        let host = request.header("host").unwrap_or("localhost");
        let opslag = self.opslag();
        let lijst: Result<Vec<pull::types::BerichtMetadata>, _> = opslag
            .berichten
            .iter()
            .filter(|b| b.wacht_op(agb.as_str()) && filter(b))
            .take(limit)
            .map(|b| pull_metadata(b, host))
            .collect();
        match lijst {
            Ok(lijst) => json(200, &lijst),
            Err(e) => intern(&e),
        }
    }

    fn payload(&self, id: &str, agb: &AgbCode) -> SandboxResponse {
        let opslag = self.opslag();
        match opslag.zoek_wachtend(id, agb.as_str()) {
            Some(b) => SandboxResponse::new(200, "application/octet-stream", b.payload.clone()),
            None => niet_gevonden(),
        }
    }

    fn bevestig(&self, id: &str, agb: &AgbCode) -> SandboxResponse {
        let mut opslag = self.opslag();
        let Some(b) = opslag.berichten.iter_mut().find(|b| {
            b.referentie().traceer_id.eq_ignore_ascii_case(id) && b.wacht_op(agb.as_str())
        }) else {
            return niet_gevonden();
        };
        b.bevestigd.insert(agb.as_str().to_owned());
        if b.bezorgd() {
            b.gewijzigd_op = OffsetDateTime::now_utc();
        }
        SandboxResponse::new(202, "text/plain; charset=utf-8", Bytes::new())
    }

    fn status(
        &self,
        request: &SandboxRequest,
        agb: &AgbCode,
        versie: StatusVersie,
    ) -> SandboxResponse {
        let mut traceer_id = None;
        let mut conversatie_id = None;
        for (k, v) in query(request) {
            match k.as_str() {
                "traceerId" => traceer_id = Some(v),
                "conversatieId" => conversatie_id = Some(v),
                _ => {}
            }
        }
        let (veld, id, op_traceer_id) = match (traceer_id, conversatie_id) {
            (Some(t), None) => ("traceerId", t, true),
            (None, Some(c)) => ("conversatieId", c, false),
            _ => {
                return ongeldig(
                    "traceerId",
                    "give exactly one of traceerId and conversatieId".to_owned(),
                );
            }
        };
        if !is_uuid(&id) {
            return ongeldig(veld, GEEN_UUID.to_owned());
        }
        let opslag = self.opslag();
        let gevonden = opslag.berichten.iter().filter(|b| {
            let r = b.referentie();
            b.zichtbaar_voor(agb.as_str())
                && if op_traceer_id {
                    r.traceer_id.eq_ignore_ascii_case(&id)
                        || r.als_antwoord_op
                            .as_ref()
                            .is_some_and(|a| a.eq_ignore_ascii_case(&id))
                } else {
                    r.conversatie_id.eq_ignore_ascii_case(&id)
                }
        });
        let antwoord = match versie {
            StatusVersie::V2 => gevonden
                .take(MAX_LIJST)
                .map(status_v2)
                .collect::<Result<Vec<_>, _>>()
                .map(|l| json(200, &l)),
            StatusVersie::V3 => gevonden
                .take(MAX_LIJST)
                .map(status_v3)
                .collect::<Result<Vec<_>, _>>()
                .map(|l| json(200, &l)),
        };
        antwoord.unwrap_or_else(|e| intern(&e))
    }
}

impl Opslag {
    fn zoek_wachtend(&self, id: &str, agb: &str) -> Option<&Bericht> {
        self.berichten
            .iter()
            .find(|b| b.referentie().traceer_id.eq_ignore_ascii_case(id) && b.wacht_op(agb))
    }

    /// Frees room for one more message of `grootte` bytes by forgetting delivered messages,
    /// oldest first; `false` when that is not enough.
    fn maak_ruimte(&mut self, grootte: usize) -> bool {
        let vol =
            |o: &Self| o.berichten.len() >= MAX_BERICHTEN || o.bytes + grootte > MAX_OPSLAG_BYTES;
        while vol(self) {
            let Some(i) = self.berichten.iter().position(Bericht::bezorgd) else {
                return false;
            };
            let weg = self.berichten.remove(i);
            self.bytes -= weg.payload.len();
        }
        true
    }
}

const GEEN_UUID: &str = "must be a UUID (8-4-4-4-12 hexadecimal digits)";

/// Reads the two parts of a push: the metadata (checked against the schema) and the payload.
fn lees_push(
    request: &SandboxRequest,
) -> Result<(push::types::BerichtMetadata, Bytes), SandboxResponse> {
    let content_type = request.header("content-type").unwrap_or_default();
    let Some(boundary) = boundary(content_type) else {
        return Err(ongeldig(
            "",
            format!(
                "the body must be multipart/form-data with a boundary, not `{}`",
                content_type.chars().take(80).collect::<String>()
            ),
        ));
    };
    let delen = delen(&request.body, &boundary).map_err(|e| ongeldig("", e))?;
    let enig = |naam: &str| -> Result<&Deel, SandboxResponse> {
        let mut gevonden = delen.iter().filter(|d| d.naam == naam);
        match (gevonden.next(), gevonden.next()) {
            (Some(d), None) => Ok(d),
            (None, _) => Err(ongeldig(naam, format!("the {naam} field is required"))),
            (Some(_), Some(_)) => Err(ongeldig(naam, format!("the {naam} field is repeated"))),
        }
    };
    let metadata = enig("berichtMetadata")?;
    let payload = enig("payload")?;
    if let Some(ct) = &metadata.content_type {
        let mime = ct.split(';').next().unwrap_or_default().trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(ongeldig(
                "berichtMetadata",
                format!("must be application/json, not `{mime}`"),
            ));
        }
    }
    let metadata: push::types::BerichtMetadata = serde_json::from_slice(&metadata.inhoud)
        .map_err(|e| ongeldig("berichtMetadata", e.to_string()))?;
    if let Err(e) = metadata.validated() {
        return Err(ongeldig_veld("berichtMetadata", &e));
    }
    let r = &metadata.referentiegegevens;
    let ids = [
        ("conversatieId", Some(&r.conversatie_id)),
        ("traceerId", Some(&r.traceer_id)),
        ("alsAntwoordOp", r.als_antwoord_op.as_ref()),
    ];
    for (veld, waarde) in ids {
        if let Some(w) = waarde
            && !is_uuid(w)
        {
            return Err(ongeldig(
                &format!("berichtMetadata.referentiegegevens.{veld}"),
                GEEN_UUID.to_owned(),
            ));
        }
    }
    if payload.inhoud.is_empty() {
        return Err(ongeldig("payload", "the payload is empty".to_owned()));
    }
    Ok((metadata, payload.inhoud.clone()))
}

/// One part of a multipart body.
struct Deel {
    naam: String,
    content_type: Option<String>,
    inhoud: Bytes,
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let mime = params.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// The parts of a multipart body (RFC 7578 / RFC 2046): a preamble is skipped, each part's
/// headers are read up to the blank line, its content runs to the next `CRLF--boundary`.
fn delen(body: &Bytes, boundary: &str) -> Result<Vec<Deel>, String> {
    let scheiding = format!("\r\n--{boundary}");
    let scheiding = scheiding.as_bytes();
    let eerste = if body.starts_with(&scheiding[2..]) {
        0
    } else {
        zoek(body, scheiding)
            .map(|i| i + 2)
            .ok_or("the body holds no part delimiter")?
    };
    let mut pos = eerste + scheiding.len() - 2;
    let mut out = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        if out.len() == MAX_DELEN {
            return Err(format!("more than {MAX_DELEN} parts"));
        }
        let opvulling = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let Some(na) = rest[opvulling..].strip_prefix(b"\r\n") else {
            return Err("a part delimiter is not followed by a line break".to_owned());
        };
        let begin = pos + opvulling + 2;
        let (kop, inhoud_begin) = if na.starts_with(b"\r\n") {
            (&na[..0], begin + 2)
        } else {
            let eind = zoek(&na[..na.len().min(MAX_DEELKOP)], b"\r\n\r\n")
                .ok_or("a part's headers do not end (or exceed 8 KiB)")?;
            (&na[..eind], begin + eind + 4)
        };
        let mut deel = Deel {
            naam: String::new(),
            content_type: None,
            inhoud: Bytes::new(),
        };
        for regel in String::from_utf8_lossy(kop).split("\r\n") {
            let Some((naam, waarde)) = regel.split_once(':') else {
                return Err(format!("a part header without a colon: `{regel}`"));
            };
            let waarde = waarde.trim();
            if naam.trim().eq_ignore_ascii_case("content-disposition") {
                deel.naam = parameter(waarde, "name")
                    .ok_or("a part's Content-Disposition names no field")?;
            } else if naam.trim().eq_ignore_ascii_case("content-type") {
                deel.content_type = Some(waarde.to_owned());
            }
        }
        if deel.naam.is_empty() {
            return Err("a part has no Content-Disposition with a name".to_owned());
        }
        let eind =
            zoek(&body[inhoud_begin..], scheiding).ok_or("the closing delimiter is missing")?;
        deel.inhoud = body.slice(inhoud_begin..inhoud_begin + eind);
        out.push(deel);
        pos = inhoud_begin + eind + scheiding.len();
    }
}

/// A parameter of a header value such as `form-data; name="payload"`.
fn parameter(waarde: &str, naam: &str) -> Option<String> {
    waarde
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(naam))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

fn zoek(hooiberg: &[u8], naald: &[u8]) -> Option<usize> {
    let eerste = *naald.first()?;
    let mut vanaf = 0;
    while let Some(i) = hooiberg.get(vanaf..)?.iter().position(|b| *b == eerste) {
        let start = vanaf + i;
        if hooiberg.get(start..start + naald.len())? == naald {
            return Some(start);
        }
        vanaf = start + 1;
    }
    None
}

fn is_uuid(text: &str) -> bool {
    let groepen: Vec<&str> = text.split('-').collect();
    groepen.len() == 5
        && groepen
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn query(request: &SandboxRequest) -> Vec<(String, String)> {
    sdk_runtime::url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The `limit` query parameter: 1 to 250, 250 when absent.
fn limit(request: &SandboxRequest) -> Result<usize, SandboxResponse> {
    let Some((_, waarde)) = query(request).into_iter().rfind(|(k, _)| k == "limit") else {
        return Ok(MAX_LIJST);
    };
    waarde
        .parse::<usize>()
        .ok()
        .filter(|l| (1..=MAX_LIJST).contains(l))
        .ok_or_else(|| {
            ongeldig(
                "limit",
                format!("the field limit must be between 1 and {MAX_LIJST}"),
            )
        })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn tijd(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The same JSON read as another generated type (the services repeat their schemas).
fn omzetten<A: Serialize, B: DeserializeOwned>(a: &A) -> Result<B, serde_json::Error> {
    serde_json::from_value(serde_json::to_value(a)?)
}

fn pull_metadata(
    b: &Bericht,
    host: &str,
) -> Result<pull::types::BerichtMetadata, serde_json::Error> {
    let url = format!(
        "https://{host}{PULL_BASE_PATH}/berichten/{}/payload",
        b.referentie().traceer_id
    );
    let grootte = i64::try_from(b.payload.len()).unwrap_or(i64::MAX);
    let download = pull::types::HTTPSDownload::new(
        url,
        grootte,
        pull::types::Checksum::new("SHA256".to_owned(), b.checksum.clone()),
    );
    let mut m = pull::types::BerichtMetadata::new(
        pull::types::Basisgegevens::new(tijd(b.ontvangen_op), download),
        omzetten(&b.metadata.routeringgegevens)?,
        omzetten(&b.metadata.referentiegegevens)?,
    );
    m.verwerkingscontext = b
        .metadata
        .verwerkingscontext
        .as_ref()
        .map(omzetten)
        .transpose()?;
    Ok(m)
}

fn status_v2(b: &Bericht) -> Result<v2::types::BerichtstatusGegevens, serde_json::Error> {
    let status = if b.bezorgd() {
        v2::types::Berichtstatus::Bezorgd
    } else {
        v2::types::Berichtstatus::Aangeboden
    };
    Ok(v2::types::BerichtstatusGegevens::new(
        omzetten(&b.metadata.referentiegegevens)?,
        omzetten(&b.metadata.routeringgegevens.berichtstroom)?,
        status,
        tijd(b.gewijzigd_op),
        tijd(b.ontvangen_op),
    ))
}

fn status_v3(b: &Bericht) -> Result<v3::types::BerichtstatusGegevens, serde_json::Error> {
    let status = if b.bezorgd() {
        v3::types::Berichtstatus::Bezorgd
    } else {
        v3::types::Berichtstatus::WordtAangeboden
    };
    Ok(v3::types::BerichtstatusGegevens::new(
        omzetten(&b.metadata.referentiegegevens)?,
        omzetten(&b.metadata.routeringgegevens.berichtstroom)?,
        status,
        tijd(b.gewijzigd_op),
        tijd(b.ontvangen_op),
    ))
}

fn methode(
    request: &SandboxRequest,
    toegestaan: &str,
    antwoord: impl FnOnce() -> SandboxResponse,
) -> SandboxResponse {
    if request.method == toegestaan {
        antwoord()
    } else {
        SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", toegestaan)
    }
}

fn json<T: Serialize>(status: u16, value: &T) -> SandboxResponse {
    match serde_json::to_vec(value) {
        Ok(body) => SandboxResponse::new(status, "application/json", body),
        Err(e) => intern(&e),
    }
}

fn intern(e: &dyn std::fmt::Display) -> SandboxResponse {
    SandboxResponse::new(
        500,
        "text/plain; charset=utf-8",
        format!("sandbox error: {e}"),
    )
}

fn niet_gevonden() -> SandboxResponse {
    SandboxResponse::new(404, "text/plain; charset=utf-8", Bytes::new())
}

/// A problem document (`ValidationProblemDetails`), with `code` as an extra member.
fn probleem(
    status: u16,
    title: &str,
    detail: String,
    errors: BTreeMap<String, Vec<String>>,
    code: Option<&str>,
) -> SandboxResponse {
    let mut p = push::types::ValidationProblemDetails::new();
    p.type_ = Some(
        match status {
            400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            _ => "https://tools.ietf.org/html/rfc4918#section-11.2",
        }
        .to_owned(),
    );
    p.title = Some(title.to_owned());
    p.status = Some(i32::from(status));
    p.detail = Some(detail);
    if !errors.is_empty() {
        p.errors = Some(errors);
    }
    if let Some(code) = code {
        p.additional_properties.insert(
            "code".to_owned(),
            serde_json::Value::String(code.to_owned()),
        );
    }
    json(status, &p)
}

/// 400 for one field.
fn ongeldig(veld: &str, melding: String) -> SandboxResponse {
    let detail = if veld.is_empty() {
        melding.clone()
    } else {
        format!("{veld}: {melding}")
    };
    probleem(
        400,
        "One or more validation errors occurred.",
        detail,
        BTreeMap::from([(veld.to_owned(), vec![melding])]),
        None,
    )
}

/// 400 for every violation of a schema check, under `prefix`.
fn ongeldig_veld(prefix: &str, e: &ValidationError) -> SandboxResponse {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in &e.violations {
        // The validator's `a/[0]/b` as `a[0].b`, the way problem documents name fields.
        let pad = v.field.replace("/[", "[").replace('/', ".");
        let veld = match (prefix.is_empty(), pad.is_empty()) {
            (true, _) => pad,
            (false, true) => prefix.to_owned(),
            (false, false) => format!("{prefix}.{pad}"),
        };
        errors.entry(veld).or_default().push(v.message.clone());
    }
    probleem(
        400,
        "One or more validation errors occurred.",
        e.to_string(),
        errors,
        None,
    )
}

/// 422: the message is well-formed but cannot be accepted.
fn onverwerkbaar(code: &str, melding: String, veld: &str) -> SandboxResponse {
    probleem(
        422,
        "Het bericht kan niet worden verwerkt.",
        melding.clone(),
        BTreeMap::from([(veld.to_owned(), vec![melding])]),
        Some(code),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn multipart_parts_are_split_exactly() {
        let body = Bytes::from_static(
            b"preamble\r\n--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz \r\n\
              Content-Disposition: form-data; name=\"b\"; filename=\"b\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--xy\r\n\r\n--xyz--\r\n",
        );
        let d = delen(&body, "xyz").unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].naam.as_str(), &d[0].inhoud[..]), ("a", &b"1"[..]));
        assert_eq!(d[1].naam, "b");
        assert_eq!(&d[1].inhoud[..], b"\r\n--xy\r\n");
        assert_eq!(
            d[1].content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert!(delen(&Bytes::from_static(b"--xyz\r\n\r\nno end"), "xyz").is_err());
        assert!(delen(&Bytes::from_static(b"nothing"), "xyz").is_err());
    }

    #[test]
    fn boundaries_and_uuids_are_recognised() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("application/json"), None);
        assert!(is_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_uuid("0f8fad5b-d9cb-469f-a165-70867728950"));
        assert!(!is_uuid("0f8fad5bd9cb469fa16570867728950e"));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

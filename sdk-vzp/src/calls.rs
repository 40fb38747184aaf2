//! What the family client gains by hand: methods taking VZP's checked value types instead of
//! the generated request structs. The client itself, its builder and a method per operation are
//! generated (`generated/client.rs`, from `[client]` in `wsdl/vzp/codegen.toml`).

// Unused when the services these methods call are compiled out.
#[cfg_attr(
    not(any(feature = "pzs", feature = "pojistovna")),
    allow(unused_imports)
)]
use sdk_runtime::{Date, SdkError, soap::Response};

#[cfg(any(feature = "pzs", feature = "pojistovna"))]
use crate::CisloPojistence;
#[cfg(feature = "pzs")]
use crate::Icp;
use crate::generated::client::Client;
#[cfg(any(feature = "pzs", feature = "pojistovna"))]
use crate::generated::prubeh_pojisteni;
#[cfg(feature = "pzs")]
use crate::generated::stav_smlouvy;

/// Output of Průběh pojištění.
#[cfg(any(feature = "pzs", feature = "pojistovna"))]
pub type PrubehPojisteni = prubeh_pojisteni::types::PrubehPojisteniDruhB2BOdpoved;
/// Error of Průběh pojištění.
#[cfg(any(feature = "pzs", feature = "pojistovna"))]
pub type PrubehPojisteniError = prubeh_pojisteni::operation::prubeh_pojisteni_druh_b2b::Error;
/// Output of Stav smlouvy podle IČP/IČPP.
#[cfg(feature = "pzs")]
pub type StavSmlouvy = stav_smlouvy::types::StavSmlouvyICPICPPB2BOdpoved;
/// Error of Stav smlouvy podle IČP/IČPP.
#[cfg(feature = "pzs")]
pub type StavSmlouvyError = stav_smlouvy::operation::stav_smlouvy_icpicppb2b::Error;

impl Client {
    /// Průběh pojištění: is the person insured on `k_datu`, with which insurer, in which kind of
    /// insurance.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use sdk_vzp::{CisloPojistence, Client};
    /// use sdk_runtime::transport::Identity;
    ///
    /// let identity = Identity::from_pkcs12_file("firma.p12", &std::env::var("P12_PASSWORD")?)?;
    /// let client = Client::builder().identity(identity).build()?;
    /// let cislo = CisloPojistence::parse("8001010006")?;
    /// let date = sdk_vzp::parse_date("kDatu", "2026-11-23")?;
    /// let answer = client.prubeh_pojisteni(&cislo, date).await?;
    /// println!("{:?}", answer.output.stav);
    /// # Ok(()) }
    /// ```
    #[cfg(any(feature = "pzs", feature = "pojistovna"))]
    pub async fn prubeh_pojisteni(
        &self,
        cislo_pojistence: &CisloPojistence,
        k_datu: Date,
    ) -> Result<Response<PrubehPojisteni>, SdkError<PrubehPojisteniError>> {
        let input = prubeh_pojisteni::types::PrubehPojisteniDruhB2BPozadavek::new(
            cislo_pojistence.clone(),
            k_datu,
        );
        self.prubeh_pojisteni_druh_b2b(&input).await
    }

    /// Stav smlouvy podle IČP/IČPP: the workplace's contract with VZP on `k_datu`.
    #[cfg(feature = "pzs")]
    pub async fn stav_smlouvy(
        &self,
        icp: &Icp,
        k_datu: Date,
    ) -> Result<Response<StavSmlouvy>, SdkError<StavSmlouvyError>> {
        let input = stav_smlouvy::types::StavSmlouvyICPICPPB2BZadost::new(icp.clone(), k_datu);
        self.stav_smlouvy_icpicppb2b(&input).await
    }
}

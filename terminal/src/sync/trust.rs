//! Whom a terminal trusts as head office: `https://` checked against the
//! system's roots, or against the certificate whose fingerprint was pinned
//! at enrollment (a shop's self-signed server) and those head office said,
//! over that channel, it presents next or presented before; plain `http://`
//! only to this machine, unless the till was told `--insecure`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use pos_shared::fingerprint::Fingerprint;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::client::SyncError;

/// How the terminal checks the server it talks to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    /// The server's certificate must have this SHA-256 fingerprint...
    pub fingerprint: Option<Fingerprint>,
    /// ...or one of these, which head office announced (its next
    /// certificate, or its previous one while a chain switches).
    pub also: Vec<Fingerprint>,
    /// Plain `http://` allowed to another machine (the status bar says so).
    pub insecure: bool,
}

/// Whether a URL names this machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    })
}

impl Trust {
    /// Refuses a server address this trust does not allow, before anything is sent.
    pub fn check(&self, server: &str) -> Result<(), SyncError> {
        let url = reqwest::Url::parse(server.trim())
            .map_err(|e| SyncError::Local(format!("server “{}” is not a URL: {e}", server.trim())))?;
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.fingerprint.is_some() => {
                Err(SyncError::Local("a pinned certificate needs an https:// server address".into()))
            }
            "http" if self.insecure || is_loopback(&url) => Ok(()),
            "http" => Err(SyncError::Local(format!(
                "{server} is not encrypted: tokens, PINs and prices would cross the network in clear. Use \
                 https:// (with --fingerprint for a self-signed server), or --insecure to accept that"
            ))),
            other => Err(SyncError::Local(format!("server scheme “{other}” must be https or http"))),
        }
    }

    /// An HTTP client that checks the server as this trust says.
    pub fn client(&self) -> Result<reqwest::Client, SyncError> {
        let builder =
            reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).timeout(Duration::from_secs(60));
        let builder = match self.fingerprint {
            None => builder,
            Some(fingerprint) => {
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let accepted = [vec![fingerprint], self.also.clone()].concat();
                let pinned = Pinned { accepted, algorithms: provider.signature_verification_algorithms };
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| SyncError::Local(e.to_string()))?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(pinned))
                    .with_no_client_auth();
                builder.use_preconfigured_tls(config)
            }
        };
        Ok(builder.build()?)
    }
}

/// Accepts exactly the certificate with the pinned fingerprint (names and
/// dates are the pin's business: head office made the certificate), and
/// checks the handshake was signed by its key.
#[derive(Debug)]
struct Pinned {
    /// The pinned fingerprint first.
    accepted: Vec<Fingerprint>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of_der(end_entity);
        if self.accepted.contains(&presented) {
            return Ok(ServerCertVerified::assertion());
        }
        Err(rustls::Error::General(format!(
            "the server's certificate {presented} is not the one pinned at enrollment ({}) nor one head office \
             announced: refused, nothing sent (a manager may trust a new one: pos-terminal trust --fingerprint FP)",
            self.accepted[0]
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine_unless_told() {
        let open = Trust::default();
        for fine in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://hq.example"] {
            assert!(open.check(fine).is_ok(), "{fine}");
        }
        let refused = open.check("http://192.168.1.20:8080").unwrap_err().to_string();
        assert!(refused.contains("not encrypted") && refused.contains("--insecure"), "{refused}");
        assert!(Trust { insecure: true, ..Trust::default() }.check("http://192.168.1.20:8080").is_ok());
        let pinned = Trust { fingerprint: Some(Fingerprint([7; 32])), ..Trust::default() };
        assert!(pinned.check("http://127.0.0.1:8080").is_err(), "a pin needs TLS");
        assert!(open.check("ftp://hq").is_err());
        assert!(open.check("hq.example").is_err());
    }
}

//! TLS for the sync API (rustls on ring): the server's certificate and key
//! from PEM files, a self-signed pair for a shop without a PKI, and the
//! certificate's fingerprint that terminals pin at enrollment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use pos_shared::fingerprint::Fingerprint;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What `serve` needs to speak TLS, and the fingerprint it presents.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub fingerprint: Fingerprint,
}

impl Tls {
    /// Loads the certificate chain (the server's own first) and its key.
    pub fn load(cert: &Path, key: &Path) -> Result<Tls> {
        let chain = read_chain(cert)?;
        let fingerprint = Fingerprint::of_der(&chain[0]);
        let key =
            PrivateKeyDer::from_pem_file(key).map_err(|e| anyhow!("reading the private key {}: {e}", key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("the certificate and the key do not go together")?;
        Ok(Tls { acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)), fingerprint })
    }
}

/// The certificate chain in a PEM file, the server's own first (never empty).
fn read_chain(cert: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate", cert.display()))?;
    if chain.is_empty() {
        bail!("{} holds no certificate", cert.display());
    }
    Ok(chain)
}

/// The fingerprint tills pin of the certificate in a PEM file (its first).
pub fn fingerprint_of(cert: &Path) -> Result<Fingerprint> {
    Ok(Fingerprint::of_der(&read_chain(cert)?[0]))
}

/// A new self-signed certificate for `hosts` (names or addresses) and its
/// key, both PEM, with the certificate's fingerprint.
fn self_signed(hosts: &[String]) -> Result<(String, String, Fingerprint)> {
    if hosts.iter().any(|h| h.trim().is_empty()) || hosts.is_empty() {
        bail!("name the host the tills will connect to, e.g. --host hq.example.com");
    }
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(hosts.to_vec()).context("making the certificate")?;
    let fingerprint = Fingerprint::of_der(cert.der());
    Ok((cert.pem(), signing_key.serialize_pem(), fingerprint))
}

/// Writes a new self-signed pair for `hosts` to `dir` (`cert.pem`, and
/// `key.pem` readable by its owner only); refuses to overwrite either.
pub fn write_self_signed(hosts: &[String], dir: &Path) -> Result<(PathBuf, PathBuf, Fingerprint)> {
    let (cert_pem, key_pem, fingerprint) = self_signed(hosts)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    for path in [&cert, &key] {
        if path.exists() {
            bail!("{} exists already: move it away first", path.display());
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&key)?, key_pem.as_bytes())?;
    std::fs::write(&cert, cert_pem)?;
    Ok((cert, key, fingerprint))
}

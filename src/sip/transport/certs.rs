//! A lab certificate authority for SIP over TLS: [`LabCa::load_or_create`] keeps a CA key and
//! certificate in a folder (created on first use), [`LabCa::issue`] signs a server certificate
//! whose Subject CN and SAN carry the server FQDN (Exchange UM and Lync refuse a certificate
//! without the FQDN in the subject, and no wildcard) plus the given IP addresses, so a lab
//! peer can verify `um1.lab.contoso.com` or `127.0.0.2`. ECDSA P-256 keys, ring backend. Not
//! for production: the CA key sits unencrypted in the folder (mode 0600 on Unix).
//!
//! Reloading does not parse the CA certificate back: the issuer is rebuilt from the stored
//! key and the fixed CA name, which gives the same issuer name and key identifier as the
//! stored certificate (rcgen derives the identifier from the key).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use super::TransportError;

/// The CA's subject common name.
pub const LAB_CA_NAME: &str = "umctl lab CA";
const CA_CERT_FILE: &str = "lab-ca.pem";
const CA_KEY_FILE: &str = "lab-ca.key";

/// The lab CA: its certificate (PEM) and the issuer that signs with its key.
pub struct LabCa {
    cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
    dir: PathBuf,
}

/// A server certificate issued by the lab CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCert {
    /// The server certificate followed by the CA certificate.
    pub chain_pem: String,
    /// The server's private key (PKCS#8 PEM).
    pub key_pem: String,
}

fn cert_err(path: &Path, reason: impl std::fmt::Display) -> TransportError {
    TransportError::CertFile {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn.push(DnType::OrganizationName, "umctl lab");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

impl LabCa {
    /// Loads `dir/lab-ca.pem` and `dir/lab-ca.key`, or creates both (and `dir`) when neither
    /// exists. One without the other is an error naming the missing file.
    pub fn load_or_create(dir: &Path) -> Result<LabCa, TransportError> {
        LabCa::load_or_create_as(dir, LAB_CA_NAME)
    }

    /// [`LabCa::load_or_create`] for a CA whose common name is `name` (the same on every load).
    pub fn load_or_create_as(dir: &Path, name: &str) -> Result<LabCa, TransportError> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => {
                let cert_pem =
                    std::fs::read_to_string(&cert_path).map_err(|e| cert_err(&cert_path, e))?;
                let key_pem =
                    std::fs::read_to_string(&key_path).map_err(|e| cert_err(&key_path, e))?;
                let key = KeyPair::from_pem(&key_pem)
                    .map_err(|e| cert_err(&key_path, format!("not a PEM private key: {e}")))?;
                if !cert_pem.contains("BEGIN CERTIFICATE") {
                    return Err(cert_err(&cert_path, "expected a PEM certificate"));
                }
                Ok(LabCa {
                    cert_pem,
                    issuer: Issuer::new(ca_params(name), key),
                    dir: dir.to_path_buf(),
                })
            }
            (false, false) => {
                std::fs::create_dir_all(dir).map_err(|e| cert_err(dir, e))?;
                let key = KeyPair::generate().map_err(|e| cert_err(&key_path, e))?;
                let cert = ca_params(name)
                    .self_signed(&key)
                    .map_err(|e| cert_err(&cert_path, e))?;
                let cert_pem = cert.pem();
                write_private(&key_path, &key.serialize_pem())?;
                std::fs::write(&cert_path, &cert_pem).map_err(|e| cert_err(&cert_path, e))?;
                Ok(LabCa {
                    cert_pem,
                    issuer: Issuer::new(ca_params(name), key),
                    dir: dir.to_path_buf(),
                })
            }
            (true, false) => Err(cert_err(
                &key_path,
                "missing while the CA certificate exists",
            )),
            (false, true) => Err(cert_err(&cert_path, "missing while the CA key exists")),
        }
    }

    /// The CA certificate (PEM), for peers' trust stores.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The folder the CA lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A server certificate for `fqdn` (CN and DNS SAN) and `ips` (IP SANs), for TLS server
    /// and client authentication (mutual TLS between Lync and UM uses both).
    pub fn issue(&self, fqdn: &str, ips: &[IpAddr]) -> Result<IssuedCert, TransportError> {
        if fqdn.is_empty() || fqdn.contains('*') || fqdn.contains(char::is_whitespace) {
            return Err(TransportError::Tls(format!(
                "certificate for {fqdn:?}: expected a host name without wildcard"
            )));
        }
        self.issue_with(&CertOptions::for_name(fqdn).with_ips(ips))
    }

    /// A certificate as `opts` says, good or deliberately faulty (`umctl lab cert issue`).
    pub fn issue_with(&self, opts: &CertOptions) -> Result<IssuedCert, TransportError> {
        let name = opts.name.as_str();
        let bad =
            |reason: String| TransportError::Tls(format!("certificate for {name:?}: {reason}"));
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(bad("expected a host name".into()));
        }
        let mut params =
            CertificateParams::new(vec![name.to_string()]).map_err(|e| bad(e.to_string()))?;
        params
            .subject_alt_names
            .extend(opts.ips.iter().map(|ip| SanType::IpAddress(*ip)));
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = if opts.server_auth {
            vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ]
        } else {
            vec![ExtendedKeyUsagePurpose::ClientAuth]
        };
        if let Some((from, to)) = opts.valid_days {
            let now = time::OffsetDateTime::now_utc();
            params.not_before = now + time::Duration::days(from);
            params.not_after = now + time::Duration::days(to);
        }
        let key = KeyPair::generate().map_err(|e| bad(e.to_string()))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| bad(e.to_string()))?;
        Ok(IssuedCert {
            chain_pem: format!("{}{}", cert.pem(), self.cert_pem),
            key_pem: key.serialize_pem(),
        })
    }
}

/// What [`LabCa::issue_with`] puts in a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertOptions {
    /// Subject CN and DNS SAN (`*.contoso.com` for a wildcard).
    pub name: String,
    /// IP SANs.
    pub ips: Vec<IpAddr>,
    /// Valid from/to, in days from now (default: rcgen's, 1975 to 4096).
    pub valid_days: Option<(i64, i64)>,
    /// Server and client authentication EKU; false: client authentication only.
    pub server_auth: bool,
}

impl CertOptions {
    /// A good certificate for `name`.
    pub fn for_name(name: &str) -> CertOptions {
        CertOptions {
            name: name.to_string(),
            ips: Vec::new(),
            valid_days: None,
            server_auth: true,
        }
    }

    /// `*.` and the domain of `fqdn` (`*.contoso.com` for `ex-cas01.contoso.com`).
    pub fn wildcard_for(fqdn: &str) -> CertOptions {
        let domain = fqdn.split_once('.').map_or(fqdn, |(_, d)| d);
        CertOptions::for_name(&format!("*.{domain}"))
    }

    pub fn with_ips(mut self, ips: &[IpAddr]) -> CertOptions {
        self.ips = ips.to_vec();
        self
    }

    /// Valid from `from` to `to` days from now (negative: in the past).
    pub fn days(mut self, from: i64, to: i64) -> CertOptions {
        self.valid_days = Some((from, to));
        self
    }

    /// Without the server authentication EKU.
    pub fn client_auth_only(mut self) -> CertOptions {
        self.server_auth = false;
        self
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), TransportError> {
    std::fs::write(path, text).map_err(|e| cert_err(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| cert_err(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ca_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let ca = LabCa::load_or_create(dir.path()).unwrap();
        let again = LabCa::load_or_create(dir.path()).unwrap();
        assert_eq!(ca.cert_pem(), again.cert_pem());
        let issued = again
            .issue("um1.lab.contoso.com", &["127.0.0.2".parse().unwrap()])
            .unwrap();
        assert_eq!(issued.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(issued.key_pem.contains("PRIVATE KEY"));
        assert!(ca.issue("*.lab.contoso.com", &[]).is_err());
        std::fs::remove_file(dir.path().join(CA_KEY_FILE)).unwrap();
        let err = LabCa::load_or_create(dir.path()).err().unwrap();
        assert!(err.to_string().contains("lab-ca.key"), "{err}");
    }
}

//! The certificate a Skype for Business pool and Exchange UM accept from each other over TLS
//! (5061, 5063, 5066), judged as one pure function that the live trace, `doctor --tls` and
//! `umctl serve` (for the administrator's own certificate) all call: [`judge`] reads the chain
//! with x509-parser ([`CertificateInfo`]: subject, SANs, issuer, validity, EKU, the chain's
//! subjects), checks the path to the trust anchors with rustls-webpki, and returns
//! [`Finding`]s, each with why and fix:
//!
//! - the FQDN dialled must be the subject CN or a DNS SAN, exactly: Lync and Exchange UM do
//!   not accept a wildcard name (`*.contoso.com`) between each other;
//! - valid now (not expired, not before its start); a warning when it ends within 30 days;
//! - issued by a trusted CA (the `--ca-file` anchors, else the lab CA);
//! - an EKU extension, when present, names server authentication.
//!
//! [`certificate_names`] gives the names mutual TLS admits a gateway by (um::resolve).

use rustls_pki_types::{CertificateDer, UnixTime};
use serde::Serialize;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// A warning when the certificate ends within this many days.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
const DAY: i64 = 86_400;

/// What a certificate says, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// The subject as an RFC 4514 string (`CN=ex-cas01.contoso.com`).
    pub subject: String,
    /// The subject's common name.
    pub common_name: Option<String>,
    /// DNS names of the subject alternative name extension.
    pub dns_names: Vec<String>,
    /// IP addresses of the subject alternative name extension.
    pub ip_addresses: Vec<String>,
    pub issuer: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    pub not_after: String,
    #[serde(skip)]
    pub not_before_unix: i64,
    #[serde(skip)]
    pub not_after_unix: i64,
    /// Extended key usages (`server auth`, `client auth`, OIDs); `None`: no EKU extension
    /// (any use).
    pub eku: Option<Vec<String>>,
    /// The subjects of the whole chain as offered, the server's first.
    pub chain: Vec<String>,
}

impl CertificateInfo {
    /// One line for a trace hop or a table.
    pub fn summary(&self) -> String {
        let sans: Vec<&str> = self
            .dns_names
            .iter()
            .chain(&self.ip_addresses)
            .map(String::as_str)
            .collect();
        format!(
            "subject {}; SANs {}; issuer {}; valid {} to {}; EKU {}; chain {}",
            self.subject,
            if sans.is_empty() {
                "(none)".into()
            } else {
                sans.join(", ")
            },
            self.issuer,
            self.not_before,
            self.not_after,
            self.eku
                .as_ref()
                .map_or_else(|| "(none: any use)".into(), |e| e.join(", ")),
            self.chain.join(" <- "),
        )
    }
}

/// What is wrong (or about to be) with a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// No certificate, or one that cannot be read.
    Unreadable,
    /// The FQDN dialled is neither the subject CN nor a DNS SAN.
    NameMismatch,
    /// Only a wildcard name covers the FQDN.
    Wildcard,
    Expired,
    NotYetValid,
    /// No path to a trust anchor.
    Untrusted,
    /// An EKU extension without server authentication.
    NoServerAuth,
    /// Valid, but not for much longer.
    ExpiresSoon,
    /// No TLS handshake at all (doctor --tls: nothing listens, or the handshake fails).
    Unreachable,
}

impl FindingKind {
    /// The short name of the cause (`certificate-wildcard`), what `umctl doctor --tls` groups
    /// its findings by.
    pub fn cause(self) -> &'static str {
        match self {
            FindingKind::Unreadable => "certificate-unreadable",
            FindingKind::NameMismatch => "certificate-name-mismatch",
            FindingKind::Wildcard => "certificate-wildcard",
            FindingKind::Expired => "certificate-expired",
            FindingKind::NotYetValid => "certificate-not-yet-valid",
            FindingKind::Untrusted => "certificate-untrusted",
            FindingKind::NoServerAuth => "certificate-no-server-auth",
            FindingKind::ExpiresSoon => "certificate-expires-soon",
            FindingKind::Unreachable => "tls-unreachable",
        }
    }
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The peer refuses the TLS connection.
    Fail,
    /// Works today.
    Warn,
}

/// One finding with why and fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub why: String,
    pub fix: String,
}

/// The judgement of one offered chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertificateCheck {
    /// The FQDN (or address) that was dialled.
    pub dialled: String,
    pub offered: Option<CertificateInfo>,
    pub findings: Vec<Finding>,
}

impl CertificateCheck {
    /// The first finding that makes the connection fail.
    pub fn failure(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Fail)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warn)
    }
}

fn parse<'a>(der: &'a CertificateDer<'_>) -> Option<X509Certificate<'a>> {
    X509Certificate::from_der(der.as_ref())
        .ok()
        .map(|(_, cert)| cert)
}

fn rfc3339(t: &x509_parser::time::ASN1Time) -> String {
    let d = t.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

fn eku_names(cert: &X509Certificate<'_>) -> Option<Vec<String>> {
    let eku = cert.extended_key_usage().ok().flatten()?.value;
    let mut names = Vec::new();
    for (on, name) in [
        (eku.any, "any"),
        (eku.server_auth, "server auth"),
        (eku.client_auth, "client auth"),
        (eku.code_signing, "code signing"),
        (eku.email_protection, "email protection"),
        (eku.time_stamping, "time stamping"),
        (eku.ocsp_signing, "OCSP signing"),
    ] {
        if on {
            names.push(name.to_string());
        }
    }
    names.extend(eku.other.iter().map(|o| o.to_id_string()));
    Some(names)
}

/// Reads `chain` (the server's certificate first); `None` when the first is not X.509.
pub fn describe(chain: &[CertificateDer<'_>]) -> Option<CertificateInfo> {
    let leaf = parse(chain.first()?)?;
    let mut info = CertificateInfo {
        subject: leaf.subject().to_string(),
        common_name: leaf
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string),
        issuer: leaf.issuer().to_string(),
        not_before: rfc3339(&leaf.validity().not_before),
        not_after: rfc3339(&leaf.validity().not_after),
        not_before_unix: leaf.validity().not_before.timestamp(),
        not_after_unix: leaf.validity().not_after.timestamp(),
        eku: eku_names(&leaf),
        ..CertificateInfo::default()
    };
    if let Ok(Some(san)) = leaf.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => info.dns_names.push((*d).to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_of(bytes) {
                        info.ip_addresses.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    info.chain = chain
        .iter()
        .map(|c| parse(c).map_or_else(|| "(unreadable)".into(), |c| c.subject().to_string()))
        .collect();
    Some(info)
}

fn ip_of(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}

/// The names a certificate stands for: its common name, DNS SANs and IP SANs (mutual TLS
/// admits a UM IP gateway when one of them is the gateway's address).
pub fn certificate_names(der: &[u8]) -> Vec<String> {
    let Some(info) = describe(&[CertificateDer::from(der)]) else {
        return Vec::new();
    };
    let mut names: Vec<String> = info.common_name.into_iter().collect();
    for n in info.dns_names.into_iter().chain(info.ip_addresses) {
        if !names.iter().any(|m| m.eq_ignore_ascii_case(&n)) {
            names.push(n);
        }
    }
    names
}

fn finding(kind: FindingKind, severity: Severity, why: String, fix: String) -> Finding {
    Finding {
        kind,
        severity,
        why,
        fix,
    }
}

/// How to get a good certificate: from the lab CA (lab) or the administrator's CA.
fn reissue(dialled: &str) -> String {
    format!(
        "Issue a certificate whose subject CN (and a DNS SAN) is exactly {dialled}, for server authentication, from a CA both sides trust, and assign it to the UM services (Enable-ExchangeCertificate -Services UM,UMCallRouter; in the lab: `umctl lab cert issue --server <NAME>`, then `umctl serve --tls-cert FILE --tls-key FILE`)"
    )
}

fn name_findings(info: &CertificateInfo, dialled: &str) -> Option<Finding> {
    let mut names: Vec<&str> = Vec::new();
    for n in info
        .common_name
        .iter()
        .chain(&info.dns_names)
        .chain(&info.ip_addresses)
    {
        if !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
            names.push(n);
        }
    }
    if names.iter().any(|n| n.eq_ignore_ascii_case(dialled)) {
        return None;
    }
    let listed = if names.is_empty() {
        "no name".to_string()
    } else {
        names.join(", ")
    };
    if let Some(wild) = names.iter().find(|n| wildcard_covers(n, dialled)) {
        return Some(finding(
            FindingKind::Wildcard,
            Severity::Fail,
            format!(
                "The certificate offered for {dialled} names it only through the wildcard {wild}: Lync / Skype for Business and Exchange UM do not accept wildcard certificates between each other, so the TLS connection is refused."
            ),
            reissue(dialled),
        ));
    }
    Some(finding(
        FindingKind::NameMismatch,
        Severity::Fail,
        format!(
            "The certificate offered by {dialled} is for {listed}, not for {dialled} (the FQDN that was dialled), so the TLS connection is refused."
        ),
        reissue(dialled),
    ))
}

fn wildcard_covers(pattern: &str, host: &str) -> bool {
    let Some(suffix) = pattern.strip_prefix("*.") else {
        return false;
    };
    host.split_once('.')
        .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(suffix))
}

fn time_findings(info: &CertificateInfo, dialled: &str, now: i64) -> Option<Finding> {
    if now > info.not_after_unix {
        return Some(finding(
            FindingKind::Expired,
            Severity::Fail,
            format!(
                "The certificate offered by {dialled} expired on {} (subject {}), so the TLS connection is refused.",
                info.not_after, info.subject
            ),
            format!("Renew it. {}", reissue(dialled)),
        ));
    }
    if now < info.not_before_unix {
        return Some(finding(
            FindingKind::NotYetValid,
            Severity::Fail,
            format!(
                "The certificate offered by {dialled} is not valid before {} (subject {}), so the TLS connection is refused.",
                info.not_before, info.subject
            ),
            "Check the clocks of both servers (and the CA's), or wait until the certificate's start date".into(),
        ));
    }
    let left = (info.not_after_unix - now) / DAY;
    (left < EXPIRY_WARNING_DAYS).then(|| {
        finding(
            FindingKind::ExpiresSoon,
            Severity::Warn,
            format!(
                "The certificate offered by {dialled} expires on {} ({left} day(s) from now): calls stop when it does.",
                info.not_after
            ),
            format!("Renew it now. {}", reissue(dialled)),
        )
    })
}

fn eku_finding(info: &CertificateInfo, dialled: &str) -> Option<Finding> {
    let eku = info.eku.as_ref()?;
    if eku.iter().any(|e| e == "server auth" || e == "any") {
        return None;
    }
    Some(finding(
        FindingKind::NoServerAuth,
        Severity::Fail,
        format!(
            "The certificate offered by {dialled} is not for server authentication (its extended key usage is {}), so the TLS client refuses it.",
            if eku.is_empty() { "empty".to_string() } else { eku.join(", ") }
        ),
        format!(
            "Issue it from a template with Server Authentication (and Client Authentication for mutual TLS): {}",
            reissue(dialled)
        ),
    ))
}

/// Accepts every EKU: [`eku_finding`] judges the EKU on its own, so that the chain check
/// says only whether the chain leads to a trust anchor.
struct AnyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, _iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

fn chain_finding(
    chain: &[CertificateDer<'_>],
    info: &CertificateInfo,
    dialled: &str,
    anchors: &[CertificateDer<'_>],
    anchors_name: &str,
) -> Option<Finding> {
    let leaf = chain.first()?;
    let why = |reason: String| {
        finding(
            FindingKind::Untrusted,
            Severity::Fail,
            format!(
                "The certificate offered by {dialled} (issuer {}) does not chain to a trusted CA ({anchors_name}): {reason}, so the TLS connection is refused.",
                info.issuer
            ),
            format!(
                "Send the whole chain (server certificate and intermediates) and make its root trusted on both sides (in umctl: --ca-file with the root CA's PEM), or {}",
                reissue(dialled)
            ),
        )
    };
    let end = match webpki::EndEntityCert::try_from(leaf) {
        Ok(end) => end,
        Err(e) => return Some(why(format!("it cannot be read ({e:?})"))),
    };
    let anchors: Vec<_> = anchors
        .iter()
        .filter_map(|a| webpki::anchor_from_trusted_cert(a).ok())
        .collect();
    // Time is judged on its own: check the path at a moment the server certificate is valid.
    let at = info.not_before_unix.max(0).saturating_add(1);
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.unsigned_abs()));
    let result = end.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        chain.get(1..).unwrap_or_default(),
        at,
        AnyUsage,
        None,
        None,
    );
    match result {
        Ok(_) => None,
        Err(webpki::Error::UnknownIssuer) => Some(why("its issuer is not a trusted CA".into())),
        Err(webpki::Error::InvalidSignatureForPublicKey) => Some(why(
            "it is signed by a CA with a trusted CA's name but another key (not the trusted CA)"
                .into(),
        )),
        Err(e) => Some(why(format!("{e:?}"))),
    }
}

/// Judges the chain a server offered when `dialled` (its FQDN, or an address) was dialled,
/// against `anchors` (named `anchors_name` in reports), at `now`.
pub fn judge(
    chain: &[CertificateDer<'_>],
    dialled: &str,
    anchors: &[CertificateDer<'_>],
    anchors_name: &str,
    now: UnixTime,
) -> CertificateCheck {
    judge_with(chain, dialled, Some((anchors, anchors_name)), now)
}

/// [`judge`] without the trust check: what a server can say of its own certificate (`umctl
/// serve --tls-cert`) without knowing whom its peers trust.
pub fn judge_own(chain: &[CertificateDer<'_>], fqdn: &str, now: UnixTime) -> CertificateCheck {
    judge_with(chain, fqdn, None, now)
}

fn judge_with(
    chain: &[CertificateDer<'_>],
    dialled: &str,
    trust: Option<(&[CertificateDer<'_>], &str)>,
    now: UnixTime,
) -> CertificateCheck {
    let mut check = CertificateCheck {
        dialled: dialled.to_string(),
        ..CertificateCheck::default()
    };
    let Some(info) = describe(chain) else {
        check.findings.push(finding(
            FindingKind::Unreadable,
            Severity::Fail,
            format!("{dialled} offered no readable X.509 certificate."),
            reissue(dialled),
        ));
        return check;
    };
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let trusted =
        trust.and_then(|(anchors, name)| chain_finding(chain, &info, dialled, anchors, name));
    check.findings.extend(
        [
            name_findings(&info, dialled),
            time_findings(&info, dialled, now),
            trusted,
            eku_finding(&info, dialled),
        ]
        .into_iter()
        .flatten(),
    );
    check.offered = Some(info);
    check
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sip::transport::certs::{CertOptions, LabCa};
    use rustls::pki_types::pem::PemObject;

    fn ders(pem: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn now() -> UnixTime {
        UnixTime::now()
    }

    fn kinds(check: &CertificateCheck) -> Vec<FindingKind> {
        check.findings.iter().map(|f| f.kind).collect()
    }

    fn lab() -> (tempfile::TempDir, LabCa) {
        let dir = tempfile::tempdir().unwrap();
        let ca = LabCa::load_or_create(dir.path()).unwrap();
        (dir, ca)
    }

    #[test]
    fn a_good_certificate_has_no_findings_and_is_described() {
        let (_d, ca) = lab();
        let issued = ca
            .issue("ex-cas01.contoso.com", &["127.0.20.1".parse().unwrap()])
            .unwrap();
        let anchors = ders(ca.cert_pem());
        let check = judge(
            &ders(&issued.chain_pem),
            "ex-cas01.contoso.com",
            &anchors,
            "the lab CA",
            now(),
        );
        assert!(check.findings.is_empty(), "{:?}", check.findings);
        let info = check.offered.unwrap();
        assert_eq!(info.subject, "CN=ex-cas01.contoso.com");
        assert_eq!(info.dns_names, ["ex-cas01.contoso.com"]);
        assert_eq!(info.ip_addresses, ["127.0.20.1"]);
        assert_eq!(info.issuer, "CN=umctl lab CA, O=umctl lab");
        assert_eq!(info.chain.len(), 2);
        assert_eq!(
            info.eku.unwrap(),
            ["server auth".to_string(), "client auth".to_string()]
        );
        // Dialled by its address: the IP SAN matches.
        let check = judge(
            &ders(&issued.chain_pem),
            "127.0.20.1",
            &anchors,
            "the lab CA",
            now(),
        );
        assert!(check.findings.is_empty());
        assert_eq!(
            certificate_names(ders(&issued.chain_pem)[0].as_ref()),
            ["ex-cas01.contoso.com", "127.0.20.1"]
        );
    }

    #[test]
    fn each_fault_is_its_own_finding() {
        let (_d, ca) = lab();
        let (_o, other) = lab();
        let anchors = ders(ca.cert_pem());
        let fqdn = "ex-cas01.contoso.com";
        let case = |ca: &LabCa, opts: CertOptions| {
            let issued = ca.issue_with(&opts).unwrap();
            judge(
                &ders(&issued.chain_pem),
                fqdn,
                &anchors,
                "the lab CA",
                now(),
            )
        };
        let base = CertOptions::for_name(fqdn);
        let wild = case(&ca, CertOptions::wildcard_for(fqdn));
        assert_eq!(kinds(&wild), [FindingKind::Wildcard]);
        assert!(wild.findings[0].why.contains("*.contoso.com"));
        let wrong = case(&ca, CertOptions::for_name("ex-mbx02.contoso.com"));
        assert_eq!(kinds(&wrong), [FindingKind::NameMismatch]);
        assert!(wrong.findings[0]
            .why
            .contains("ex-mbx02.contoso.com, not for ex-cas01"));
        let expired = case(&ca, base.clone().days(-40, -10));
        assert_eq!(kinds(&expired), [FindingKind::Expired]);
        let early = case(&ca, base.clone().days(10, 400));
        assert_eq!(kinds(&early), [FindingKind::NotYetValid]);
        let soon = case(&ca, base.clone().days(-10, 5));
        assert_eq!(kinds(&soon), [FindingKind::ExpiresSoon]);
        assert!(soon.failure().is_none());
        assert_eq!(soon.warnings().count(), 1);
        let untrusted = case(&other, base.clone());
        assert_eq!(kinds(&untrusted), [FindingKind::Untrusted]);
        assert!(
            untrusted.findings[0].why.contains("not the trusted CA"),
            "{}",
            untrusted.findings[0].why
        );
        let client_only = case(&ca, base.clone().client_auth_only());
        assert_eq!(kinds(&client_only), [FindingKind::NoServerAuth]);
        let nothing = judge(&[], fqdn, &anchors, "the lab CA", now());
        assert_eq!(kinds(&nothing), [FindingKind::Unreadable]);
        // Its own certificate, as serve sees it: no trust check.
        let issued = other.issue_with(&base.clone().days(-40, -10)).unwrap();
        let own = judge_own(&ders(&issued.chain_pem), fqdn, now());
        assert_eq!(kinds(&own), [FindingKind::Expired]);
    }
}

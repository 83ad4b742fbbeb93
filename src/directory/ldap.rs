//! `LdapDirectory`: a real Active Directory over LDAP (ldap3, rustls).
//!
//! TLS is the default: `ldaps://` verifies the DC's certificate (the system roots plus
//! `--ca-file`), `ldap://` upgrades with StartTLS. A simple bind over plain LDAP needs an
//! explicit `insecure_plain_bind`. A Kerberos bind (SASL GSSAPI) on `ldap://` is sealed by
//! Kerberos itself, as Windows' tools do on port 389, and adds TLS only with `start_tls`
//! ([`Protection`] decides). Naming contexts come from the rootDSE; searches are paged
//! (Simple Paged Results) and continuation references to other partitions are ignored
//! deliberately: umctl searches each naming context itself. Security descriptors are read
//! and written with the SD-flags control (DACL only, critical).
//!
//! The trait is synchronous; ldap3's sync connection runs its own small runtime, so callers
//! inside tokio use `spawn_blocking`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::controls::RawControl;
use ldap3::{LdapConn, LdapConnSettings, LdapError, LdapResult, Mod, SearchEntry, StdStream};

use crate::directory::model::attrs::NT_SECURITY_DESCRIPTOR;
use crate::directory::security::Control;
use crate::directory::{
    Acl, Directory, DirectoryError, Dn, Entry, Filter, ModOp, Modification, NamingContexts, Result,
    Scope, SecurityDescriptor,
};

/// The AD SD-flags control (MS-ADTS 3.1.1.3.4.1.11): read and write the DACL only.
const SD_FLAGS_OID: &str = "1.2.840.113556.1.4.801";
/// BER `SEQUENCE { INTEGER 4 }`: DACL_SECURITY_INFORMATION.
const SD_FLAGS_DACL: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x04];
const PAGE_SIZE: i32 = 500;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// A password that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How to reach and bind to a directory server.
#[derive(Clone, Debug)]
pub struct LdapTarget {
    /// `ldaps://host[:port]` or `ldap://host[:port]`.
    pub url: String,
    /// A DN or a UPN; anonymous when `None`.
    pub bind_dn: Option<String>,
    pub password: Option<Secret>,
    /// PEM file with CA certificates to trust besides the system's.
    pub ca_file: Option<PathBuf>,
    /// Allow a simple bind over plain `ldap://` without StartTLS.
    pub insecure_plain_bind: bool,
    /// Bind with SASL GSSAPI (Kerberos, the caller's ticket) instead of `bind_dn`/`password`;
    /// needs the `gssapi` cargo feature.
    pub sasl_gssapi: bool,
    /// Upgrade `ldap://` with StartTLS also for a Kerberos bind (a simple bind always does).
    pub start_tls: bool,
}

/// What protects a connection's traffic: one row of the README's matrix (URL x bind kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// TLS from the first byte: `ldaps://`.
    Ldaps,
    /// `ldap://` upgraded with StartTLS before the bind.
    StartTls,
    /// `ldap://` with a Kerberos bind: SASL GSSAPI's privacy layer signs and seals every
    /// message after the bind.
    KerberosSeal,
    /// Nothing: a simple or anonymous bind over `ldap://` with `insecure_plain_bind`.
    Plain,
}

impl Protection {
    /// Decides from the URL's scheme and the options; refuses `start_tls` on `ldaps://`
    /// (TLS already) and a URL that is neither `ldaps://` nor `ldap://`.
    pub fn of(url: &str, target: &LdapTarget) -> Result<Protection> {
        if url.starts_with("ldaps://") {
            if target.start_tls {
                return Err(DirectoryError::BadTarget {
                    url: url.to_string(),
                    problem: "--start-tls upgrades ldap:// to TLS, and ldaps:// is TLS already"
                        .into(),
                    fix: "drop --start-tls, or use ldap:// with it".into(),
                });
            }
            return Ok(Protection::Ldaps);
        }
        if !url.starts_with("ldap://") {
            return Err(DirectoryError::BadUrl {
                url: url.to_string(),
                expected: "ldaps://host or ldap://host".into(),
            });
        }
        Ok(if target.start_tls {
            Protection::StartTls
        } else if target.sasl_gssapi {
            Protection::KerberosSeal
        } else if target.insecure_plain_bind {
            Protection::Plain
        } else {
            Protection::StartTls
        })
    }

    fn is_tls(self) -> bool {
        matches!(self, Protection::Ldaps | Protection::StartTls)
    }
}

/// A real directory over LDAP.
pub struct LdapDirectory {
    url: String,
    conn: Mutex<LdapConn>,
    contexts: NamingContexts,
}

impl LdapDirectory {
    /// Connects (TLS per the URL), binds, and reads the naming contexts from the rootDSE.
    pub fn connect(target: &LdapTarget) -> Result<LdapDirectory> {
        let url = target.url.trim_end_matches('/').to_string();
        if target.sasl_gssapi && !cfg!(feature = "gssapi") {
            return Err(DirectoryError::NotBuiltIn {
                what: "SASL GSSAPI (--sasl-gssapi)".into(),
                feature: "gssapi".into(),
            });
        }
        let protection = Protection::of(&url, target)?;
        let kerberos_host = target
            .sasl_gssapi
            .then(|| kerberos_host(&url))
            .transpose()?;
        let mut settings = LdapConnSettings::new().set_conn_timeout(CONNECT_TIMEOUT);
        if protection.is_tls() {
            settings = settings
                .set_config(tls_config(target.ca_file.as_deref())?)
                .set_starttls(protection == Protection::StartTls);
        }
        let settings = settings.set_std_stream(StdStream::Tcp(connect_nodelay(&url)?));
        let mut conn = LdapConn::with_settings(settings, &url)
            .map_err(|e| connect_error(&url, target.ca_file.as_deref(), e))?;
        if let Some(host) = kerberos_host {
            gssapi_bind(&mut conn, &url, &host, protection)?;
        } else if let Some(dn) = &target.bind_dn {
            let password = target.password.as_ref().map_or("", Secret::expose);
            if password.is_empty() {
                return Err(DirectoryError::InvalidCredentials {
                    server: url,
                    diagnostic: format!("no password given for {dn}"),
                });
            }
            let result = conn
                .with_timeout(OPERATION_TIMEOUT)
                .simple_bind(dn, password)
                .map_err(|e| connect_error(&url, target.ca_file.as_deref(), e))?;
            check(&url, dn, result)?;
        }
        let contexts = read_root_dse(&mut conn, &url)?;
        Ok(LdapDirectory {
            url,
            conn: Mutex::new(conn),
            contexts,
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, LdapConn>> {
        self.conn.lock().map_err(|_| DirectoryError::Unreachable {
            server: self.url.clone(),
            reason: "an earlier operation panicked while holding the connection".into(),
        })
    }

    /// A lookup (a filter that requires an equality, such as an EUM address) finds a handful
    /// of objects, so it goes unpaged: one round trip and no paging state on the DC. Listings
    /// are paged (Simple Paged Results), so a forest with 100,000 users is read completely;
    /// and if a DC caps an unpaged lookup (AD's MaxPageSize, sizeLimitExceeded), it runs
    /// again paged.
    fn search_one_base(
        &self,
        base: &str,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
        out: &mut Vec<Entry>,
    ) -> Result<()> {
        let listing = filter.indexable_equalities().is_empty();
        let text = filter.to_string();
        let filter = text.as_str();
        if listing {
            return self.search_attempt(base, scope, filter, attrs, true, out);
        }
        let before = out.len();
        match self.search_attempt(base, scope, filter, attrs, false, out) {
            Err(DirectoryError::Refused { code: 4, .. }) => {
                out.truncate(before);
                self.search_attempt(base, scope, filter, attrs, true, out)
            }
            other => other,
        }
    }

    fn search_attempt(
        &self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        paged: bool,
        out: &mut Vec<Entry>,
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let attrs: Vec<String> = attrs.iter().map(|a| a.to_string()).collect();
        // Referrals (continuations into other partitions) are dropped deliberately: umctl
        // searches each naming context itself.
        let mut adapters: Vec<Box<dyn Adapter<'_, String, Vec<String>>>> =
            vec![Box::new(EntriesOnly::new())];
        if paged {
            adapters.push(Box::new(PagedResults::new(PAGE_SIZE)));
        }
        let mut stream = conn
            .with_timeout(OPERATION_TIMEOUT)
            .streaming_search_with(adapters, base, ldap_scope(scope), filter, attrs)
            .map_err(|e| self.op_error(base, e))?;
        while let Some(raw) = stream.next().map_err(|e| self.op_error(base, e))? {
            out.push(entry_from(SearchEntry::construct(raw))?);
        }
        check(&self.url, base, stream.result())
    }

    fn op_error(&self, dn: &str, error: LdapError) -> DirectoryError {
        match error {
            LdapError::LdapResult { result } => result_error(&self.url, dn, &result),
            other => DirectoryError::Unreachable {
                server: self.url.clone(),
                reason: other.to_string(),
            },
        }
    }
}

impl Directory for LdapDirectory {
    fn describe(&self) -> String {
        format!("Active Directory at {}", self.url)
    }

    fn naming_contexts(&self) -> Result<NamingContexts> {
        Ok(self.contexts.clone())
    }

    /// A search from the empty DN covers the whole forest, as on the lab: each naming context
    /// is searched in turn (AD would otherwise answer with referrals).
    fn search(
        &self,
        base: &Dn,
        scope: Scope,
        filter: &Filter,
        attrs: &[&str],
    ) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        if base.is_root() && scope != Scope::Base {
            let mut bases = vec![self.contexts.default.clone()];
            if !self
                .contexts
                .configuration
                .is_within(&self.contexts.default)
            {
                bases.push(self.contexts.configuration.clone());
            }
            for b in bases {
                let sub_scope = if scope == Scope::OneLevel {
                    Scope::Base
                } else {
                    scope
                };
                self.search_one_base(&b.to_string(), sub_scope, filter, attrs, &mut out)?;
            }
            // The configuration partition sits below the domain in DN terms but is a
            // separate partition on a DC: search it explicitly when asked for everything.
            if scope == Scope::Subtree
                && self
                    .contexts
                    .configuration
                    .is_within(&self.contexts.default)
            {
                let config = self.contexts.configuration.to_string();
                let mut more = Vec::new();
                self.search_one_base(&config, Scope::Subtree, filter, attrs, &mut more)?;
                for e in more {
                    if !out.iter().any(|o| o.dn == e.dn) {
                        out.push(e);
                    }
                }
            }
            return Ok(out);
        }
        self.search_one_base(&base.to_string(), scope, filter, attrs, &mut out)?;
        Ok(out)
    }

    fn add(&self, entry: Entry) -> Result<()> {
        let dn = entry.dn.to_string();
        let attrs: Vec<(Vec<u8>, HashSet<Vec<u8>>)> = entry
            .attributes()
            .map(|a| {
                (
                    a.name.clone().into_bytes(),
                    a.values.iter().cloned().collect(),
                )
            })
            .collect();
        let mut conn = self.conn()?;
        let result = conn
            .with_timeout(OPERATION_TIMEOUT)
            .add(&dn, attrs)
            .map_err(|e| self.op_error(&dn, e))?;
        check(&self.url, &dn, result)
    }

    fn modify(&self, dn: &Dn, mods: &[Modification]) -> Result<()> {
        let dn = dn.to_string();
        let mods: Vec<Mod<Vec<u8>>> = mods.iter().map(ldap_mod).collect();
        let mut conn = self.conn()?;
        let result = conn
            .with_timeout(OPERATION_TIMEOUT)
            .modify(&dn, mods)
            .map_err(|e| self.op_error(&dn, e))?;
        check(&self.url, &dn, result)
    }

    fn delete(&self, dn: &Dn) -> Result<()> {
        let dn = dn.to_string();
        let mut conn = self.conn()?;
        let result = conn
            .with_timeout(OPERATION_TIMEOUT)
            .delete(&dn)
            .map_err(|e| self.op_error(&dn, e))?;
        check(&self.url, &dn, result)
    }

    fn read_security(&self, dn: &Dn) -> Result<Option<SecurityDescriptor>> {
        let base = dn.to_string();
        let mut conn = self.conn()?;
        let result = conn
            .with_controls(sd_flags_control())
            .with_timeout(OPERATION_TIMEOUT)
            .search(
                &base,
                ldap3::Scope::Base,
                "(objectClass=*)",
                vec![NT_SECURITY_DESCRIPTOR],
            )
            .map_err(|e| self.op_error(&base, e))?;
        let (entries, _) = result.success().map_err(|e| self.op_error(&base, e))?;
        let Some(raw) = entries.into_iter().next() else {
            return Err(DirectoryError::NoSuchObject { dn: base });
        };
        let entry = SearchEntry::construct(raw);
        let named = |k: &String| k.eq_ignore_ascii_case(NT_SECURITY_DESCRIPTOR);
        // ldap3 puts a value that happens to be valid UTF-8 among the text attributes.
        let bytes = entry
            .bin_attrs
            .iter()
            .find(|(k, _)| named(k))
            .and_then(|(_, v)| v.first().cloned())
            .or_else(|| {
                entry
                    .attrs
                    .iter()
                    .find(|(k, _)| named(k))
                    .and_then(|(_, v)| v.first().map(|s| s.clone().into_bytes()))
            });
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        SecurityDescriptor::from_bytes(&bytes)
            .map(Some)
            .map_err(|error| DirectoryError::SecurityDescriptor { dn: base, error })
    }

    fn write_dacl(&self, dn: &Dn, dacl: &Acl) -> Result<()> {
        let target = dn.to_string();
        let mut sd = SecurityDescriptor::with_dacl(dacl.clone());
        // The control flags travel with the DACL: without them a protected DACL would become
        // unprotected (and start inheriting from the parent) on write.
        if let Some(current) = self.read_security(dn)? {
            for flag in [
                Control::DACL_PROTECTED,
                Control::DACL_AUTO_INHERITED,
                Control::DACL_AUTO_INHERIT_REQ,
            ] {
                sd.control.set(flag, current.control.contains(flag));
            }
        }
        let bytes = sd
            .to_bytes()
            .map_err(|error| DirectoryError::SecurityDescriptor {
                dn: target.clone(),
                error,
            })?;
        let mut conn = self.conn()?;
        let result = conn
            .with_controls(sd_flags_control())
            .with_timeout(OPERATION_TIMEOUT)
            .modify(
                &target,
                vec![Mod::Replace(
                    NT_SECURITY_DESCRIPTOR.as_bytes().to_vec(),
                    HashSet::from([bytes]),
                )],
            )
            .map_err(|e| self.op_error(&target, e))?;
        check(&self.url, &target, result)
    }
}

fn sd_flags_control() -> RawControl {
    RawControl {
        ctype: SD_FLAGS_OID.to_string(),
        crit: true,
        val: Some(SD_FLAGS_DACL.to_vec()),
    }
}

fn ldap_scope(scope: Scope) -> ldap3::Scope {
    match scope {
        Scope::Base => ldap3::Scope::Base,
        Scope::OneLevel => ldap3::Scope::OneLevel,
        Scope::Subtree => ldap3::Scope::Subtree,
    }
}

fn ldap_mod(m: &Modification) -> Mod<Vec<u8>> {
    let name = m.attr.clone().into_bytes();
    let values: HashSet<Vec<u8>> = m.values.iter().cloned().collect();
    match m.op {
        ModOp::Add => Mod::Add(name, values),
        ModOp::Delete => Mod::Delete(name, values),
        ModOp::Replace => Mod::Replace(name, values),
    }
}

/// An LDAP entry as umctl's neutral entry: objectClass first, then attributes by name (the
/// server's order is a hash map's), text and binary values alike.
fn entry_from(se: SearchEntry) -> Result<Entry> {
    let mut entry = Entry::new(Dn::parse(&se.dn)?);
    let mut attrs: BTreeMap<String, (String, Vec<Vec<u8>>)> = BTreeMap::new();
    for (name, values) in se.attrs {
        attrs.insert(
            name.to_ascii_lowercase(),
            (name, values.into_iter().map(String::into_bytes).collect()),
        );
    }
    for (name, values) in se.bin_attrs {
        attrs
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| (name, Vec::new()))
            .1
            .extend(values);
    }
    if let Some((name, values)) = attrs.remove("objectclass") {
        entry.set(&name, values);
    }
    for (_, (name, values)) in attrs {
        entry.set(&name, values);
    }
    Ok(entry)
}

fn read_root_dse(conn: &mut LdapConn, url: &str) -> Result<NamingContexts> {
    let wanted = vec![
        "defaultNamingContext",
        "configurationNamingContext",
        "schemaNamingContext",
        "rootDomainNamingContext",
    ];
    let result = conn
        .with_timeout(OPERATION_TIMEOUT)
        .search("", ldap3::Scope::Base, "(objectClass=*)", wanted)
        .map_err(|e| connect_error(url, None, e))?;
    let (entries, _) = result.success().map_err(|e| connect_error(url, None, e))?;
    let dse = entries
        .into_iter()
        .next()
        .map(SearchEntry::construct)
        .ok_or_else(|| DirectoryError::Unreachable {
            server: url.to_string(),
            reason: "the server returned no rootDSE".into(),
        })?;
    let get = |name: &str| -> Result<Dn> {
        let value = dse
            .attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .ok_or_else(|| DirectoryError::Unreachable {
                server: url.to_string(),
                reason: format!(
                    "the rootDSE has no {name}: is this an Active Directory domain controller?"
                ),
            })?;
        Ok(Dn::parse(value)?)
    };
    let default = get("defaultNamingContext")?;
    let root = get("rootDomainNamingContext").unwrap_or_else(|_| default.clone());
    Ok(NamingContexts {
        default: root,
        configuration: get("configurationNamingContext")?,
        schema: get("schemaNamingContext")?,
    })
}

/// The rustls configuration: the system's roots plus the CAs in `ca_file`.
fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system root that rustls cannot use is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|iter| iter.collect())
            .map_err(|e| DirectoryError::BadCaFile {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(DirectoryError::BadCaFile {
                path: path.to_path_buf(),
                reason: "no PEM certificate in it".into(),
            });
        }
        for cert in certs {
            roots.add(cert).map_err(|e| DirectoryError::BadCaFile {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DirectoryError::Tls {
            server: String::new(),
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The host a Kerberos bind asks a ticket for (`ldap/<host>`): the URL's DNS name. An IP
/// address has no service principal, so it is refused before connecting.
fn kerberos_host(url: &str) -> Result<String> {
    const FIX: &str = "give the DC's name, as in ldap://dc01.contoso.com (add it to DNS or /etc/hosts if it does not resolve)";
    let bad = |problem: String| DirectoryError::BadTarget {
        url: url.to_string(),
        problem,
        fix: FIX.into(),
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(format!("not a URL ({e})")))?;
    // ldap:// is not a "special" scheme to the url crate: an IPv4 address comes as a name.
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']']);
    if host.is_empty() {
        return Err(bad(
            "Kerberos needs the domain controller's name, and the URL has none".into(),
        ));
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Err(bad(format!(
            "Kerberos needs the domain controller's name, and {host} is an IP address, which has no service principal"
        )));
    }
    Ok(host.to_string())
}

/// A SASL GSSAPI bind with the caller's Kerberos ticket for `ldap/<host>`. On plain
/// `ldap://` ldap3 negotiates the privacy layer (sign and seal); over TLS no layer.
#[cfg(feature = "gssapi")]
fn gssapi_bind(conn: &mut LdapConn, url: &str, host: &str, protection: Protection) -> Result<()> {
    let result = conn
        .with_timeout(OPERATION_TIMEOUT)
        .sasl_gssapi_bind(host)
        .map_err(|e| match e {
            LdapError::LdapResult { result } => kerberos_refusal(url, protection, &result),
            other => kerberos_error(url, host, &other.to_string()),
        })?;
    if result.rc == 0 {
        Ok(())
    } else {
        Err(kerberos_refusal(url, protection, &result))
    }
}

/// Without the `gssapi` feature `connect` refuses `sasl_gssapi` before connecting.
#[cfg(not(feature = "gssapi"))]
fn gssapi_bind(_conn: &mut LdapConn, _url: &str, _host: &str, _p: Protection) -> Result<()> {
    Err(DirectoryError::NotBuiltIn {
        what: "SASL GSSAPI (--sasl-gssapi)".into(),
        feature: "gssapi".into(),
    })
}

/// A Kerberos failure on this side (GSSAPI's own text in `detail`) as one sentence naming
/// the fix: no ticket, an expired ticket, no such service principal, a clock skew.
#[cfg_attr(not(feature = "gssapi"), allow(dead_code))]
fn kerberos_error(url: &str, host: &str, detail: &str) -> DirectoryError {
    let lower = detail.to_ascii_lowercase();
    let fix = if lower.contains("skew") {
        "this machine's clock and the domain controller's differ by more than Kerberos allows (5 minutes): set the time right (timedatectl set-ntp true, or chronyc makestep), then run umctl again"
    } else if lower.contains("expired") {
        "your Kerberos ticket has expired: run kinit again (kinit -R renews a renewable one), then run umctl again"
    } else if lower.contains("no kerberos credentials")
        || lower.contains("no credentials cache")
        || lower.contains("credentials cache file")
        || lower.contains("no credentials were supplied")
    {
        "there is no Kerberos ticket: run kinit user@REALM first (or point KRB5CCNAME at your ticket cache)"
    } else if lower.contains("not found in kerberos database") || lower.contains("server not found")
    {
        "the KDC knows no service ldap/<host>: give the DC's own FQDN in the URL (the name in its servicePrincipalName), not an alias"
    } else {
        "check the ticket with klist and that the URL names the DC by its FQDN"
    };
    let fix = fix.replace("<host>", host);
    DirectoryError::Kerberos {
        server: url.to_string(),
        problem: gss_reason(detail),
        fix,
    }
}

/// The useful part of a GSSAPI error text: MIT's minor status ("Ticket expired") rather than
/// the generic major one ("Unspecified GSS failure.  Minor code may provide more information").
fn gss_reason(detail: &str) -> String {
    let detail = detail.trim();
    let detail = detail
        .strip_prefix("GSSAPI operation error: ")
        .unwrap_or(detail);
    match detail.split_once("Minor code may provide more information (") {
        Some((_, minor)) => minor.strip_suffix(')').unwrap_or(minor).to_string(),
        None => detail.to_string(),
    }
}

/// The server refused a Kerberos bind: a DC that wants sealing (Samba's default `ldap server
/// require strong auth = yes` refuses a Kerberos bind without it even over TLS) gets the
/// sentence that says how; other refusals keep their LDAP meaning.
#[cfg_attr(not(feature = "gssapi"), allow(dead_code))]
fn kerberos_refusal(url: &str, protection: Protection, result: &LdapResult) -> DirectoryError {
    let text = result.text.trim();
    let sealing = result.rc == 8 || text.to_ascii_lowercase().contains("sign or seal");
    if sealing && protection.is_tls() {
        return DirectoryError::Kerberos {
            server: url.to_string(),
            problem: format!("the DC requires Kerberos signing or sealing, which umctl does not add over TLS ({text})"),
            fix: "use ldap:// without --start-tls, which umctl seals with Kerberos, or on Samba set `ldap server require strong auth = allow_sasl_over_tls`".into(),
        };
    }
    if sealing {
        return DirectoryError::Kerberos {
            server: url.to_string(),
            problem: format!("the DC requires Kerberos signing or sealing ({text})"),
            fix: "umctl asked for sealing and the DC refused it: check the DC's `ldap server require strong auth` and LDAP signing policy".into(),
        };
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("skew") || lower.contains("expired") {
        return kerberos_error(url, "", text);
    }
    result_error(url, "", result)
}

/// The TCP connection to the server of `url`, with Nagle's algorithm off. ldap3 connects
/// without TCP_NODELAY, so every request that follows a small write (an add after its
/// response, a TLS record split in two) waits for the peer's delayed ACK, up to 40 ms on
/// Linux; OpenLDAP's tools set it. Each address the name resolves to is tried in turn.
fn connect_nodelay(url: &str) -> Result<std::net::TcpStream> {
    let unreachable = |reason: String| DirectoryError::Unreachable {
        server: url.to_string(),
        reason,
    };
    let bad_url = |why: &str| DirectoryError::BadUrl {
        url: url.to_string(),
        expected: format!("ldaps://host[:port] or ldap://host[:port] ({why})"),
    };
    let parsed = url::Url::parse(url).map_err(|e| bad_url(&e.to_string()))?;
    let port = parsed
        .port()
        .unwrap_or(if parsed.scheme() == "ldaps" { 636 } else { 389 });
    let host = match parsed.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_string(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        _ => "localhost".to_string(),
    };
    let addrs = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .map_err(|e| unreachable(format!("cannot resolve {host}: {e}")))?;
    let mut last = None;
    for addr in addrs {
        match std::net::TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream
                    .set_nodelay(true)
                    .map_err(|e| unreachable(format!("setting TCP_NODELAY: {e}")))?;
                return Ok(stream);
            }
            Err(e) => last = Some(format!("connecting to {addr}: {e}")),
        }
    }
    Err(unreachable(last.unwrap_or_else(|| {
        format!("{host} resolves to no address")
    })))
}

/// Errors while connecting or binding: TLS problems, refused connections and timeouts.
fn connect_error(url: &str, ca_file: Option<&Path>, error: LdapError) -> DirectoryError {
    match error {
        LdapError::LdapResult { result } => result_error(url, "", &result),
        other => {
            let reason = other.to_string();
            let lower = reason.to_ascii_lowercase();
            if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
            {
                let host = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                let hint = if lower.contains("not valid for") {
                    format!(" (the certificate does not name {host}: connect by a name in its subjectAltName, or give the DC a certificate with subjectAltName DNS:{host}, issued by a CA you pass with --ca-file; Samba's self-signed one has none: point its `tls certfile` and `tls keyfile` at the new one)")
                } else if ca_file.is_none() {
                    " (a private CA? pass it with --ca-file FILE)".to_string()
                } else {
                    String::new()
                };
                DirectoryError::Tls {
                    server: url.to_string(),
                    reason: format!("{reason}{hint}"),
                }
            } else {
                DirectoryError::Unreachable {
                    server: url.to_string(),
                    reason,
                }
            }
        }
    }
}

fn check(url: &str, dn: &str, result: LdapResult) -> Result<()> {
    if result.rc == 0 {
        Ok(())
    } else {
        Err(result_error(url, dn, &result))
    }
}

/// Maps an LDAP result code to a directory error, keeping the server's diagnostic text.
fn result_error(url: &str, dn: &str, result: &LdapResult) -> DirectoryError {
    let diagnostic = result.text.trim().to_string();
    let dn = dn.to_string();
    match result.rc {
        8 => DirectoryError::StrongerAuthRequired {
            server: url.to_string(),
            diagnostic,
        },
        32 => DirectoryError::NoSuchObject {
            dn: if result.matched.is_empty() {
                dn
            } else {
                format!("{dn} (the nearest existing object is {})", result.matched)
            },
        },
        49 => DirectoryError::InvalidCredentials {
            server: url.to_string(),
            diagnostic,
        },
        50 => DirectoryError::InsufficientAccess {
            dn,
            server: url.to_string(),
            diagnostic,
        },
        53 => DirectoryError::Refused {
            dn,
            code: 53,
            what: "the server is unwilling to perform the operation",
            diagnostic,
        },
        66 => DirectoryError::Refused {
            dn,
            code: 66,
            what: "not allowed on an object with children",
            diagnostic,
        },
        68 => DirectoryError::AlreadyExists { dn },
        16 | 17 | 18 | 19 | 20 | 21 | 64 | 65 | 67 | 69 => DirectoryError::Refused {
            dn,
            code: result.rc,
            what: match result.rc {
                16 => "no such attribute",
                17 => "the attribute is not in the schema",
                18 => "inappropriate matching",
                19 => "constraint violation",
                20 => "the attribute already has that value",
                21 => "invalid attribute syntax",
                64 => "naming violation",
                65 => "object class violation",
                67 => "not allowed on the naming attribute",
                _ => "object class modifications prohibited",
            },
            diagnostic,
        },
        10 => DirectoryError::Refused {
            dn,
            code: 10,
            what: "the object is in another partition or domain (referral)",
            diagnostic: result.refs.join(" "),
        },
        rc => DirectoryError::Refused {
            dn,
            code: rc,
            what: "the server refused the operation",
            diagnostic,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn target(sasl_gssapi: bool, start_tls: bool, insecure_plain_bind: bool) -> LdapTarget {
        LdapTarget {
            url: String::new(),
            bind_dn: None,
            password: None,
            ca_file: None,
            insecure_plain_bind,
            sasl_gssapi,
            start_tls,
        }
    }

    /// The README's matrix: URL x bind kind x what protects the traffic.
    #[test]
    fn protection_follows_the_url_and_the_bind_kind() {
        use Protection::*;
        let cases = [
            ("ldaps://dc", target(false, false, false), Ldaps),
            ("ldaps://dc", target(true, false, false), Ldaps),
            ("ldap://dc", target(false, false, false), StartTls),
            ("ldap://dc", target(false, true, false), StartTls),
            ("ldap://dc", target(false, false, true), Plain),
            ("ldap://dc", target(true, false, false), KerberosSeal),
            ("ldap://dc", target(true, false, true), KerberosSeal),
            ("ldap://dc", target(true, true, false), StartTls),
        ];
        for (url, t, want) in cases {
            assert_eq!(Protection::of(url, &t).unwrap(), want, "{url} {t:?}");
        }
        let twice = Protection::of("ldaps://dc", &target(true, true, false)).unwrap_err();
        assert!(twice.to_string().contains("drop --start-tls"), "{twice}");
        assert_eq!(twice.exit_code(), 2);
        let http = Protection::of("http://dc", &target(true, false, false)).unwrap_err();
        assert!(matches!(http, DirectoryError::BadUrl { .. }), "{http}");
    }

    #[test]
    fn kerberos_needs_the_dc_by_name() {
        assert_eq!(
            kerberos_host("ldap://dc1.contoso.com:389").unwrap(),
            "dc1.contoso.com"
        );
        for url in ["ldap://192.0.2.7", "ldaps://[2001:db8::7]:636", "ldap://"] {
            let e = kerberos_host(url).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{url}");
            assert!(e.to_string().contains("ldap://dc01.contoso.com"), "{e}");
        }
        let e = kerberos_host("ldap://192.0.2.7").unwrap_err().to_string();
        assert!(e.contains("192.0.2.7 is an IP address"), "{e}");
    }

    /// GSSAPI's texts (MIT krb5 1.20, as ldap3 reports them) and the fix each one gets.
    #[test]
    fn kerberos_failures_get_one_sentence_naming_the_fix() {
        let gss = |minor: &str| {
            format!("GSSAPI operation error: Unspecified GSS failure.  Minor code may provide more information ({minor})")
        };
        let cases = [
            ("No credentials were supplied, or the credentials were unavailable or inaccessible (No Kerberos credentials available (default cache: FILE:/tmp/none))".to_string(), "run kinit user@REALM first"),
            (gss("Ticket expired"), "has expired: run kinit again"),
            (gss("Clock skew too great"), "set the time right"),
            (gss("Server not found in Kerberos database"), "the KDC knows no service ldap/dc1.contoso.com"),
        ];
        for (detail, fix) in cases {
            let e = kerberos_error("ldap://dc1.contoso.com", "dc1.contoso.com", &detail);
            let text = e.to_string();
            assert!(text.contains(fix), "{text}");
            assert!(!text.contains("Minor code"), "{text}");
            assert_eq!(e.exit_code(), 3);
        }
    }

    #[test]
    fn a_dc_that_wants_sealing_over_tls_says_how() {
        let refused = LdapResult {
            rc: 8,
            matched: String::new(),
            text: "SASL:[GSSAPI]: Sign or Seal are required.".into(),
            refs: vec![],
            ctrls: vec![],
        };
        let e = kerberos_refusal("ldaps://dc1", Protection::Ldaps, &refused).to_string();
        assert!(e.contains("use ldap:// without --start-tls"), "{e}");
        assert!(e.contains("allow_sasl_over_tls"), "{e}");
        let e = kerberos_refusal("ldap://dc1", Protection::KerberosSeal, &refused).to_string();
        assert!(e.contains("the DC refused it"), "{e}");
        let denied = LdapResult {
            rc: 49,
            text: "invalid".into(),
            ..refused
        };
        let e = kerberos_refusal("ldap://dc1", Protection::KerberosSeal, &denied);
        assert!(
            matches!(e, DirectoryError::InvalidCredentials { .. }),
            "{e}"
        );
    }

    #[test]
    fn connections_go_without_nagle() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        for url in [
            format!("ldap://127.0.0.1:{port}"),
            format!("ldaps://localhost:{port}"),
        ] {
            let stream = connect_nodelay(&url).unwrap();
            assert!(stream.nodelay().unwrap(), "{url}");
        }
        drop(listener);
        let refused = connect_nodelay(&format!("ldap://127.0.0.1:{port}")).unwrap_err();
        assert!(
            matches!(&refused, DirectoryError::Unreachable { server, .. } if server.contains(&port.to_string())),
            "{refused}"
        );
    }
}

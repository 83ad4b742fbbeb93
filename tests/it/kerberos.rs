//! Kerberos (SASL GSSAPI, `--sasl-gssapi`) against a real AD DC: Samba with its KDC, a ticket
//! from kinit for the DC's administrator (the password read from the DC's file on stdin), and
//! the DC's FQDN dc1.contoso.com resolved only inside a private mount namespace (`unshare -m`
//! and a bind-mounted hosts file) with a KRB5_CONFIG of the test's own: the machine's
//! /etc/hosts and /etc/krb5.conf are never touched. Every command runs over sealed ldap://,
//! over StartTLS and over ldaps:// (the DC's certificate names dc1.contoso.com in its
//! subjectAltName; dc-clone-start.sh issues it), with Samba's `ldap server require strong
//! auth` yes and no; and each Kerberos failure names its fix.
//!
//! Compiled only with `--features gssapi` (`cargo test --features gssapi --test it kerberos`).
//! Needs root (the mount namespace), kinit, faketime and Samba: outside CI a missing one skips
//! loudly, in CI it fails.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::samba_dc::SambaDc;
use crate::support::{umctl_bin, Run, TempLab};

/// The DC's name: its dNSHostName, and the host of its `ldap/` service principal.
const FQDN: &str = "dc1.contoso.com";
const OU: &str = "OU=ExUmContacts,DC=contoso,DC=com";

/// A running DC with its KDC, and this test's Kerberos and name-resolution files.
struct Realm {
    dc: SambaDc,
    /// hosts, krb5.conf and the ticket caches.
    dir: tempfile::TempDir,
    address: String,
}

/// Whether this machine can run the battery; outside CI a missing piece skips the test.
fn ready(test: &str) -> bool {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let missing: Vec<&str> = [
        ("kinit (apt-get install krb5-user)", works("klist", &["-V"])),
        (
            "faketime (apt-get install faketime)",
            works("faketime", &["-f", "+0", "true"]),
        ),
        (
            "a private mount namespace (unshare -m; run as root)",
            works("unshare", &["-m", "true"]),
        ),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(what, _)| what)
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the Kerberos battery needs {} in CI",
        missing.join(", ")
    );
    eprintln!("\n*** SKIPPED {test}: no {} ***\n", missing.join(", "));
    false
}

impl Realm {
    /// A DC with `ldap server require strong auth = <strong_auth>`, its `ldap/` service
    /// principals, and a ticket for its administrator in this test's cache.
    fn start(test: &str, strong_auth: &str) -> Option<Realm> {
        if !ready(test) {
            return None;
        }
        let option = format!("ldap server require strong auth = {strong_auth}");
        let dc = SambaDc::start_with(test, "ldap kdc", &[&option])?;
        let address = dc.info.ldap.trim_start_matches("ldap://").to_string();
        let dir = tempfile::Builder::new()
            .prefix("umctl-krb-")
            .tempdir()
            .unwrap();
        std::fs::write(
            dir.path().join("hosts"),
            format!("127.0.0.1 localhost\n{address} {FQDN} dc1 other.contoso.com\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("krb5.conf"),
            format!(
                "[libdefaults]\n default_realm = CONTOSO.COM\n dns_lookup_kdc = false\n \
                 dns_lookup_realm = false\n dns_canonicalize_hostname = false\n rdns = false\n\
                 [realms]\n CONTOSO.COM = {{\n  kdc = {address}\n }}\n\
                 [domain_realm]\n .contoso.com = CONTOSO.COM\n contoso.com = CONTOSO.COM\n"
            ),
        )
        .unwrap();
        // What samba_spnupdate adds on a real DC (the template runs without the dnsupdate
        // service): the LDAP service principals of the DC's account.
        dc.ldapmodify(&format!(
            "dn: CN=DC1,OU=Domain Controllers,{base}\nchangetype: modify\nadd: servicePrincipalName\n\
             servicePrincipalName: ldap/DC1.contoso.com\nservicePrincipalName: ldap/DC1.contoso.com/contoso.com\n\
             servicePrincipalName: ldap/DC1\n-\n",
            base = dc.info.base
        ));
        let realm = Realm { dc, dir, address };
        let ticket = realm.ccache("tickets");
        realm.kinit(&ticket, None);
        Some(realm)
    }

    fn ccache(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// kinit as the DC's administrator into `ccache`, the password on stdin from its file.
    fn kinit(&self, ccache: &Path, lifetime: Option<&str>) {
        let mut cmd = Command::new("kinit");
        if let Some(l) = lifetime {
            cmd.args(["-l", l]);
        }
        let out = cmd
            .arg("Administrator@CONTOSO.COM")
            .env("KRB5_CONFIG", self.dir.path().join("krb5.conf"))
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .stdin(std::fs::File::open(&self.dc.info.password_file).unwrap())
            .output()
            .expect("run kinit");
        assert!(
            out.status.success(),
            "kinit failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs umctl on `lab` inside a private mount namespace whose /etc/hosts names the DC,
    /// with the ticket cache `ccache`; `before` is put in front of umctl (e.g. faketime).
    fn umctl_with(&self, lab: &TempLab, args: &[&str], ccache: &Path, before: &[&str]) -> Run {
        let out = Command::new("unshare")
            .args([
                "-m",
                "sh",
                "-c",
                "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
            ])
            .arg(self.dir.path().join("hosts"))
            .args(before)
            .arg(umctl_bin())
            .arg("--lab")
            .arg(lab.path())
            .args(args)
            .env_remove("UMCTL_LAB")
            .env_remove("UMCTL_FAULT")
            .env_remove("UMCTL_LDAP_PASSWORD")
            .env("KRB5_CONFIG", self.dir.path().join("krb5.conf"))
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .stdin(Stdio::null())
            .output()
            .expect("run unshare");
        Run::from(out)
    }

    /// umctl with the administrator's ticket, `--sasl-gssapi` and the connection `how`.
    fn umctl(&self, lab: &TempLab, how: &[&str], args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(how);
        all.push("--sasl-gssapi");
        self.umctl_with(lab, &all, &self.ccache("tickets"), &[])
    }
}

/// A TCP proxy in front of the DC's port 389 that hands each chunk the DC sends to the client
/// in two pieces, the first 2 bytes and, a moment later, the rest: so the client's reads end
/// inside the 4-byte length prefix of each sealed packet (what made ldap3 0.12.1 drop the
/// connection, vendor/ldap3/UPSTREAM.md). It keeps what the DC sent, to show that it was
/// sealed. Stopped when dropped.
struct SplittingProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    address: String,
    from_dc: Arc<Mutex<Vec<u8>>>,
}

impl SplittingProxy {
    fn start(address: &str) -> SplittingProxy {
        let listener = TcpListener::bind((address, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let from_dc = Arc::new(Mutex::new(Vec::new()));
        let (flag, dc, seen) = (stop.clone(), format!("{address}:389"), from_dc.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let (Ok(client), Ok(server)) = (client, TcpStream::connect(&dc)) else {
                    continue;
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let seen = seen.clone();
                std::thread::spawn(move || pipe(c2, s2, 0, None));
                std::thread::spawn(move || pipe(server, client, 2, Some(seen)));
            }
        });
        SplittingProxy {
            port,
            stop,
            address: address.to_string(),
            from_dc,
        }
    }
}

/// Copies `from` to `to` (and into `keep`); with `split` > 0 each chunk goes out as two writes.
fn pipe(mut from: TcpStream, mut to: TcpStream, split: usize, keep: Option<Arc<Mutex<Vec<u8>>>>) {
    let _ = to.set_nodelay(true);
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        if let Some(keep) = &keep {
            keep.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        let cut = if split > 0 && n > split { split } else { n };
        if to.write_all(&buf[..cut]).is_err() {
            break;
        }
        if cut < n {
            std::thread::sleep(Duration::from_millis(5));
            if to.write_all(&buf[cut..n]).is_err() {
                break;
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Drop for SplittingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect((self.address.as_str(), self.port));
    }
}

/// The three ways to reach the DC by name; TLS checks the certificate against the DC's CA.
fn sealed() -> Vec<String> {
    vec!["--ldap".into(), format!("ldap://{FQDN}")]
}

fn start_tls(realm: &Realm) -> Vec<String> {
    let ca = realm.dc.info.ca_file.clone();
    vec![
        "--ldap".into(),
        format!("ldap://{FQDN}"),
        "--start-tls".into(),
        "--ca-file".into(),
        ca,
    ]
}

fn ldaps(realm: &Realm) -> Vec<String> {
    let ca = realm.dc.info.ca_file.clone();
    vec![
        "--ldap".into(),
        format!("ldaps://{FQDN}"),
        "--ca-file".into(),
        ca,
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Bob's call as the password bind over LDAPS traces it: the reference for Kerberos.
fn reference_trace(realm: &Realm, lab: &TempLab) -> Value {
    let mut args = vec!["trace-call", "--json", "--to", "bob", "--from", "alice"];
    let admin = realm.dc.admin_args();
    args.extend(strs(&admin));
    let run = lab.run(&args);
    assert!(run.code <= 1, "{}", run.stderr);
    run.json()
}

/// grant-permissions (verify, grant, verify), new-contact, contact list, trace-call and
/// lab import --from-ldap, all with the ticket over `how`. `fresh`: nothing granted yet;
/// `contact`: the new contact's number and its kind (a subscriber access or auto-attendant
/// contact of a SIP URI dial plan; each run creates another).
fn every_command(realm: &Realm, how: &[&str], fresh: bool, contact: &[&str]) {
    let number = contact[0];
    let lab = TempLab::new();
    let verify = realm.umctl(&lab, how, &["grant-permissions", "--verify"]);
    verify.expect_code(if fresh { 1 } else { 0 });
    realm.umctl(&lab, how, &["grant-permissions", "--yes"]).ok();
    realm
        .umctl(&lab, how, &["grant-permissions", "--verify"])
        .ok();
    let sip = format!("sip:ova.{}@contoso.com", &number[number.len() - 4..]);
    let mut new_contact = vec![
        "new-contact",
        "--sip-address",
        &sip,
        "--registrar-pool",
        "pool01.contoso.com",
        "--ou",
        OU,
        "--display-number",
    ];
    new_contact.extend_from_slice(contact);
    realm.umctl(&lab, how, &new_contact).ok();
    let listed = realm
        .umctl(&lab, how, &["contact", "list", "--json"])
        .ok()
        .json();
    assert!(listed.to_string().contains(&sip), "{how:?}: {listed:#}");
    // The trace over Kerberos is the trace over a password bind, hop for hop.
    let traced = realm.umctl(
        &lab,
        how,
        &["trace-call", "--json", "--to", "bob", "--from", "alice"],
    );
    assert!(traced.code <= 1, "{how:?}: {}", traced.stderr);
    let (traced, reference) = (traced.json(), reference_trace(realm, &lab));
    for part in ["hops", "first_failure", "reached", "parties"] {
        assert_eq!(traced[part], reference[part], "{how:?}: {part}");
    }
    assert_eq!(traced["reached"], true, "{how:?}: {:#}", traced["hops"]);
    let copy = TempLab::new();
    let imported = realm
        .umctl(&copy, how, &["lab", "import", "--from-ldap", "--json"])
        .ok()
        .json();
    assert!(imported["objects"].as_u64().unwrap() > 50, "{imported}");
    assert!(
        copy.export().contains(&sip),
        "{how:?}: the copy lacks {sip}"
    );
}

#[test]
fn sealed_ldap_runs_every_command_with_a_ticket() {
    let test = "kerberos::sealed_ldap_runs_every_command_with_a_ticket";
    let Some(realm) = Realm::start(test, "yes") else {
        return;
    };
    // Samba's default: a Kerberos bind must be signed or sealed. ldap:// is sealed, with no
    // StartTLS and no --insecure-plain-bind.
    every_command(&realm, &strs(&sealed()), true, &["+96265515333"]);
    // Reads that end inside a sealed packet's length prefix: the same trace, the same list.
    let proxy = SplittingProxy::start(&realm.address);
    let split = format!("ldap://{FQDN}:{}", proxy.port);
    let lab = TempLab::new();
    let trace = ["trace-call", "--json", "--to", "bob", "--from", "alice"];
    let traced = realm.umctl(&lab, &["--ldap", &split], &trace).ok().json();
    let direct = realm.umctl(&lab, &strs(&sealed()), &trace).ok().json();
    assert_eq!(traced["hops"], direct["hops"]);
    let listed = realm.umctl(&lab, &["--ldap", &split], &["contact", "list", "--json"]);
    assert!(listed.ok().stdout.contains("sip:ova.5333@contoso.com"));
    // Sealed: the DC sent tens of kilobytes, and not one DN or name in the clear.
    let from_dc = proxy.from_dc.lock().unwrap().clone();
    let clear = |s: &str| from_dc.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(from_dc.len() > 10_000, "{} bytes", from_dc.len());
    for text in ["DC=contoso,DC=com", "Bob Haddad", "sip:ova.5333"] {
        assert!(!clear(text), "'{text}' crossed the wire in the clear");
    }
    drop(proxy);
    // Over TLS the bind carries no Kerberos layer, so this DC refuses it: the message says
    // to use sealed ldap:// or how to let Samba accept it.
    for how in [start_tls(&realm), ldaps(&realm)] {
        let lab = TempLab::new();
        let run = realm
            .umctl(&lab, &strs(&how), &["contact", "list"])
            .expect_code(3);
        assert!(
            run.stderr.contains("requires Kerberos signing or sealing")
                && run.stderr.contains("use ldap:// without --start-tls")
                && run.stderr.contains("allow_sasl_over_tls"),
            "{how:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn tls_carries_the_kerberos_bind_where_the_dc_allows_it() {
    let test = "kerberos::tls_carries_the_kerberos_bind_where_the_dc_allows_it";
    let Some(realm) = Realm::start(test, "no") else {
        return;
    };
    every_command(&realm, &strs(&start_tls(&realm)), true, &["+96265515333"]);
    every_command(&realm, &strs(&ldaps(&realm)), false, &["+14255550100"]);
    every_command(
        &realm,
        &strs(&sealed()),
        false,
        &["+96265515444", "--auto-attendant"],
    );
    // A name the certificate does not carry: the error says how to issue a proper one.
    let lab = TempLab::new();
    let ca = realm.dc.info.ca_file.clone();
    let how = ["--ldap", "ldaps://other.contoso.com", "--ca-file", &ca];
    let run = realm.umctl(&lab, &how, &["contact", "list"]).expect_code(3);
    assert!(
        run.stderr.contains("not valid for")
            && run.stderr.contains("subjectAltName DNS:other.contoso.com"),
        "{}",
        run.stderr
    );
}

#[test]
fn kerberos_failures_name_their_fix() {
    let test = "kerberos::kerberos_failures_name_their_fix";
    let Some(realm) = Realm::start(test, "yes") else {
        return;
    };
    let lab = TempLab::new();
    let gss = [
        "--ldap",
        "ldap://dc1.contoso.com",
        "--sasl-gssapi",
        "contact",
        "list",
    ];
    let fails = |run: Run, code: i32, fix: &str| {
        let run = run.expect_code(code);
        assert!(
            run.stderr.contains(fix),
            "expected '{fix}' in: {}",
            run.stderr
        );
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    };
    // No ticket at all.
    let none = realm.ccache("none");
    fails(
        realm.umctl_with(&lab, &gss, &none, &[]),
        3,
        "there is no Kerberos ticket: run kinit",
    );
    // A ticket that has expired.
    let short = realm.ccache("short");
    realm.kinit(&short, Some("2s"));
    std::thread::sleep(Duration::from_secs(3));
    fails(
        realm.umctl_with(&lab, &gss, &short, &[]),
        3,
        "your Kerberos ticket has expired: run kinit again",
    );
    // This machine's clock an hour ahead of the DC's.
    let tickets = realm.ccache("tickets");
    fails(
        realm.umctl_with(&lab, &gss, &tickets, &["faketime", "-f", "+1h"]),
        3,
        "this machine's clock and the domain controller's differ",
    );
    // An IP address has no service principal: refused before connecting.
    let by_ip = format!("ldap://{}", realm.address);
    let run = realm.umctl(&lab, &["--ldap", &by_ip], &["contact", "list"]);
    fails(run, 2, "is an IP address, which has no service principal");
    // The same ticket still works: none of the above was the DC's fault.
    realm.umctl_with(&lab, &gss, &tickets, &[]).ok();
}

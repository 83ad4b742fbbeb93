//! `umctl lab cert issue`: a certificate from the lab CA (`<lab>/ca`, made by
//! `sip::transport::certs`) for an Exchange server or a Skype pool, good or with the faults
//! asked for (wildcard, another name, expired, not yet valid, expiring soon, no server-auth
//! EKU, an untrusted CA), written as NAME.pem (chain) and NAME.key (mode 0600). It prints what
//! the certificate says and what the TLS checks (`um::certificate::judge`, the ones the live
//! trace and doctor --tls run) will find when the server's FQDN is dialled.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};
use serde::Serialize;

use crate::cli::args::{CertCommand, CertIssueArgs, GlobalArgs};
use crate::cli::output::Output;
use crate::cli::target::{lab_root, open_lab};
use crate::cli::UsageError;
use crate::directory::lookup;
use crate::sip::transport::certs::{CertOptions, LabCa};
use crate::um::certificate::{judge, CertificateCheck};

/// The common name of the CA `--untrusted` signs with (`<lab>/ca/untrusted`).
const UNTRUSTED_CA_NAME: &str = "umctl untrusted CA";

#[derive(Serialize)]
struct Issued {
    server: String,
    chain: PathBuf,
    key: PathBuf,
    /// The judgement when the server's FQDN is dialled, trusting the lab CA.
    check: CertificateCheck,
}

pub fn run(global: &GlobalArgs, command: &CertCommand) -> anyhow::Result<ExitCode> {
    let CertCommand::Issue(args) = command;
    let out = Output::new(global);
    let (fqdn, address) = server_fqdn(global, &args.server)?;
    let ca_dir = lab_root(global)?.join("ca");
    let ca = LabCa::load_or_create(&ca_dir)
        .with_context(|| format!("opening the lab CA in {}", ca_dir.display()))?;
    let signer = if args.untrusted {
        let dir = ca_dir.join("untrusted");
        LabCa::load_or_create_as(&dir, UNTRUSTED_CA_NAME)
            .with_context(|| format!("opening the untrusted CA in {}", dir.display()))?
    } else {
        LabCa::load_or_create(&ca_dir)?
    };
    let (opts, label) = options(args, &fqdn, address);
    let issued = signer.issue_with(&opts)?;
    let folder = args.out.clone().unwrap_or_else(|| ca_dir.join("issued"));
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("creating the folder {}", folder.display()))?;
    let chain = folder.join(format!("{label}.pem"));
    let key = folder.join(format!("{label}.key"));
    std::fs::write(&chain, &issued.chain_pem)
        .with_context(|| format!("writing {}", chain.display()))?;
    write_key(&key, &issued.key_pem)?;

    let ders = |pem: &str| -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(pem.as_bytes())
            .filter_map(Result::ok)
            .collect()
    };
    let check = judge(
        &ders(&issued.chain_pem),
        &fqdn,
        &ders(ca.cert_pem()),
        "the lab CA",
        UnixTime::now(),
    );
    let result = Issued {
        server: fqdn,
        chain,
        key,
        check,
    };
    if out.json {
        out.json(&result)?;
    } else {
        out.text(&render(&result))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(r: &Issued) -> String {
    let mut lines = vec![
        format!("chain: {}", r.chain.display()),
        format!("key:   {}", r.key.display()),
    ];
    if let Some(info) = &r.check.offered {
        lines.push(format!("certificate: {}", info.summary()));
    }
    if r.check.findings.is_empty() {
        lines.push(format!(
            "checks when {} is dialled (trusting the lab CA): none fail",
            r.server
        ));
    }
    for f in &r.check.findings {
        let level = match f.severity {
            crate::um::certificate::Severity::Fail => "FAILS",
            crate::um::certificate::Severity::Warn => "warns",
        };
        lines.push(format!(
            "checks when {} is dialled: {level}: {}",
            r.server, f.why
        ));
    }
    lines.join("\n")
}

/// The certificate's options and the file name (the FQDN, then the faults).
fn options(args: &CertIssueArgs, fqdn: &str, address: Option<IpAddr>) -> (CertOptions, String) {
    let mut faults = Vec::new();
    let mut opts = if args.wildcard {
        faults.push("wildcard".to_string());
        CertOptions::wildcard_for(fqdn)
    } else if let Some(name) = &args.name {
        faults.push(format!("as-{name}"));
        CertOptions::for_name(name)
    } else {
        CertOptions::for_name(fqdn).with_ips(&address.into_iter().collect::<Vec<_>>())
    };
    if args.expired {
        faults.push("expired".into());
        opts = opts.days(-40, -10);
    }
    if args.not_yet_valid {
        faults.push("not-yet-valid".into());
        opts = opts.days(10, 400);
    }
    if let Some(days) = args.expires_in_days {
        faults.push(format!("expires-in-{days}d"));
        opts = opts.days(-1, i64::from(days));
    }
    if args.no_server_auth {
        faults.push("no-server-auth".into());
        opts = opts.client_auth_only();
    }
    if args.untrusted {
        faults.push("untrusted".into());
    }
    let mut label = fqdn.to_string();
    for f in faults {
        label.push('-');
        label.push_str(&f);
    }
    (opts, label)
}

/// The FQDN (and lab address) of `--server`: an Exchange server by name or FQDN, else a host
/// of the lab's hosts table.
fn server_fqdn(global: &GlobalArgs, server: &str) -> anyhow::Result<(String, Option<IpAddr>)> {
    let lab = open_lab(global)?;
    let hosts = lab.hosts().context("reading the lab's hosts table")?;
    let org = lookup::organization(lab)?;
    let servers = lookup::exchange_servers(lab, &org)?;
    let fqdn = servers
        .iter()
        .find(|s| {
            s.name.eq_ignore_ascii_case(server)
                || s.fqdn
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case(server))
        })
        .and_then(|s| s.fqdn.clone())
        .or_else(|| hosts.lookup(server).map(|_| server.to_ascii_lowercase()));
    let Some(fqdn) = fqdn else {
        let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
        return Err(UsageError(format!(
            "--server '{server}': expected an Exchange server ({}) or a host of the lab's hosts table (`umctl lab hosts`)",
            names.join(", ")
        ))
        .into());
    };
    let address = hosts.lookup(&fqdn).map(IpAddr::V4);
    Ok((fqdn, address))
}

fn write_key(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(pem.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

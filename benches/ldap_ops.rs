//! umctl's side of the LDAP benchmark: N contact adds and N EUM lookups through
//! `LdapDirectory` on one connection, timed. `benches/ldap_vs_openldap.sh` starts a Samba DC,
//! runs the same work through OpenLDAP's ldapadd/ldapsearch, runs this, and prints the ratios.
//! Without the script's environment it explains itself and exits.

use std::path::PathBuf;
use std::time::Instant;

use umctl::directory::ldap::{LdapDirectory, LdapTarget, Secret};
use umctl::directory::{Directory, Dn, Entry, Filter, Scope};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() {
    let (Some(url), Some(bind), Some(password_file), Some(ca), Some(ou), Some(users)) = (
        env("UMCTL_BENCH_URL"),
        env("UMCTL_BENCH_BIND"),
        env("UMCTL_BENCH_PASSWORD_FILE"),
        env("UMCTL_BENCH_CA"),
        env("UMCTL_BENCH_OU"),
        env("UMCTL_BENCH_USERS_OU"),
    ) else {
        eprintln!("ldap_ops: run through benches/ldap_vs_openldap.sh (it starts the Samba DC)");
        return;
    };
    let n: usize = env("UMCTL_BENCH_N")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let password = std::fs::read_to_string(&password_file).expect("password file");
    let target = LdapTarget {
        url,
        bind_dn: Some(bind),
        password: Some(Secret::new(password.trim_end().to_string())),
        ca_file: Some(PathBuf::from(ca)),
        insecure_plain_bind: false,
        sasl_gssapi: false,
        start_tls: false,
    };
    let dir = LdapDirectory::connect(&target).expect("connect");
    let ou = Dn::parse(&ou).expect("OU DN");
    let start = Instant::now();
    for i in 0..n {
        let entry = Entry::new(ou.child("CN", &format!("umctl contact {i:05}")))
            .with("objectClass", "top")
            .with("objectClass", "person")
            .with("objectClass", "organizationalPerson")
            .with("objectClass", "contact")
            .with("displayName", &format!("umctl contact {i:05}"))
            .with("telephoneNumber", &format!("+9626552{i:05}"))
            .with(
                "otherIPPhone",
                &format!("SA:sip:u{i:05}@contoso.com;phone-context=LOC801.contoso.com"),
            );
        dir.add(entry).expect("add");
    }
    let adds = start.elapsed();
    let users = Dn::parse(&users).expect("users OU DN");
    let start = Instant::now();
    for i in 0..n {
        let filter = Filter::eq(
            "proxyAddresses",
            &format!("eum:{};phone-context=LOC801.contoso.com", 700_000 + i),
        );
        let found = dir
            .search(&users, Scope::Subtree, &filter, &["sAMAccountName"])
            .expect("search");
        assert_eq!(found.len(), 1, "user {i} must exist");
    }
    let lookups = start.elapsed();
    println!("umctl_adds_seconds={:.3}", adds.as_secs_f64());
    println!("umctl_lookups_seconds={:.3}", lookups.as_secs_f64());
}

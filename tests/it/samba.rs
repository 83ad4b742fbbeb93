//! umctl against a real Active Directory (Samba AD DC on loopback): copying a forest into a
//! lab, ACEs written through LDAP and enforced by the DC, and each way a connection or an
//! operation can fail, with the exit code and the one-line error a user sees.

use std::process::{Command, Stdio};

use umctl::directory::ldap::LdapDirectory;
use umctl::directory::security::access::{ace_for, Inheritance};
use umctl::directory::security::AccessMask;
use umctl::directory::{Directory, DirectoryError, Dn, Entry, Filter, ModOp, Modification, Scope};

use crate::samba_dc::SambaDc;
use crate::support::TempLab;

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const RTC_SERVICES: &str = "CN=RTCComponentUniversalServices,CN=Users,DC=contoso,DC=com";

fn dial_plans_visible_to(dc: &SambaDc, upn: &str, password: &str) -> usize {
    let d = LdapDirectory::connect(&dc.target_as(upn, password)).unwrap();
    let container = Dn::parse(&format!("CN=UM DialPlan Container,{ORG}")).unwrap();
    d.search(
        &container,
        Scope::OneLevel,
        &Filter::eq("objectClass", "msExchUMDialPlan"),
        &["cn"],
    )
    .map(|found| found.len())
    .unwrap_or(0)
}

#[test]
fn an_ace_written_through_ldap_is_visible_and_enforced() {
    let Some(dc) = SambaDc::start("samba::an_ace_written_through_ldap_is_visible_and_enforced")
    else {
        return;
    };
    dc.add_user("member1", "Member-Passw0rd-1", Some(RTC_SERVICES));
    dc.add_user("outsider1", "Outsider-Passw0rd-1", None);
    assert_eq!(
        dial_plans_visible_to(&dc, "member1@contoso.com", "Member-Passw0rd-1"),
        0,
        "nothing is granted yet"
    );

    let admin = LdapDirectory::connect(&dc.admin_target()).unwrap();
    let container = Dn::parse(&format!("CN=UM DialPlan Container,{ORG}")).unwrap();
    let group_sid = "S-1-5-21-2718281828-3141592653-1414213562-1102"
        .parse()
        .unwrap();
    let mut dacl = admin
        .read_security(&container)
        .unwrap()
        .unwrap()
        .dacl
        .unwrap();
    dacl.add_ace(ace_for(
        &group_sid,
        AccessMask::LIST_CHILDREN | AccessMask::READ_PROPERTY,
        Inheritance::ContainerInherit,
    ));
    admin.write_dacl(&container, &dacl).unwrap();

    // samba-tool, a second client, sees the ACE umctl wrote.
    let out = Command::new("samba-tool")
        .args([
            "dsacl",
            "get",
            "-H",
            &dc.info.ldap,
            "-U",
            "CONTOSO\\Administrator",
            &format!("--objectdn=CN=UM DialPlan Container,{ORG}"),
        ])
        .env("PASSWD_FILE", &dc.info.password_file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let sddl = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "samba-tool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // samba-tool orders the rights its own way (RPLC).
    let granted = ["LCRP", "RPLC"].iter().any(|r| {
        sddl.contains(&format!(
            "(A;CI;{r};;;S-1-5-21-2718281828-3141592653-1414213562-1102)"
        ))
    });
    assert!(granted, "{sddl}");

    // And the DC enforces it: the member reads the dial plans, the outsider does not.
    assert_eq!(
        dial_plans_visible_to(&dc, "member1@contoso.com", "Member-Passw0rd-1"),
        4
    );
    assert_eq!(
        dial_plans_visible_to(&dc, "outsider1@contoso.com", "Outsider-Passw0rd-1"),
        0
    );
}

#[test]
fn import_from_ldap_copies_the_forest_without_secrets() {
    let Some(dc) = SambaDc::start("samba::import_from_ldap_copies_the_forest_without_secrets")
    else {
        return;
    };
    dc.add_user("secretive", "Secret-Passw0rd-9", None);
    let lab = TempLab::new();
    let mut args = vec!["lab", "import", "--from-ldap", "--json"];
    let admin = dc.admin_args();
    args.extend(admin.iter().map(String::as_str));
    let run = lab.run(&args).ok();
    assert!(run.json()["objects"].as_u64().unwrap() > 50);
    let export = lab.export();
    for expected in [
        "dn: CN=LOC801,CN=UM DialPlan Container,",
        "msExchUMVoiceMailPilotNumbers: +96265515333",
        "proxyAddresses: eum:9000;phone-context=LOC801.contoso.com",
        "dn: CN=1:3,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com",
        "dn: OU=ExUmContacts,DC=contoso,DC=com",
    ] {
        assert!(
            export.contains(expected),
            "the copy lacks {expected}:\n{}",
            export
                .lines()
                .filter(|l| l.starts_with("dn:"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for secret in ["unicodePwd", "supplementalCredentials", "Secret-Passw0rd-9"] {
        assert!(!export.contains(secret), "a secret was copied: {secret}");
        assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    }
    // The copy is a working lab: the hosts table has the pools.
    let hosts = lab.run(&["lab", "hosts", "--json"]).ok().json();
    assert!(hosts
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["fqdn"] == "pool01.contoso.com"));
}

fn import_with(lab: &TempLab, args: &[String], password: &str) -> crate::support::Run {
    let mut all = vec!["lab".to_string(), "import".into(), "--from-ldap".into()];
    all.extend(args.iter().cloned());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    lab.run_env(&all, &[("UMCTL_LDAP_PASSWORD", password)])
}

#[test]
fn connection_failures_are_one_line_errors_with_exit_code_3() {
    let Some(dc) =
        SambaDc::start("samba::connection_failures_are_one_line_errors_with_exit_code_3")
    else {
        return;
    };
    let lab = TempLab::empty();
    let base = |url: &str, ca: bool| -> Vec<String> {
        let mut v = vec![
            "--ldap".to_string(),
            url.to_string(),
            "--bind-dn".into(),
            dc.info.admin_upn.clone(),
        ];
        if ca {
            v.extend(["--ca-file".to_string(), dc.info.ca_file.clone()]);
        }
        v
    };
    // Wrong password.
    let run = import_with(&lab, &base(&dc.info.ldaps, true), "Wrong-Passw0rd").expect_code(3);
    assert!(
        run.stderr.contains(&dc.info.ldaps) && run.stderr.contains("invalid credentials"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Wrong-Passw0rd"));
    assert_eq!(
        run.stderr.trim().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    // A DC whose CA we were not told about.
    let run = import_with(&lab, &base(&dc.info.ldaps, false), &dc.password()).expect_code(3);
    assert!(run.stderr.contains("--ca-file"), "{}", run.stderr);
    // StartTLS is the default on ldap:// and verifies the certificate too.
    let run = import_with(&lab, &base(&dc.info.ldap, false), &dc.password()).expect_code(3);
    assert!(run.stderr.contains("TLS"), "{}", run.stderr);
    import_with(&lab, &base(&dc.info.ldap, true), &dc.password()).ok();
    assert!(lab.path().join("forest.ldif").exists());
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    // A real TLS peer (openssl s_server) whose certificate is issued by the trusted CA but
    // for another address: umctl must refuse it, naming the server.
    if Command::new("openssl").arg("version").output().is_err() {
        crate::support::skip_for_missing_peer(
            "a_certificate_for_another_name_is_refused",
            "openssl (apt-get install openssl)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sh = format!(
        "set -e; cd '{}'
         openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=TestCA 2>/dev/null
         openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=dc9.contoso.com 2>/dev/null
         printf 'subjectAltName=DNS:dc9.contoso.com,IP:127.0.0.251\\n' > ext
         openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null",
        d.display()
    );
    assert!(Command::new("sh")
        .arg("-c")
        .arg(&sh)
        .status()
        .unwrap()
        .success());
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
        ])
        .arg(d.join("srv.pem"))
        .arg("-key")
        .arg(d.join("srv.key"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard_stdin = server.stdin.take();
    let server = Stop(server);
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(ready, "openssl s_server did not start");
    let lab = TempLab::new();
    let url = format!("ldaps://127.0.0.1:{port}");
    let ca = d.join("ca.pem");
    let run = lab
        .run_env(
            &[
                "lab",
                "import",
                "--from-ldap",
                "--ldap",
                &url,
                "--bind-dn",
                "administrator@contoso.com",
                "--ca-file",
                ca.to_str().unwrap(),
            ],
            &[("UMCTL_LDAP_PASSWORD", "unused")],
        )
        .expect_code(3);
    assert!(
        run.stderr.contains(&url) && run.stderr.contains("not valid for name"),
        "{}",
        run.stderr
    );
    drop(server);
}

#[test]
fn directory_errors_name_the_object_and_keep_the_server_text() {
    let Some(dc) =
        SambaDc::start("samba::directory_errors_name_the_object_and_keep_the_server_text")
    else {
        return;
    };
    let d = LdapDirectory::connect(&dc.admin_target()).unwrap();
    let missing = Dn::parse("CN=Nobody,OU=ExUmContacts,DC=contoso,DC=com").unwrap();
    let err = d
        .modify(
            &missing,
            &[Modification {
                op: ModOp::Replace,
                attr: "description".into(),
                values: vec![b"x".to_vec()],
            }],
        )
        .unwrap_err();
    assert!(matches!(err, DirectoryError::NoSuchObject { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("CN=Nobody,OU=ExUmContacts,DC=contoso,DC=com"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 2);
    let err = d
        .add(
            Entry::new(Dn::parse("CN=Schema Test,OU=ExUmContacts,DC=contoso,DC=com").unwrap())
                .with("objectClass", "contact")
                .with("notAnAttributeAnywhere", "x"),
        )
        .unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string().contains("notAnAttributeAnywhere"),
        "the server's text names the attribute: {err}"
    );
    let outsider = dc.add_user("reader1", "Reader-Passw0rd-1", None);
    let reader =
        LdapDirectory::connect(&dc.target_as("reader1@contoso.com", "Reader-Passw0rd-1")).unwrap();
    let err = reader
        .modify(
            &Dn::parse(ORG).unwrap(),
            &[Modification {
                op: ModOp::Replace,
                attr: "description".into(),
                values: vec![b"x".to_vec()],
            }],
        )
        .unwrap_err();
    assert!(
        matches!(err, DirectoryError::InsufficientAccess { .. }),
        "{err}"
    );
    assert_eq!(err.exit_code(), 3);
    let _ = outsider;
}

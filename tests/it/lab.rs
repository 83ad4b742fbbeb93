//! `umctl lab ...` on the built-in contoso.com forest: init, export/import round trip, hosts,
//! show, reset, and the global options.

use std::io::Read;
use std::process::Stdio;

use crate::support::{strip_comments, TempLab};

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

#[test]
fn init_seeds_the_forest_once() {
    let lab = TempLab::empty();
    let first = lab.run(&["lab", "init", "--json"]).ok().json();
    assert_eq!(first["created"], true);
    let objects = first["objects"].as_u64().unwrap();
    assert!(objects > 50, "the built-in forest has {objects} objects");
    let again = lab.run(&["lab", "init", "--json"]).ok().json();
    assert_eq!(again["created"], false, "an existing lab is kept");
    let forced = lab.run(&["lab", "init", "--force", "--json"]).ok().json();
    assert_eq!(forced["created"], true);
    let backup = forced["backup"].as_str().unwrap();
    assert!(std::path::Path::new(backup).join("forest.ldif").exists());
}

#[test]
fn export_prints_the_seeded_forest() {
    let lab = TempLab::new();
    let out = lab.run(&["lab", "export"]).ok().stdout;
    assert!(out.contains("version: 1"));
    assert!(out.contains(&format!("dn: {ORG}")));
    assert!(out.contains("dn: CN=LOC801,CN=UM DialPlan Container,"));
    assert!(out.contains("msExchUMVoiceMailPilotNumbers: +96265515333"));
    assert!(out.contains("msExchUMPhoneContext: LOC801.contoso.com"));
    // Parents come before children.
    let dns: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("dn: ")).collect();
    for (i, dn) in dns.iter().enumerate() {
        if let Some((_, parent)) = dn.split_once(',') {
            if dns.contains(&parent) {
                let p = dns.iter().position(|d| *d == parent).unwrap();
                assert!(p < i, "{parent} must come before {dn}");
            }
        }
    }
}

#[test]
fn export_then_import_round_trips() {
    let lab = TempLab::new();
    let exported = lab.run(&["lab", "export"]).ok().stdout;
    let copy = TempLab::empty();
    let file = copy.write("export.ldif", exported.as_bytes());
    let imported = copy
        .run(&["lab", "import", file.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert!(
        imported["backup"].is_null(),
        "a lab that did not exist has nothing to back up"
    );
    assert_eq!(copy.export(), strip_comments(&exported));
    // And the --out form writes the same.
    let out_file = copy.file("again.ldif");
    copy.run(&["lab", "export", "--out", out_file.to_str().unwrap()])
        .ok();
    let again = std::fs::read_to_string(out_file).unwrap();
    assert_eq!(strip_comments(&again), strip_comments(&exported));
}

#[test]
fn hosts_table_has_every_lab_server() {
    let lab = TempLab::new();
    let text = lab.run(&["lab", "hosts"]).ok().stdout;
    assert!(text.contains("pool01.contoso.com"));
    let doc = lab.run(&["lab", "hosts", "--json"]).ok().json();
    let hosts = doc.as_array().unwrap();
    let addr_of = |fqdn: &str| {
        hosts
            .iter()
            .find(|h| h["fqdn"] == fqdn)
            .map(|h| h["address"].as_str().unwrap().to_string())
    };
    for fqdn in [
        "pool01.contoso.com",
        "ex-cas01.contoso.com",
        "ex-mbx01.contoso.com",
    ] {
        let addr = addr_of(fqdn).unwrap_or_else(|| panic!("{fqdn} has no address"));
        assert!(addr.starts_with("127."), "{fqdn} -> {addr}");
    }
    let mut addrs: Vec<&str> = hosts
        .iter()
        .map(|h| h["address"].as_str().unwrap())
        .collect();
    let n = addrs.len();
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), n, "every FQDN has its own address");
}

#[test]
fn apply_gives_new_fqdns_a_lab_address() {
    let lab = TempLab::new();
    let run = lab
        .apply(
            "dn: CN=1:9,CN=Pools,CN=RTC Service,CN=Microsoft,CN=System,DC=contoso,DC=com\n\
             changetype: add\nobjectClass: msRTCSIP-Pool\ndNSHostName: pool09.contoso.com\nmsRTCSIP-PoolVersion: 7\n",
        )
        .ok();
    assert!(run.stderr.contains("pool09.contoso.com"), "{}", run.stderr);
    let doc = lab.run(&["lab", "hosts", "--json"]).ok().json();
    assert!(doc
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["fqdn"] == "pool09.contoso.com"));
}

#[test]
fn show_finds_objects_by_name_or_dn() {
    let lab = TempLab::new();
    let bob = lab.run(&["lab", "show", "bob", "--json"]).ok().json();
    assert!(bob["dn"].as_str().unwrap().starts_with("CN=Bob"), "{bob}");
    assert!(bob["attributes"]["proxyAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v.as_str().unwrap().starts_with("eum:9000;")));
    let dp = lab.run(&["lab", "show", "LOC801"]).ok().stdout;
    assert!(
        dp.contains("msExchUMPhoneContext") && dp.contains("LOC801.contoso.com"),
        "{dp}"
    );
    let by_sip = lab
        .run(&["lab", "show", "sip:alice@contoso.com", "--json"])
        .ok()
        .json();
    assert!(by_sip["dn"].as_str().unwrap().contains("Alice"));
    let org = lab
        .run(&["lab", "show", &ORG.to_lowercase(), "--json"])
        .ok()
        .json();
    assert_eq!(org["dn"], ORG);
    let missing = lab.run(&["lab", "show", "nobody-here"]).expect_code(2);
    assert!(missing.stderr.contains("nobody-here"), "{}", missing.stderr);
    let missing_dn = lab
        .run(&["lab", "show", "CN=Nobody,DC=contoso,DC=com"])
        .expect_code(2);
    assert!(missing_dn.stderr.contains("CN=Nobody,DC=contoso,DC=com"));
}

#[test]
fn show_finds_servers_and_pools_by_fqdn_and_names_each_class_when_ambiguous() {
    let lab = TempLab::new();
    let hosts = lab.run(&["lab", "hosts"]).ok().stdout;
    for fqdn in [
        "ex-cas01.contoso.com",
        "ex-mbx01.contoso.com",
        "pool01.contoso.com",
    ] {
        assert!(hosts.contains(fqdn), "{hosts}");
        let shown = lab.run(&["lab", "show", fqdn, "--json"]).ok().json();
        let cn = fqdn.split('.').next().unwrap();
        assert!(
            shown["dn"].as_str().unwrap().to_lowercase().contains(cn)
                || shown["attributes"]["dNSHostName"][0] == fqdn,
            "{fqdn}: {shown}"
        );
    }
    // grant-permissions gives the pool's gateway a hunt group named after LOC801.
    lab.run(&["grant-permissions", "--yes"]).ok();
    let run = lab.run(&["lab", "show", "LOC801"]).expect_code(2);
    assert!(run.stderr.contains("names 5 objects"), "{}", run.stderr);
    assert!(run.stderr.contains("(msExchUMDialPlan)"), "{}", run.stderr);
    assert!(run.stderr.contains("(msExchUMHuntGroup)"), "{}", run.stderr);
}

#[test]
fn a_fresh_lab_grants_the_rtc_groups_nothing() {
    let lab = TempLab::new();
    let groups = lab
        .run(&["lab", "search", "(|(sAMAccountName=RTCUniversalServerAdmins)(sAMAccountName=RTCComponentUniversalServices))", "objectSid", "--json"])
        .ok()
        .json();
    let sids: Vec<String> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g["attributes"]["objectSid"][0]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(sids.len(), 2);
    let sds = lab
        .run(&[
            "lab",
            "search",
            "(nTSecurityDescriptor=*)",
            "nTSecurityDescriptor",
        ])
        .ok()
        .stdout;
    assert!(
        sds.contains(ORG),
        "the organization carries a security descriptor"
    );
    for sid in sids {
        assert!(
            !sds.contains(&sid),
            "{sid} must not be granted anything in a fresh lab"
        );
    }
    let gateways = lab
        .run(&[
            "lab",
            "search",
            "(msExchUMIPGatewayAddress=pool01.contoso.com)",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        gateways.as_array().unwrap().len(),
        0,
        "no gateway for the SfB pool yet"
    );
}

#[test]
fn reset_restores_the_forest_and_keeps_the_old_one() {
    let lab = TempLab::new();
    let pristine = lab.export();
    lab.apply(&format!(
        "dn: {ORG}\nchangetype: modify\nreplace: description\ndescription: edited\n-\n"
    ))
    .ok();
    assert_ne!(lab.export(), pristine);
    std::fs::write(lab.path().join("mailboxes/bob/message.eml"), "keep me").unwrap();
    let doc = lab.run(&["lab", "reset", "--json"]).ok().json();
    assert_eq!(lab.export(), pristine);
    let backup = std::path::Path::new(doc["backup"].as_str().unwrap()).to_path_buf();
    assert!(std::fs::read_to_string(backup.join("forest.ldif"))
        .unwrap()
        .contains("description: edited"));
    assert_eq!(
        std::fs::read_to_string(backup.join("mailboxes/bob/message.eml")).unwrap(),
        "keep me"
    );
    assert!(lab.path().join("mailboxes/bob/greeting.wav").exists());
}

#[test]
fn the_lab_folder_comes_from_the_environment_too() {
    let lab = TempLab::empty();
    let out = std::process::Command::new(crate::support::umctl_bin())
        .args(["lab", "init", "--json"])
        .env("UMCTL_LAB", lab.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(lab.path().join("forest.ldif").exists());
}

#[test]
fn lab_commands_refuse_ldap() {
    let lab = TempLab::new();
    let run = lab
        .run(&["lab", "hosts", "--ldap", "ldaps://dc01.contoso.com"])
        .expect_code(2);
    assert!(run.stderr.contains("--ldap"), "{}", run.stderr);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let lab = TempLab::new();
    // A forest big enough to overflow the pipe buffer.
    let mut ldif = String::from(crate::ldif_files::SMALL_FOREST);
    for i in 0..3000 {
        ldif.push_str(&format!(
            "\ndn: CN=Contact {i},OU=Lab,DC=example,DC=com\nobjectClass: contact\ndescription: padding padding padding padding padding {i}\n"
        ));
    }
    let file = lab.write("big.ldif", ldif.as_bytes());
    lab.run(&["lab", "import", file.to_str().unwrap()]).ok();
    let mut child = lab
        .command(&["lab", "export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
}

//! LDAP failures that need no domain controller: a refused connection, a bad URL, a missing
//! password. (Everything that needs a real AD runs against Samba in `samba.rs`.)

use crate::support::TempLab;

#[test]
fn an_unreachable_dc_is_exit_code_3_naming_the_server() {
    let lab = TempLab::empty();
    // Nothing listens on loopback port 1: the connection is refused at once.
    let run = lab
        .run_env(
            &[
                "lab",
                "import",
                "--from-ldap",
                "--ldap",
                "ldap://127.0.0.1:1",
                "--bind-dn",
                "administrator@contoso.com",
            ],
            &[("UMCTL_LDAP_PASSWORD", "not-used")],
        )
        .expect_code(3);
    assert!(run.stderr.contains("ldap://127.0.0.1:1"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("not-used"),
        "the password must never be printed"
    );
    assert!(
        !lab.path().join("forest.ldif").exists(),
        "nothing may be written"
    );
}

#[test]
fn a_bad_url_is_exit_code_2() {
    let lab = TempLab::new();
    let run = lab
        .run(&[
            "lab",
            "import",
            "--from-ldap",
            "--ldap",
            "http://dc01.contoso.com",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("http://dc01.contoso.com") && run.stderr.contains("ldaps://"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_password_without_a_terminal_is_exit_code_2() {
    let lab = TempLab::new();
    let run = lab
        .run(&[
            "lab",
            "import",
            "--from-ldap",
            "--ldap",
            "ldaps://127.0.0.1:1",
            "--bind-dn",
            "administrator@contoso.com",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("--password-file") && run.stderr.contains("UMCTL_LDAP_PASSWORD"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_password_is_never_taken_from_the_command_line() {
    let lab = TempLab::new();
    let run = lab
        .run(&["lab", "hosts", "--password", "secret"])
        .expect_code(2);
    assert!(run.stderr.contains("--password"), "{}", run.stderr);
}

/// `--sasl-gssapi` is always on the command line (so completions and man pages do not depend
/// on the build); a build without the gssapi feature refuses it before connecting, and one
/// with it refuses an IP address (Kerberos needs the DC's name) before connecting too.
#[test]
fn sasl_gssapi_names_the_missing_feature_or_the_unreachable_dc() {
    let lab = TempLab::new();
    let args = [
        "trace-call",
        "--to",
        "bob",
        "--ldap",
        "ldap://127.0.0.1:1",
        "--sasl-gssapi",
    ];
    if cfg!(feature = "gssapi") {
        let run = lab.run(&args).expect_code(2);
        assert!(
            run.stderr.contains("127.0.0.1 is an IP address")
                && run.stderr.contains("ldap://dc01.contoso.com"),
            "{}",
            run.stderr
        );
        let mut by_name = args;
        by_name[4] = "ldap://localhost:1";
        let run = lab.run(&by_name).expect_code(3);
        assert!(run.stderr.contains("ldap://localhost:1"), "{}", run.stderr);
    } else {
        let run = lab.run(&args).expect_code(2);
        assert!(
            run.stderr.contains("built without the gssapi feature"),
            "{}",
            run.stderr
        );
    }
    let both = lab.run(&[
        "trace-call",
        "--to",
        "bob",
        "--ldap",
        "ldap://127.0.0.1:1",
        "--sasl-gssapi",
        "--bind-dn",
        "administrator@contoso.com",
    ]);
    let both = both.expect_code(2);
    assert!(both.stderr.contains("--bind-dn"), "{}", both.stderr);
}

/// A directory test double for what Samba cannot be made to do: answer an unpaged search with
/// sizeLimitExceeded (AD's MaxPageSize; Samba ignores MaxPageSize for unpaged searches, checked
/// with MaxPageSize=5 and an unpaged search that returned 18 users). A plain LDAP server on
/// loopback, written with a few BER helpers: the rootDSE, then for other searches two entries
/// and sizeLimitExceeded without the paged control, three entries and success with it.
mod capped_double {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};

    const PAGED_OID: &[u8] = b"1.2.840.113556.1.4.319";

    /// The searches the double answered: (base, paged control asked).
    pub type Seen = Arc<Mutex<Vec<(String, bool)>>>;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = content.len();
        if n < 0x80 {
            out.push(n as u8);
        } else {
            let bytes: Vec<u8> = n
                .to_be_bytes()
                .iter()
                .copied()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    fn int(tag: u8, n: u32) -> Vec<u8> {
        let mut bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        if bytes.first().is_none_or(|b| b & 0x80 != 0) {
            bytes.insert(0, 0);
        }
        tlv(tag, &bytes)
    }

    fn octets(s: &[u8]) -> Vec<u8> {
        tlv(0x04, s)
    }

    fn message(id: u32, op: Vec<u8>, controls: Option<Vec<u8>>) -> Vec<u8> {
        let mut body = int(0x02, id);
        body.extend(op);
        if let Some(c) = controls {
            body.extend(tlv(0xa0, &c));
        }
        tlv(0x30, &body)
    }

    fn entry(id: u32, dn: &str, attrs: &[(&str, &str)]) -> Vec<u8> {
        let mut list = Vec::new();
        for (name, value) in attrs {
            let mut a = octets(name.as_bytes());
            a.extend(tlv(0x31, &octets(value.as_bytes())));
            list.extend(tlv(0x30, &a));
        }
        let mut body = octets(dn.as_bytes());
        body.extend(tlv(0x30, &list));
        message(id, tlv(0x64, &body), None)
    }

    fn done(id: u32, code: u32, controls: Option<Vec<u8>>) -> Vec<u8> {
        let mut body = int(0x0a, code);
        body.extend(octets(b""));
        body.extend(octets(b""));
        message(id, tlv(0x65, &body), controls)
    }

    /// One TLV from the stream: (tag, content).
    fn read_tlv(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 2];
        stream.read_exact(&mut head).ok()?;
        let len = if head[1] < 0x80 {
            head[1] as usize
        } else {
            let mut bytes = vec![0u8; (head[1] & 0x7f) as usize];
            stream.read_exact(&mut bytes).ok()?;
            bytes.iter().fold(0usize, |n, b| n << 8 | *b as usize)
        };
        let mut content = vec![0u8; len];
        stream.read_exact(&mut content).ok()?;
        Some((head[0], content))
    }

    /// (messageID, operation tag, the operation's first octet string, paged control asked).
    fn parse(content: &[u8]) -> (u32, u8, String, bool) {
        let id_len = content[1] as usize;
        let id = content[2..2 + id_len]
            .iter()
            .fold(0u32, |n, b| n << 8 | u32::from(*b));
        let op = content[2 + id_len];
        let rest = &content[2 + id_len..];
        // The op's length (short or long form), then its first element: the base DN.
        let (op_len_bytes, _) = match rest[1] {
            n if n < 0x80 => (1, n as usize),
            n => (1 + (n & 0x7f) as usize, 0),
        };
        let first = &rest[1 + op_len_bytes..];
        let base = if first.first() == Some(&0x04) {
            String::from_utf8_lossy(&first[2..2 + first[1] as usize]).into_owned()
        } else {
            String::new()
        };
        let paged = content.windows(PAGED_OID.len()).any(|w| w == PAGED_OID);
        (id, op, base, paged)
    }

    /// Serves one connection; each search is recorded as (base, paged).
    fn serve(mut stream: TcpStream, seen: Seen) {
        while let Some((_, content)) = read_tlv(&mut stream) {
            let (id, op, base, paged) = parse(&content);
            let reply = match op {
                0x42 => return, // unbind
                0x63 if base.is_empty() => {
                    let mut r = entry(
                        id,
                        "",
                        &[
                            ("defaultNamingContext", "DC=example,DC=com"),
                            ("rootDomainNamingContext", "DC=example,DC=com"),
                            (
                                "configurationNamingContext",
                                "CN=Configuration,DC=example,DC=com",
                            ),
                            (
                                "schemaNamingContext",
                                "CN=Schema,CN=Configuration,DC=example,DC=com",
                            ),
                        ],
                    );
                    r.extend(done(id, 0, None));
                    r
                }
                0x63 => {
                    seen.lock().unwrap().push((base, paged));
                    let count = if paged { 3 } else { 2 };
                    let mut r = Vec::new();
                    for i in 0..count {
                        r.extend(entry(
                            id,
                            &format!("CN=u{i},DC=example,DC=com"),
                            &[("sAMAccountName", &format!("u{i}"))],
                        ));
                    }
                    if paged {
                        let value = tlv(0x30, &[int(0x02, 0), octets(b"")].concat());
                        let control = tlv(0x30, &[octets(PAGED_OID), octets(&value)].concat());
                        r.extend(done(id, 0, Some(control)));
                    } else {
                        r.extend(done(id, 4, None)); // sizeLimitExceeded
                    }
                    r
                }
                _ => done(id, 53, None), // unwillingToPerform
            };
            if stream.write_all(&reply).is_err() {
                return;
            }
        }
    }

    /// Starts the double on loopback; returns its URL and the searches it saw.
    pub fn start() -> (String, Seen) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ldap://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, log));
            }
        });
        (url, seen)
    }
}

#[test]
fn a_lookup_capped_by_size_limit_exceeded_is_read_again_paged() {
    use umctl::directory::ldap::{LdapDirectory, LdapTarget};
    use umctl::directory::{Directory, Dn, Filter, Scope};
    let (url, seen) = capped_double::start();
    let dir = LdapDirectory::connect(&LdapTarget {
        url,
        bind_dn: None,
        password: None,
        ca_file: None,
        insecure_plain_bind: true,
        sasl_gssapi: false,
        start_tls: false,
    })
    .unwrap();
    let base = Dn::parse("DC=example,DC=com").unwrap();
    // An indexed lookup goes unpaged first; the cap makes it run again, paged, and the two
    // entries of the capped answer are not kept twice.
    let found = dir
        .search(
            &base,
            Scope::Subtree,
            &Filter::eq("sAMAccountName", "u1"),
            &[],
        )
        .unwrap();
    let names: Vec<String> = found.iter().map(|e| e.dn.to_string()).collect();
    assert_eq!(
        names,
        [
            "CN=u0,DC=example,DC=com",
            "CN=u1,DC=example,DC=com",
            "CN=u2,DC=example,DC=com"
        ]
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("DC=example,DC=com".to_string(), false),
            ("DC=example,DC=com".to_string(), true)
        ]
    );
}

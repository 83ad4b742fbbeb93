//! Every message tells the truth: one exit-code scheme, global options on either side of the
//! subcommand, one clean sentence per error (each cause once, inputs quoted and shortened),
//! JSON errors with --json, and `lab search` printing a match that lacks the attributes.

use crate::support::{umctl_bin, TempLab};

#[test]
fn a_trace_to_nobody_is_bad_input_and_still_shows_the_hops() {
    let lab = TempLab::new();
    let run = lab.run(&["trace-call", "--to", "nobody"]).expect_code(2);
    assert!(run.stdout.contains("FAILED at hop 1"), "{}", run.stdout);
    assert!(run.stdout.contains("no user or contact matches nobody"));
    // A number that belongs to no one is a broken call (1), not a missing object.
    lab.run(&["trace-call", "--to", "+96265519999"])
        .expect_code(1);
}

#[test]
fn a_lab_path_that_is_a_file_is_exit_2_and_says_so_once() {
    let lab = TempLab::new();
    let file = lab.write("not-a-folder", b"x");
    let run = std::process::Command::new(umctl_bin())
        .args(["--lab", file.to_str().unwrap(), "contact", "list"])
        .env_remove("UMCTL_LAB")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    // Each cause once (the message may name the cause or say it in its own words).
    assert!(
        stderr.matches("os error 20").count() <= 1,
        "the cause is repeated: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn global_options_work_after_the_subcommand_too() {
    let lab = TempLab::new();
    let dir = lab.file("rehearsal");
    let dir = dir.to_str().unwrap();
    // The README's order: connection options first, --lab after the subcommand. Nothing
    // listens on port 1, so it gets as far as connecting: exit 3, naming the server.
    for args in [
        vec![
            "--ldap",
            "ldap://127.0.0.1:1",
            "--bind-dn",
            "administrator@contoso.com",
            "lab",
            "import",
            "--from-ldap",
            "--lab",
            dir,
        ],
        vec![
            "lab",
            "import",
            "--from-ldap",
            "--lab",
            dir,
            "--ldap",
            "ldap://127.0.0.1:1",
            "--bind-dn",
            "administrator@contoso.com",
        ],
    ] {
        let run = std::process::Command::new(umctl_bin())
            .args(&args)
            .env_remove("UMCTL_LAB")
            .env("UMCTL_LDAP_PASSWORD", "not-used")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot reach ldap://127.0.0.1:1"),
            "{stderr}"
        );
    }
    // What needs --ldap still says so, wherever it stands.
    let run = lab
        .run(&["--bind-dn", "x", "contact", "list"])
        .expect_code(2);
    assert!(
        run.stderr.contains("--bind-dn needs --ldap"),
        "{}",
        run.stderr
    );
    let run = lab.run(&["contact", "list", "-v", "-q"]).expect_code(2);
    assert!(
        run.stderr.contains("--verbose and --quiet"),
        "{}",
        run.stderr
    );
}

#[test]
fn lab_search_prints_the_dn_alone_for_a_match_without_the_attribute() {
    let lab = TempLab::new();
    let run = lab
        .run(&[
            "lab",
            "search",
            "(sAMAccountName=bob)",
            "telephoneNumber",
            "noSuchAttribute",
        ])
        .ok();
    assert!(run.stdout.contains("telephoneNumber: "), "{}", run.stdout);
    let run = lab
        .run(&["lab", "search", "(sAMAccountName=bob)", "noSuchAttribute"])
        .ok();
    assert_eq!(
        run.stdout.trim(),
        "dn: CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com"
    );
    assert!(run.stderr.contains("1 object(s) found."), "{}", run.stderr);
}

#[test]
fn a_bad_ldap_url_is_echoed_as_given() {
    let lab = TempLab::new();
    let run = lab
        .run(&["--ldap", "ldap://", "contact", "list"])
        .expect_code(2);
    assert!(run.stderr.contains("'ldap://'"), "{}", run.stderr);
    assert!(!run.stderr.contains("'ldap:'"), "{}", run.stderr);
}

#[test]
fn a_huge_filter_is_quoted_short() {
    let lab = TempLab::new();
    let filter = format!("(cn={}", "a".repeat(120_000));
    let run = lab.run(&["lab", "search", &filter]).expect_code(2);
    assert!(
        run.stderr.len() < 400,
        "{} bytes: {}",
        run.stderr.len(),
        &run.stderr[..400]
    );
    assert!(run.stderr.contains("(120004 bytes)"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn control_bytes_of_a_wav_file_are_escaped() {
    let lab = TempLab::new();
    // A RIFF/WAVE file whose first chunk id is an escape sequence, cut short.
    let mut wav = b"RIFF\x30\x00\x00\x00WAVE\x1b[31m\x04\x00\x00\x00ab".to_vec();
    wav.extend_from_slice(b"");
    let path = lab.write("bad.wav", &wav);
    let run = lab
        .run(&["lab", "greeting", "set", "bob", path.to_str().unwrap()])
        .expect_code(2);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    assert!(run.stderr.contains("'\\x1b[31'"), "{}", run.stderr);
}

#[test]
fn with_json_errors_are_json_on_stdout_and_a_sentence_on_stderr() {
    let lab = TempLab::new();
    for (args, code, words) in [
        (
            vec!["lab", "search", "(cn=x", "--json"],
            2,
            "unbalanced parenthesis",
        ),
        (vec!["--json", "lab", "frobnicate"], 2, "frobnicate"),
        (vec!["trace-call", "--json"], 2, "--to"),
        (
            vec!["--json", "contact", "list", "--ldap", "ldap://127.0.0.1:1"],
            3,
            "cannot reach",
        ),
        (vec!["lab", "export", "--json"], 2, "LDIF"),
    ] {
        let run = lab.run(&args).expect_code(code);
        let doc = run.json();
        assert_eq!(doc["exit"], code, "{args:?}: {doc}");
        let error = doc["error"].as_str().unwrap();
        assert!(error.contains(words), "{args:?}: {error}");
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
}

/// umctl on a pseudo-terminal (`script`), as a person runs it: waits (at most 30 s) for
/// `prompt` in its output, types `keys`, and returns the exit code and everything the terminal
/// received. The child is stopped by its PID on every path.
fn on_a_terminal(lab: &TempLab, args: &str, prompt: &str, keys: &[u8]) -> (i32, String) {
    on_a_terminal_with(lab, args, prompt, keys, &[])
}

/// [`on_a_terminal`] with extra environment variables.
fn on_a_terminal_with(
    lab: &TempLab,
    args: &str,
    prompt: &str,
    keys: &[u8],
    env: &[(&str, &str)],
) -> (i32, String) {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    let command = format!("{} --lab '{}' {args}", umctl_bin(), lab.path().display());
    let mut child = std::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("TERM", "xterm")
        .envs(env.iter().copied())
        .env_remove("UMCTL_LAB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("script (util-linux) runs umctl on a pseudo-terminal");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut pipe = child.stdout.take().unwrap();
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let text =
        |seen: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let end = Instant::now() + Duration::from_secs(30);
    while !text(&seen).contains(prompt) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(keys);
    let _ = stdin.flush();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() > end {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let _ = reader.join();
    (status.code().unwrap_or(-1), text(&seen))
}

fn script_available(test: &str) -> bool {
    let found = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::support::skip_for_missing_peer(test, "script (apt-get install bsdutils)");
    }
    found
}

/// The cursor is visible at the end: no "hide" (ESC [?25l) without a later "show" (ESC [?25h).
fn cursor_visible(terminal: &str) -> bool {
    match terminal.rfind("\x1b[?25l") {
        None => true,
        Some(hidden) => terminal[hidden..].contains("\x1b[?25h"),
    }
}

#[test]
fn ctrl_c_at_the_confirmation_exits_130_with_the_terminal_restored() {
    if !script_available("ctrl_c_at_the_confirmation_exits_130_with_the_terminal_restored") {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["lab", "init"]).ok();
    let (code, terminal) = on_a_terminal(&lab, "grant-permissions", "Apply these", b"\x03");
    assert_eq!(code, 130, "{terminal}");
    assert!(
        cursor_visible(&terminal),
        "cursor left hidden: {terminal:?}"
    );
    assert!(
        terminal.contains("interrupted; nothing changed"),
        "{terminal}"
    );
    lab.run(&["grant-permissions", "--verify"]).expect_code(1);
}

#[test]
fn declining_the_confirmation_exits_1_and_changes_nothing() {
    if !script_available("declining_the_confirmation_exits_1_and_changes_nothing") {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["lab", "init"]).ok();
    let (code, terminal) = on_a_terminal(&lab, "grant-permissions", "Apply these", b"n");
    assert_eq!(code, 1, "{terminal}");
    assert!(
        cursor_visible(&terminal),
        "cursor left hidden: {terminal:?}"
    );
    assert!(terminal.contains("nothing changed"), "{terminal}");
    lab.run(&["grant-permissions", "--verify"]).expect_code(1);
    let (code, terminal) = on_a_terminal(&lab, "grant-permissions", "Apply these", b"y");
    assert_eq!(code, 0, "{terminal}");
    lab.run(&["grant-permissions", "--verify"]).ok();
}

#[test]
fn tables_follow_columns_when_piped_and_keep_words_whole() {
    let lab = TempLab::new();
    let run = lab
        .run_env(&["lab", "show", "bob"], &[("COLUMNS", "70")])
        .ok();
    let widest = run.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        widest <= 70,
        "a line of {widest} characters:\n{}",
        run.stdout
    );
    // The UPN is one word: it is never cut, even in a 70-column table.
    assert!(run.stdout.contains("bob@contoso.com"), "{}", run.stdout);
    let run = lab
        .run_env(&["trace-call", "--to", "nobody"], &[("COLUMNS", "100")])
        .expect_code(2);
    let table: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '╞', '└']))
        .collect();
    assert!(
        table.iter().all(|l| l.chars().count() <= 100),
        "{}",
        run.stdout
    );
    for word in ["sAMAccountName=nobody:", "userPrincipalName=nobody:"] {
        assert!(run.stdout.contains(word), "{word} cut:\n{}", run.stdout);
    }
    // Without COLUMNS a pipe gets the whole line.
    let run = lab.run(&["lab", "show", "bob"]).ok();
    assert!(run
        .stdout
        .contains("CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com"));
}

#[test]
fn no_color_means_no_colour_on_a_terminal() {
    if !script_available("no_color_means_no_colour_on_a_terminal") {
        return;
    }
    let lab = TempLab::new();
    lab.run(&["lab", "init"]).ok();
    let colour = |env: &[(&str, &str)]| {
        let (code, terminal) = on_a_terminal_with(&lab, "trace-call --to nobody", "", b"", env);
        assert_eq!(code, 2, "{terminal}");
        assert!(terminal.contains("FAILED"), "{terminal}");
        terminal.contains("\x1b[3")
    };
    assert!(colour(&[]), "a terminal gets the red FAILED");
    assert!(!colour(&[("NO_COLOR", "1")]), "NO_COLOR is honoured");
}

#[test]
fn inputs_without_a_sane_bound_are_refused_clearly() {
    let lab = TempLab::new();
    // A "+" and 100,000 digits: no E.164 number has more than 15.
    let huge = format!("+{}", "9".repeat(100_000));
    for args in [
        vec!["trace-call", "--to", huge.as_str()],
        vec![
            "new-contact",
            "--sip-address",
            "sip:x@contoso.com",
            "--registrar-pool",
            "pool01.contoso.com",
            "--display-number",
            huge.as_str(),
            "--ou",
            "OU=ExUmContacts,DC=contoso,DC=com",
        ],
    ] {
        let run = lab.run(&args).expect_code(2);
        assert!(run.stderr.contains("15 digits"), "{}", run.stderr);
        assert!(run.stderr.contains("(100001 bytes)"), "{}", run.stderr);
        assert!(
            run.stderr.len() < 400,
            "{} bytes of error",
            run.stderr.len()
        );
    }
    // A display name of two lines: one line is what AD and every list expect.
    let contact = [
        "new-contact",
        "--sip-address",
        "sip:ova.loc801@contoso.com",
        "--registrar-pool",
        "pool01.contoso.com",
        "--display-number",
        "+96265515333",
        "--ou",
        "OU=ExUmContacts,DC=contoso,DC=com",
    ];
    let mut two_lines = contact.to_vec();
    two_lines.extend(["--display-name", "Outlook Voice Access\nLOC801"]);
    let run = lab.run(&two_lines).expect_code(2);
    assert!(
        run.stderr
            .contains("display name 'Outlook Voice Access\\nLOC801'"),
        "{}",
        run.stderr
    );
    lab.run(&contact).ok();
    let run = lab
        .run(&["contact", "set", "+96265515333", "--display-name", "a\nb"])
        .expect_code(2);
    assert!(run.stderr.contains("one line"), "{}", run.stderr);
    let long = "x".repeat(300);
    let run = lab
        .run(&["contact", "set", "+96265515333", "--display-name", &long])
        .expect_code(2);
    assert!(
        run.stderr.contains("at most 256 characters (it has 300)"),
        "{}",
        run.stderr
    );
    // A 50 MB attribute value in an LDIF file.
    let before = lab.export();
    let ldif = format!(
        "dn: CN=Bob Haddad,OU=Contoso Users,DC=contoso,DC=com\nchangetype: modify\nreplace: description\ndescription: {}\n-\n",
        "x".repeat(50_000_000)
    );
    let run = lab.apply(&ldif).expect_code(2);
    assert!(
        run.stderr
            .contains("'description' is 50000000 bytes: expected at most 1048576 bytes"),
        "{}",
        &run.stderr[..run.stderr.len().min(400)]
    );
    assert_eq!(lab.export(), before, "nothing may change");
}

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
/// on the build); a build without the gssapi feature refuses it before connecting.
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
        let run = lab.run(&args).expect_code(3);
        assert!(run.stderr.contains("ldap://127.0.0.1:1"), "{}", run.stderr);
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

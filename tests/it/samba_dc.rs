//! A real Active Directory for the tests: Samba AD DC on its own loopback address, built from
//! tests/samba/ (template once per test process, a clone per test, stopped by its PID when the
//! test ends, also when it fails). Outside CI, without Samba installed, the tests that need it
//! skip with a loud message; in CI (`CI` set) a missing Samba fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// What dc-clone-start.sh reported about a running DC.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DcInfo {
    pub ldap: String,
    pub ldaps: String,
    pub ca_file: String,
    pub admin_upn: String,
    pub password_file: String,
    pub base: String,
}

/// One running DC; stopped and removed on drop.
pub struct SambaDc {
    dest: PathBuf,
    pub info: DcInfo,
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samba")
}

/// The template: built once (about 10 s) into the target folder and reused by later runs
/// while the forest, the schema extension and the scripts are unchanged.
fn template() -> Result<&'static Path, String> {
    static TEMPLATE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            // Only clones run samba (and need short socket paths); the template may live deep.
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("samba-template");
            let stamp = inputs_stamp();
            let stamp_file = dir.join("umctl-inputs.stamp");
            if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str()) {
                return Ok(dir);
            }
            let _ = std::fs::remove_dir_all(&dir);
            let out = Command::new("bash")
                .arg(scripts().join("dc-template.sh"))
                .arg(&dir)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("dc-template.sh: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "dc-template.sh failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            std::fs::write(&stamp_file, &stamp).map_err(|e| e.to_string())?;
            Ok(dir)
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

/// A fingerprint of everything the template is built from.
fn inputs_stamp() -> String {
    use std::hash::{Hash, Hasher};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in [
        "fixtures/lab/forest.ldif",
        "fixtures/samba/schema-attributes.ldif",
        "fixtures/samba/schema-classes.ldif",
        "tests/samba/dc-template.sh",
        "tests/samba/dc-clone-start.sh",
        "tests/samba/lab_to_samba.py",
    ] {
        std::fs::read(root.join(file))
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn samba_installed() -> bool {
    Command::new("samba-tool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SambaDc {
    /// Starts a DC for one test, or returns `None` (with a loud message) when Samba is not
    /// installed and this is not CI.
    pub fn start(test: &str) -> Option<SambaDc> {
        SambaDc::start_with(test, "ldap", &[])
    }

    /// [`SambaDc::start`] with other Samba services (e.g. "ldap kdc" for Kerberos) and more
    /// smb.conf settings ("name = value").
    pub fn start_with(test: &str, services: &str, options: &[&str]) -> Option<SambaDc> {
        if !samba_installed() {
            crate::support::skip_for_missing_peer(
                test,
                "Samba AD DC (apt-get install samba-ad-dc samba-ad-provision ldb-tools)",
            );
            return None;
        }
        let template = template().unwrap_or_else(|e| panic!("{e}"));
        static NEXT: AtomicU32 = AtomicU32::new(2);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        // A distinct address per DC and per test process, all on loopback.
        let address = format!("127.{}.{}.{}", 100 + pid % 100, (pid / 100) % 250 + 1, n);
        let dest = PathBuf::from(format!("/tmp/udc-{pid}-{n}"));
        let out = Command::new("bash")
            .arg(scripts().join("dc-clone-start.sh"))
            .arg(template)
            .arg(&dest)
            .arg(&address)
            .env("SAMBA_SERVICES", services)
            .env("SAMBA_OPTIONS", options.join("\n"))
            .env("SAMBA_MAX_RUNTIME", "900")
            .stdin(Stdio::null())
            .output()
            .expect("run dc-clone-start.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dest);
            panic!(
                "dc-clone-start.sh failed for {test}:\n{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let info: DcInfo = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("dc-clone-start.sh printed '{stdout}': {e}"));
        Some(SambaDc { dest, info })
    }

    /// The global options that point umctl at this DC as the administrator, over LDAPS with
    /// certificate checks.
    pub fn admin_args(&self) -> Vec<String> {
        vec![
            "--ldap".into(),
            self.info.ldaps.clone(),
            "--bind-dn".into(),
            self.info.admin_upn.clone(),
            "--password-file".into(),
            self.info.password_file.clone(),
            "--ca-file".into(),
            self.info.ca_file.clone(),
        ]
    }

    pub fn password(&self) -> String {
        std::fs::read_to_string(&self.info.password_file).expect("read the DC's password file")
    }

    /// The library's LDAP target for the administrator.
    pub fn admin_target(&self) -> umctl::directory::ldap::LdapTarget {
        umctl::directory::ldap::LdapTarget {
            url: self.info.ldaps.clone(),
            bind_dn: Some(self.info.admin_upn.clone()),
            password: Some(umctl::directory::ldap::Secret::new(self.password())),
            ca_file: Some(PathBuf::from(&self.info.ca_file)),
            insecure_plain_bind: false,
            sasl_gssapi: false,
            start_tls: false,
        }
    }

    /// Runs an LDIF file through `ldapmodify` (OpenLDAP's tool, a second client) as the
    /// administrator over LDAPS, to set up a test.
    pub fn ldapmodify(&self, ldif: &str) {
        let mut child = Command::new("ldapmodify")
            .args([
                "-x",
                "-H",
                &self.info.ldaps,
                "-D",
                &self.info.admin_upn,
                "-y",
                &self.info.password_file,
            ])
            .env("LDAPTLS_CACERT", &self.info.ca_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ldapmodify");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(ldif.as_bytes())
            .expect("write LDIF");
        let out = child.wait_with_output().expect("ldapmodify");
        assert!(
            out.status.success(),
            "ldapmodify failed: {}\n{ldif}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl SambaDc {
    /// Creates a user who can bind with `password`, optionally in a group (by DN).
    pub fn add_user(&self, sam: &str, password: &str, group: Option<&str>) -> String {
        use base64::Engine;
        let quoted: Vec<u8> = format!("\"{password}\"")
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(quoted);
        let dn = format!("CN={sam},CN=Users,{}", self.info.base);
        self.ldapmodify(&format!(
            "dn: {dn}\nchangetype: add\nobjectClass: user\nsAMAccountName: {sam}\nuserPrincipalName: {sam}@contoso.com\nunicodePwd:: {b64}\nuserAccountControl: 512\n"
        ));
        if let Some(group) = group {
            self.ldapmodify(&format!(
                "dn: {group}\nchangetype: modify\nadd: member\nmember: {dn}\n-\n"
            ));
        }
        dn
    }

    /// A target that binds as `upn` with `password`.
    pub fn target_as(&self, upn: &str, password: &str) -> umctl::directory::ldap::LdapTarget {
        umctl::directory::ldap::LdapTarget {
            bind_dn: Some(upn.to_string()),
            password: Some(umctl::directory::ldap::Secret::new(password.to_string())),
            ..self.admin_target()
        }
    }
}

impl Drop for SambaDc {
    fn drop(&mut self) {
        // Stops the DC by the PID it recorded; never by name.
        let _ = Command::new("bash")
            .arg(scripts().join("dc-stop.sh"))
            .arg(&self.dest)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dest);
    }
}

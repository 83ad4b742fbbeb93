//! The PowerShell umctl prints for change control (`grant-permissions --dry-run --powershell`,
//! `new-contact` / `contact set` / `contact remove --dry-run --powershell`,
//! `doctor --powershell`): every line parses under a strict grammar of the cmdlet forms umctl
//! emits (Debian has no `pwsh`; when one is on the PATH its parser checks the script too), and
//! the lines carry every value of the plan.

use std::collections::HashMap;

use serde_json::Value;

use crate::support::TempLab;

/// The cmdlets umctl prints and the parameters each may take.
fn cmdlets() -> HashMap<&'static str, &'static [&'static str]> {
    HashMap::from([
        (
            "Add-ADPermission",
            &["Identity", "User", "AccessRights", "InheritanceType"][..],
        ),
        (
            "New-UMIPGateway",
            &[
                "Name",
                "Address",
                "MessageWaitingIndicatorAllowed",
                "OutcallsAllowed",
            ][..],
        ),
        (
            "Set-UMIPGateway",
            &[
                "Identity",
                "MessageWaitingIndicatorAllowed",
                "OutcallsAllowed",
            ][..],
        ),
        ("Enable-UMIPGateway", &["Identity"][..]),
        (
            "New-UMHuntGroup",
            &["Name", "PilotIdentifier", "UMDialPlan", "UMIPGateway"][..],
        ),
        ("Remove-UMHuntGroup", &["Identity", "Confirm"][..]),
        (
            "New-CsExUmContact",
            &[
                "SipAddress",
                "RegistrarPool",
                "OU",
                "DisplayNumber",
                "DisplayName",
                "AutoAttendant",
            ][..],
        ),
        (
            "Set-CsExUmContact",
            &[
                "Identity",
                "SipAddress",
                "DisplayNumber",
                "DisplayName",
                "Enabled",
            ][..],
        ),
        ("Remove-CsExUmContact", &["Identity", "Confirm"][..]),
        ("Move-CsExUmContact", &["Identity", "Target"][..]),
        (
            "Set-ADObject",
            &["Identity", "Add", "Replace", "Remove", "Description"][..],
        ),
        (
            "Set-CsUser",
            &[
                "Identity",
                "Enabled",
                "HostedVoiceMail",
                "LineURI",
                "SipAddress",
            ][..],
        ),
        (
            "Enable-CsUser",
            &["Identity", "RegistrarPool", "SipAddressType"][..],
        ),
        ("Move-CsUser", &["Identity", "Target"][..]),
        (
            "Enable-UMMailbox",
            &[
                "Identity",
                "UMMailboxPolicy",
                "Extensions",
                "SIPResourceIdentifier",
            ][..],
        ),
        ("Disable-UMMailbox", &["Identity"][..]),
        ("Set-UMMailbox", &["Identity", "Extensions"][..]),
        ("Set-Mailbox", &["Identity", "EmailAddresses"][..]),
        (
            "Set-UMCallRouterSettings",
            &["Server", "DialPlans", "UMStartupMode"][..],
        ),
        (
            "Set-UMService",
            &["Identity", "DialPlans", "UMStartupMode"][..],
        ),
        (
            "Set-UMDialPlan",
            &["Identity", "VoIPSecurity", "PilotIdentifierList"][..],
        ),
        (
            "Set-UMAutoAttendant",
            &["Identity", "PilotIdentifierList"][..],
        ),
        ("Enable-UMAutoAttendant", &["Identity"][..]),
        ("New-MoveRequest", &["Identity", "TargetDatabase"][..]),
    ])
}

/// A strict reader of one statement: `Cmdlet (-Param[:$bool] | -Param Value)*`.
struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn word(&mut self, ok: impl Fn(u8) -> bool) -> String {
        let start = self.i;
        while self.peek().is_some_and(&ok) {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }
    /// `'...'` with `''` for a quote.
    fn single(&mut self) -> Result<String, String> {
        if !self.eat("'") {
            return Err(format!("expected ' at {}", self.i));
        }
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err("unterminated '".into()),
                Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => {
                    out.push(b'\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\n' | b'\r') => return Err("newline in a string".into()),
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
    /// `"..."` without expansion (`$`, backtick) inside.
    fn double(&mut self) -> Result<String, String> {
        self.eat("\"");
        let text = self.word(|c| c != b'"' && c != b'$' && c != b'`' && c != b'\n');
        if !self.eat("\"") {
            return Err(format!("unterminated or expanding \" at {}", self.i));
        }
        Ok(text)
    }
    fn string(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(b'\'') => self.single(),
            Some(b'"') => self.double(),
            _ => Err(format!("expected a string at {}", self.i)),
        }
    }
    /// `@{Key='v'; Key2="a","b"}`.
    fn hashtable(&mut self) -> Result<(), String> {
        loop {
            if self.peek() == Some(b'\'') {
                self.single()?;
            } else {
                let key = self.word(|c| c.is_ascii_alphanumeric() || c == b'-');
                if key.is_empty() || !key.as_bytes()[0].is_ascii_alphabetic() {
                    return Err(format!("bad hashtable key at {}", self.i));
                }
            }
            if !self.eat("=") {
                return Err(format!("expected = at {}", self.i));
            }
            self.string()?;
            while self.eat(",") {
                self.string()?;
            }
            if self.eat("}") {
                return Ok(());
            }
            if !(self.eat("; ") || self.eat(";")) {
                return Err(format!("expected ; or }} at {}", self.i));
            }
        }
    }
    fn value(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(b'\'' | b'"') => self.string().map(|_| ()),
            Some(b'$') => {
                if self.eat("$true") || self.eat("$false") {
                    Ok(())
                } else {
                    Err(format!(
                        "only $true and $false may start with $ (at {})",
                        self.i
                    ))
                }
            }
            Some(b'@') => {
                if !self.eat("@{") {
                    return Err(format!("expected @{{ at {}", self.i));
                }
                self.hashtable()
            }
            Some(b'(') => {
                if !self.eat("(Get-CsExUmContact -Identity ") {
                    return Err(format!("unexpected subexpression at {}", self.i));
                }
                self.single()?;
                if self.eat(").DistinguishedName") {
                    Ok(())
                } else {
                    Err(format!("expected ).DistinguishedName at {}", self.i))
                }
            }
            Some(c) if c.is_ascii_alphanumeric() || c == b'+' => {
                let bare = self.word(|c| c.is_ascii_alphanumeric() || b"@._:+,\\-".contains(&c));
                if bare.is_empty() {
                    Err(format!("empty argument at {}", self.i))
                } else {
                    Ok(())
                }
            }
            _ => Err(format!("unexpected argument at {}", self.i)),
        }
    }
}

/// Checks one statement; returns the cmdlet and the named parameters with their raw text.
fn check_statement(line: &str) -> Result<(String, Vec<String>), String> {
    let known = cmdlets();
    let mut r = Reader {
        s: line.as_bytes(),
        i: 0,
    };
    let name = r.word(|c| c.is_ascii_alphanumeric() || c == b'-');
    let Some(params) = known.get(name.as_str()) else {
        return Err(format!("unknown cmdlet '{name}'"));
    };
    let mut seen = Vec::new();
    while r.peek().is_some() {
        if !r.eat(" -") {
            return Err(format!("expected ' -Parameter' at {}", r.i));
        }
        let p = r.word(|c| c.is_ascii_alphanumeric());
        if !params.contains(&p.as_str()) {
            return Err(format!("{name} has no parameter -{p}"));
        }
        if seen.contains(&p) {
            return Err(format!("-{p} given twice"));
        }
        seen.push(p);
        if r.eat(":") {
            if !(r.eat("$true") || r.eat("$false")) {
                return Err(format!("expected :$true or :$false at {}", r.i));
            }
            continue;
        }
        if !r.eat(" ") {
            return Err(format!(
                "expected a value after -{} at {}",
                seen[seen.len() - 1],
                r.i
            ));
        }
        r.value()?;
    }
    Ok((name, seen))
}

/// Checks a whole script: comments, blank lines and statements; returns the statements.
#[track_caller]
fn check_script(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    for (n, line) in script.lines().enumerate() {
        if line.is_empty() || line.starts_with("# ") || line == "#" {
            continue;
        }
        if let Err(e) = check_statement(line) {
            panic!("line {}: {e}\n{line}\n\n{script}", n + 1);
        }
        statements.push(line.to_string());
    }
    if let Some(pwsh) = which_pwsh() {
        let out = std::process::Command::new(pwsh)
            .args(["-NoProfile", "-NonInteractive", "-Command", "$e=$null; [void][System.Management.Automation.Language.Parser]::ParseInput([Console]::In.ReadToEnd(), [ref]$null, [ref]$e); if ($e.Count) { $e; exit 1 }"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().expect("stdin").write_all(script.as_bytes())?;
                c.wait_with_output()
            })
            .expect("run pwsh");
        assert!(
            out.status.success(),
            "pwsh: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    statements
}

fn which_pwsh() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join("pwsh"))
        .find(|p| p.is_file())
}

fn q(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

#[test]
fn the_grammar_refuses_what_powershell_would_not_run_as_meant() {
    for bad in [
        "New-UMHuntGroup -Name LOC801 -Bogus 'x'",
        "Set-ADObject -Identity 'a' -Add @{otherIPPhone=$x}",
        "Set-CsUser -Identity 'bob' -Enabled $truee",
        "New-CsExUmContact -SipAddress 'sip:x@y' -OU 'OU=a'; Remove-Item c:\\",
        "New-CsExUmContact -SipAddress 'sip:o'va@y'",
        "Set-Mailbox -Identity bob -EmailAddresses @{Add=\"$(evil)\"}",
        "Set-UMDialPlan -Identity <dial plan> -VoIPSecurity Secured",
        "Invoke-Expression 'x'",
    ] {
        assert!(check_statement(bad).is_err(), "accepted: {bad}");
    }
    check_statement("Set-Mailbox -Identity bob@contoso.com -EmailAddresses @{Remove=\"eum:1;phone-context=a\"; Add=\"eum:2;phone-context=b\",\"eum:x@y;phone-context=b\"}").unwrap();
}

#[test]
fn grant_permissions_plan_as_powershell_carries_every_item_in_order() {
    let lab = TempLab::new();
    let plan = lab
        .run(&["grant-permissions", "--dry-run", "--json"])
        .ok()
        .json();
    let script = lab
        .run(&["grant-permissions", "--dry-run", "--powershell"])
        .ok()
        .stdout;
    assert!(script.contains("ExchUCUtil.ps1"), "{script}");
    let statements = check_script(&script);
    let items = plan["plan"]["items"].as_array().unwrap();
    assert_eq!(statements.len(), items.len(), "{script}");
    let identity = |group: &str| {
        plan["plan"]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == group)
            .map(|g| g["identity"].as_str().unwrap().to_string())
            .unwrap()
    };
    let b = |v: &Value| if v == true { "$true" } else { "$false" };
    for (item, line) in items.iter().zip(&statements) {
        let s = |k: &str| item[k].as_str().unwrap().to_string();
        let expected = match item["change"].as_str().unwrap() {
            "add_ace" => format!(
                "Add-ADPermission -Identity {} -User {} -AccessRights {} -InheritanceType {}",
                q(&s("object")),
                q(&identity(&s("group"))),
                s("access_rights").replace(' ', ""),
                s("inheritance")
            ),
            "create_gateway" => format!(
                "New-UMIPGateway -Name {} -Address {} -MessageWaitingIndicatorAllowed {} -OutcallsAllowed {}",
                q(&s("name")),
                q(&s("address")),
                b(&item["message_waiting_indicator_allowed"]),
                b(&item["outcalls_allowed"])
            ),
            "update_gateway" => format!(
                "Set-UMIPGateway -Identity {} -MessageWaitingIndicatorAllowed {} -OutcallsAllowed {}",
                q(&s("name")),
                b(&item["message_waiting_indicator_allowed"]),
                b(&item["outcalls_allowed"])
            ),
            "create_hunt_group" => format!(
                "New-UMHuntGroup -Name {} -PilotIdentifier {} -UMDialPlan {} -UMIPGateway {}",
                q(&s("dial_plan")),
                q(&s("pilot_identifier")),
                q(&s("dial_plan")),
                q(&s("gateway"))
            ),
            "delete_hunt_group" => {
                format!("Remove-UMHuntGroup -Identity {} -Confirm:$false", q(&s("name")))
            }
            other => panic!("unknown change {other}"),
        };
        assert_eq!(line, &expected);
    }
    // A plan limited to one pool is not what ExchUCUtil.ps1 does.
    let one = lab
        .run(&[
            "grant-permissions",
            "--dry-run",
            "--powershell",
            "--pool",
            "pool01.contoso.com",
        ])
        .ok()
        .stdout;
    check_script(&one);
    assert!(!one.contains("ExchUCUtil.ps1"), "{one}");
}

#[test]
fn contact_plans_as_powershell_carry_every_value() {
    let lab = TempLab::new();
    let args = [
        "new-contact",
        "--auto-attendant",
        "LOC801-AA",
        "--display-number",
        "+96265515444",
        "--sip-address",
        "sip:main.menu@contoso.com",
        "--registrar-pool",
        "pool01.contoso.com",
        "--ou",
        "OU=ExUmContacts,DC=contoso,DC=com",
        "--display-name",
        "Contoso's main menu",
        "--description",
        "the \"front desk\" number",
        "--dry-run",
    ];
    let plan = lab.run(&[&args[..], &["--json"]].concat()).ok().json();
    let script = lab
        .run(&[&args[..], &["--powershell"]].concat())
        .ok()
        .stdout;
    let statements = check_script(&script);
    let c = &plan["contact"];
    let s = |k: &str| c[k].as_str().unwrap().to_string();
    assert_eq!(
        statements[0],
        format!(
            "New-CsExUmContact -SipAddress {} -RegistrarPool {} -OU {} -DisplayNumber {} -DisplayName {} -AutoAttendant $true",
            q(&s("sip_address")),
            q(&s("registrar_pool")),
            q("OU=ExUmContacts,DC=contoso,DC=com"),
            q(&s("display_number")),
            q(&s("display_name"))
        )
    );
    assert_eq!(
        statements[1],
        format!(
            "Set-ADObject -Identity (Get-CsExUmContact -Identity {}).DistinguishedName -Add @{{'otherIPPhone'={}}} -Description {}",
            q(&s("sip_address")),
            q(&s("other_ip_phone")),
            q(&s("description"))
        )
    );
    assert_eq!(statements.len(), 2);
    // Nothing was written.
    let none = lab.run(&["contact", "list", "--json"]).ok().stdout;
    assert!(!none.contains("main.menu"), "{none}");

    // contact set and remove on a contact that exists.
    let mut create: Vec<&str> = args[..args.len() - 1].to_vec();
    create.push("--yes");
    lab.run(&create).ok();
    let set = lab
        .run(&[
            "contact",
            "set",
            "sip:main.menu@contoso.com",
            "--sip-address",
            "sip:menu@contoso.com",
            "--display-name",
            "Main menu",
            "--dry-run",
            "--powershell",
        ])
        .ok()
        .stdout;
    let statements = check_script(&set);
    assert_eq!(
        statements,
        [
            "Set-CsExUmContact -Identity 'sip:main.menu@contoso.com' -SipAddress 'sip:menu@contoso.com' -DisplayName 'Main menu'".to_string(),
            "Set-ADObject -Identity (Get-CsExUmContact -Identity 'sip:menu@contoso.com').DistinguishedName -Replace @{'otherIPPhone'='AA:sip:menu@contoso.com;phone-context=LOC801.contoso.com'}".to_string(),
        ]
    );
    let remove = lab
        .run(&[
            "contact",
            "remove",
            "+96265515444",
            "--dry-run",
            "--powershell",
        ])
        .ok()
        .stdout;
    assert_eq!(
        check_script(&remove),
        ["Remove-CsExUmContact -Identity 'sip:main.menu@contoso.com' -Confirm:$false"]
    );
}

#[test]
fn doctor_fixes_as_powershell() {
    let lab = TempLab::new();
    let script = lab.run(&["doctor", "--powershell"]).expect_code(1).stdout;
    let statements = check_script(&script);
    for line in [
        "Set-CsUser -Identity karim@contoso.com -Enabled $true",
        "Set-UMCallRouterSettings -Server EX-CAS02 -DialPlans @{Add=\"HQ-SIP\"}",
        "New-UMHuntGroup -Name 'LOC801' -PilotIdentifier 'LOC801' -UMDialPlan 'LOC801' -UMIPGateway '1:1'",
    ] {
        assert!(statements.iter().any(|s| s == line), "no {line}:\n{script}");
    }
    // Each finding is named in a comment; a fix that needs a value filled in stays a comment.
    assert!(
        script.contains("# sip-disabled: karim@contoso.com"),
        "{script}"
    );
    assert!(
        script.contains("# umctl new-contact --dial-plan LOC801"),
        "{script}"
    );
}

//! The command line: parsing (clap), dispatch to one module per subcommand, output (tables or
//! JSON), prompts and progress. The only module that knows about clap, stdout and terminals;
//! everything below it takes plain typed values.

pub mod aa;
pub mod args;
pub mod assets;
pub mod contact;
pub mod doctor;
pub mod grant_permissions;
pub mod lab;
pub mod lab_cert;
pub mod lab_greeting;
pub mod lab_pin;
pub mod log;
pub mod output;
pub mod prompt;
pub mod report;
pub mod serve;
pub mod target;
pub mod trace_call;

use std::process::ExitCode;

use clap::CommandFactory;

use args::{Cli, Command, GlobalArgs};

/// Bad input found by the command line itself (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    check_globals(&cli.global)?;
    start_log(&cli);
    match &cli.command {
        Command::GrantPermissions(args) => grant_permissions::run(&cli.global, args),
        Command::TraceCall(args) => trace_call::run(&cli.global, args),
        Command::Doctor(args) => doctor::run(&cli.global, args),
        Command::Serve(args) => serve::run(&cli.global, args),
        Command::Lab(lab) => lab::run(&cli.global, &lab.command),
        Command::Report(args) => report::run(&cli.global, args),
        Command::NewContact(args) => contact::run_new(&cli.global, args),
        Command::Contact(args) => contact::run(&cli.global, &args.command),
        Command::Aa(args) => aa::run(&cli.global, &args.command),
        Command::Completions(args) => {
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "umctl", &mut stdout);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The `tracing` subscriber on stderr: serve's log (text or `--log-format json`, INFO by
/// default), the other commands' `-v` details (WARN by default).
fn start_log(cli: &Cli) {
    let (format, serve) = match &cli.command {
        Command::Serve(args) if args.log_format == args::LogFormatArg::Json => {
            (log::Format::Json, true)
        }
        Command::Serve(_) => (log::Format::Text, true),
        _ => (log::Format::Text, false),
    };
    log::init(
        log::level(cli.global.verbose, cli.global.quiet, serve),
        format,
    );
}

/// What clap cannot check for a global option given on either side of the subcommand: the
/// options that need `--ldap`, and the pairs that exclude each other.
pub fn check_globals(global: &GlobalArgs) -> Result<(), UsageError> {
    if global.ldap.is_none() {
        let needs_ldap = [
            ("--bind-dn", global.bind_dn.is_some()),
            ("--password-file", global.password_file.is_some()),
            ("--sasl-gssapi", global.sasl_gssapi),
            ("--insecure-plain-bind", global.insecure_plain_bind),
            ("--start-tls", global.start_tls),
        ];
        if let Some((name, _)) = needs_ldap.iter().find(|(_, given)| *given) {
            return Err(UsageError(format!(
                "{name} needs --ldap URL (it is about a real Active Directory; the lab needs no bind)"
            )));
        }
    }
    if global.sasl_gssapi && (global.bind_dn.is_some() || global.password_file.is_some()) {
        return Err(UsageError(
            "--sasl-gssapi binds with the Kerberos ticket: drop --bind-dn and --password-file"
                .into(),
        ));
    }
    if global.start_tls && global.insecure_plain_bind {
        return Err(UsageError(
            "--start-tls and --insecure-plain-bind exclude each other: give one".into(),
        ));
    }
    if global.verbose > 0 && global.quiet {
        return Err(UsageError(
            "--verbose and --quiet exclude each other: give one".into(),
        ));
    }
    Ok(())
}

/// The documented exit code for an error (see `umctl --help`): the first cause in the chain
/// that knows its code decides.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(code) = known_exit_code(cause) {
            return code;
        }
    }
    2
}

fn known_exit_code(cause: &(dyn std::error::Error + 'static)) -> Option<u8> {
    use crate::{admin, directory, serve, trace, um};
    let code = if let Some(e) = cause.downcast_ref::<directory::DirectoryError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<directory::ApplyError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<admin::grant::GrantError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<admin::contact::ContactError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<trace::TraceError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<serve::ServeError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<um::greeting_file::GreetingFileError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<admin::aa::AaError>() {
        e.exit_code()
    } else if let Some(e) = cause.downcast_ref::<prompt::Stopped>() {
        return Some(e.exit_code());
    } else if cause.downcast_ref::<UsageError>().is_some() {
        2
    } else if let Some(e) = cause.downcast_ref::<std::io::Error>() {
        directory::io_exit_code(e.kind())
    } else {
        return None;
    };
    Some(u8::try_from(code).unwrap_or(2))
}

/// The error as one sentence: each cause once (an error whose message already quotes its
/// source is not followed by the source again), control characters escaped.
pub fn error_sentence(error: &anyhow::Error) -> String {
    let mut sentence = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || sentence.contains(&text) {
            continue;
        }
        if !sentence.is_empty() {
            sentence.push_str(": ");
        }
        sentence.push_str(&text);
    }
    sentence
        .lines()
        .map(crate::quote::escape_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints a failed command's error (stderr; with `--json` also `{"error", "exit"}` on stdout)
/// and returns its exit code.
pub fn report_error(error: &anyhow::Error, json: bool) -> ExitCode {
    let code = exit_code(error);
    let sentence = error_sentence(error);
    report(
        &sentence,
        code,
        json,
        error.downcast_ref::<prompt::Stopped>().is_none(),
    );
    ExitCode::from(code)
}

/// A command line clap refused: its own message (help and version are no errors), exit 2.
pub fn report_usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
    }
    let _ = error.print();
    if json_requested() {
        // clap's message up to its usage block, as one line.
        let rendered = error.render().to_string();
        let message: Vec<&str> = rendered
            .lines()
            .take_while(|line| !line.trim().is_empty())
            .map(str::trim)
            .collect();
        let sentence = message.join(" ");
        print_json_error(sentence.strip_prefix("error: ").unwrap_or(&sentence), 2);
    }
    ExitCode::from(2)
}

/// `--json` among the raw arguments (clap could not parse them, so no GlobalArgs exists).
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

fn report(sentence: &str, code: u8, json: bool, is_error: bool) {
    if is_error {
        eprintln!("umctl: error: {sentence}");
    } else {
        eprintln!("umctl: {sentence}");
    }
    if json {
        print_json_error(sentence, code);
    }
}

fn print_json_error(sentence: &str, code: u8) {
    let doc = serde_json::json!({ "error": sentence, "exit": code });
    println!("{doc}");
}

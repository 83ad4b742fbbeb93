//! The command line: parsing (clap), dispatch to one module per subcommand, output (tables or
//! JSON), prompts and progress. The only module that knows about clap, stdout and terminals;
//! everything below it takes plain typed values.

pub mod aa;
pub mod args;
pub mod assets;
pub mod contact;
pub mod grant_permissions;
pub mod lab;
pub mod lab_greeting;
pub mod lab_pin;
pub mod output;
pub mod serve;
pub mod target;
pub mod trace_call;

use std::process::ExitCode;

use clap::CommandFactory;

use args::{Cli, Command};

/// Bad input found by the command line itself (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::GrantPermissions(args) => grant_permissions::run(&cli.global, args),
        Command::TraceCall(args) => trace_call::run(&cli.global, args),
        Command::Serve(args) => serve::run(&cli.global, args),
        Command::Lab(lab) => lab::run(&cli.global, &lab.command),
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

/// The documented exit code for an error (see `umctl --help`).
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<crate::directory::DirectoryError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::directory::ApplyError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::admin::grant::GrantError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::admin::contact::ContactError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::trace::TraceError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::serve::ServeError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::um::greeting_file::GreetingFileError>() {
            return e.exit_code() as u8;
        }
        if let Some(e) = cause.downcast_ref::<crate::admin::aa::AaError>() {
            return e.exit_code() as u8;
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return 2;
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return 3;
        }
    }
    2
}

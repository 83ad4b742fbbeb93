//! The umctl binary: parse the command line, run it, map errors to the documented exit codes.

use std::process::ExitCode;

use clap::Parser;
use umctl::cli::{self, args::Cli, output::is_broken_pipe};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::report_usage(&error),
    };
    let json = cli.global.json;
    match cli::run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => cli::report_error(&error, json),
    }
}

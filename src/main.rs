//! The umctl binary: parse the command line, run it, map errors to the documented exit codes.

use std::process::ExitCode;

use clap::Parser;
use umctl::cli::{self, args::Cli, output::is_broken_pipe};

// jemalloc instead of glibc's malloc: doctor at 100,000 users spent ~40% of its cycles in
// malloc/free (half the time with jemalloc), and serve's memory per call stays as low
// (mimalloc was as fast but doubled serve's idle and 100-call memory: docs/performance.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

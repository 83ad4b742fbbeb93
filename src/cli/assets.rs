//! The generated files umctl ships: shell completions (`completions/`) and man pages (`man/`,
//! one per subcommand). Both come from the clap definitions in `args.rs`; a test compares the
//! committed files with what this module generates.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::Cli;

/// Every completion script: (file name, contents).
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ]
    .into_iter()
    .map(|shell| {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "umctl", &mut buf);
        let name = match shell {
            Shell::Bash => "umctl.bash".to_string(),
            Shell::Zsh => "_umctl".to_string(),
            Shell::Fish => "umctl.fish".to_string(),
            Shell::PowerShell => "_umctl.ps1".to_string(),
            Shell::Elvish => "umctl.elv".to_string(),
            _ => format!("umctl.{shell}"),
        };
        (name, buf)
    })
    .collect()
}

/// One man page per command and subcommand: (file name, roff).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    collect_pages(&cmd, "umctl", &mut pages)?;
    Ok(pages)
}

fn collect_pages(
    cmd: &clap::Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_string())).render(&mut buf)?;
    pages.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

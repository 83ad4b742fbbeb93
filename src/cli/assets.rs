//! The generated files umctl ships: shell completions (`completions/`) and man pages (`man/`,
//! one per subcommand). Both come from the clap definitions in `args.rs`; a test compares the
//! committed files with what this module generates.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::{Cli, EXIT_CODES};

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
    pages.push((format!("{name}.1"), man_page(cmd, name)?));
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// One man page: clap_mangen's sections, then the long help's text as sections of our own
/// (clap_mangen would fill it into paragraphs, reflowing examples and tables), then every
/// page ends with the exit codes.
fn man_page(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let extra = cmd
        .get_after_long_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let page = cmd
        .clone()
        .name(name.to_string())
        .after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(page.clone());
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if page.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    let mut text = extra;
    if !text.contains("Exit codes:") {
        text = format!("{text}\n\n{EXIT_CODES}");
    }
    buf.extend_from_slice(roff_sections(text.trim()).as_bytes());
    if page.get_version().is_some() {
        man.render_version_section(&mut buf)?;
    }
    Ok(buf)
}

/// Help text as roff: a paragraph whose first line is a short `Heading:` becomes a section;
/// lines at the margin are filled as prose; indented lines (examples, tables) are kept as
/// written (no-fill).
fn roff_sections(text: &str) -> String {
    let mut roff = String::new();
    let mut in_section = false;
    for paragraph in text.split("\n\n") {
        let mut lines = paragraph.lines().peekable();
        let heading = lines
            .peek()
            .and_then(|first| first.strip_suffix(':'))
            .filter(|h| !h.starts_with(' ') && h.split_whitespace().count() <= 3);
        if let Some(h) = heading {
            roff.push_str(&format!(".SH {}\n", h.to_uppercase()));
            lines.next();
            in_section = true;
        } else if !in_section {
            roff.push_str(".SH NOTES\n");
            in_section = true;
        } else {
            roff.push_str(".PP\n");
        }
        let mut no_fill = false;
        for line in lines {
            let indented = line.starts_with(' ');
            if indented != no_fill {
                roff.push_str(if indented { ".nf\n" } else { ".fi\n" });
                no_fill = indented;
            }
            roff.push_str(&roff_line(line));
            roff.push('\n');
        }
        if no_fill {
            roff.push_str(".fi\n");
        }
    }
    roff
}

/// One text line, escaped for roff: backslashes, a leading control character, hyphens.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

//! Confirmations on the terminal. The answer is read one key at a time in raw mode (console
//! puts the terminal back after every key), the cursor is never hidden, and Ctrl-C is read as
//! a key rather than raised as SIGINT, so every way out (yes, no, Escape, Ctrl-C) leaves the
//! terminal as it was. Declining exits 1 and Ctrl-C exits 130, both with "nothing changed".

use std::io::IsTerminal;

use console::{Key, Term};

/// A command that stopped at its confirmation: nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum Stopped {
    #[error("not confirmed; nothing changed")]
    Declined,
    #[error("interrupted; nothing changed")]
    Interrupted,
}

impl Stopped {
    /// 1 for a declined confirmation (the check "may I?" failed), 130 for Ctrl-C.
    pub fn exit_code(&self) -> u8 {
        match self {
            Stopped::Declined => 1,
            Stopped::Interrupted => 130,
        }
    }
}

/// True when a person can answer: standard input and standard error are a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on stderr: `y` goes on; `n`, Enter (the default, no), Escape or `q` are
/// [`Stopped::Declined`]; Ctrl-C is [`Stopped::Interrupted`].
pub fn confirm(question: &str) -> anyhow::Result<()> {
    let term = Term::stderr();
    term.write_str(&format!("{question} [y/N] "))?;
    let answer = loop {
        match term.read_key_raw()? {
            Key::Char('y' | 'Y') => break Ok(()),
            Key::Char('n' | 'N' | 'q') | Key::Enter | Key::Escape => break Err(Stopped::Declined),
            Key::CtrlC => break Err(Stopped::Interrupted),
            // Not a terminal after all: no one can say yes.
            Key::Unknown if !term.is_term() => break Err(Stopped::Declined),
            _ => {}
        }
    };
    let word = if answer.is_ok() { "yes" } else { "no" };
    term.write_line(word)?;
    term.show_cursor()?;
    Ok(answer?)
}

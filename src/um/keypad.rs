//! What the DTMF menus (`um::ova`, `um::auto_attendant`) share: the E.161 letters of the
//! keypad ([`e161_digits`], 2=ABC ... 7=PQRS ... 9=WXYZ, for spelling a name), the input
//! timeout, the count of consecutive bad inputs against the dial plan's
//! InputFailuresBeforeDisconnect ([`InputFailures`]) and the small action builders every
//! menu uses (play a menu, say goodbye and hang up). It holds no menu of its own.

use std::time::Duration;

use super::dialogue::{Action, PromptPart};

/// How long a menu waits for a key after its prompt has played (Exchange waits 5-6 s).
pub const INPUT_TIMEOUT: Duration = Duration::from_secs(5);

/// The key a letter or digit is on (E.161); `None` for anything else (spaces, punctuation).
pub fn e161_key(c: char) -> Option<char> {
    let key = match c.to_ascii_uppercase() {
        d @ '0'..='9' => d,
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(key)
}

/// The keys that spell `text`, non-alphanumerics skipped: `"Adams, Alice"` -> `"2326725423"`.
pub fn e161_digits(text: &str) -> String {
    text.chars().filter_map(e161_key).collect()
}

/// Consecutive bad inputs (invalid keys, timeouts) in one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputFailures {
    limit: u32,
    count: u32,
}

impl InputFailures {
    /// `limit` is InputFailuresBeforeDisconnect (at least 1).
    pub fn new(limit: u32) -> InputFailures {
        InputFailures {
            limit: limit.max(1),
            count: 0,
        }
    }

    /// Counts one; true when the limit is reached (the call should end).
    pub fn fail(&mut self) -> bool {
        self.count = self.count.saturating_add(1);
        self.count >= self.limit
    }

    /// A good input: the count starts again.
    pub fn clear(&mut self) {
        self.count = 0;
    }

    pub fn count(&self) -> u32 {
        self.count
    }
}

/// System prompts as parts.
pub fn system(ids: &[&'static str]) -> Vec<PromptPart> {
    ids.iter().map(|id| PromptPart::System(id)).collect()
}

/// Play `parts`, a key stopping them.
pub fn play(parts: Vec<PromptPart>) -> Action {
    Action::Play {
        parts,
        barge_in: true,
    }
}

/// Say `prompt` (which should end in a goodbye) to the end, then hang up.
pub fn farewell(prompt: &'static str) -> Vec<Action> {
    vec![
        Action::CancelTimer,
        Action::Play {
            parts: vec![PromptPart::System(prompt)],
            barge_in: false,
        },
        Action::HangUp {
            after_prompts: true,
        },
    ]
}

/// Say "please hold" and transfer to `target`.
pub fn transfer(target: &str) -> Vec<Action> {
    vec![
        Action::CancelTimer,
        Action::Play {
            parts: vec![PromptPart::System("transfer")],
            barge_in: false,
        },
        Action::Transfer {
            target: target.to_string(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_map_to_their_keys() {
        assert_eq!(e161_digits("Adams, Alice"), "2326725423");
        assert_eq!(e161_digits("pqrs tuv wxyz"), "77778889999");
        assert_eq!(e161_digits("O'Neil-Smith 2"), "66345764842");
        assert_eq!(e161_digits("Ünal"), "625", "non-ASCII letters are skipped");
        assert_eq!(e161_key('#'), None);
    }

    #[test]
    fn failures_reach_the_limit_and_clear() {
        let mut f = InputFailures::new(3);
        assert!(!f.fail());
        assert!(!f.fail());
        f.clear();
        assert!(!f.fail());
        assert!(!f.fail());
        assert!(f.fail());
        let mut one = InputFailures::new(0);
        assert!(one.fail(), "a limit of 0 acts as 1");
    }
}

//! Fault injection for the tests of umctl's safety promises, through one environment
//! variable, `UMCTL_FAULT`:
//!
//! - `apply-fail-at-step:N`: step N (1-based) of every multi-step apply fails before it runs,
//!   in [`apply_with_rollback`](super::apply_with_rollback) (LDAP) and in the lab's atomic
//!   apply; the tests use it to prove a failure mid-apply leaves the directory as it was.
//! - `lab-crash-before-rename`: the lab aborts after writing and syncing a new forest file,
//!   before renaming it into place (see `lab::store`).
//!
//! Not a user-facing feature; nothing happens when the variable is unset.

use super::DirectoryError;

/// The environment variable that names the fault.
pub const FAULT_ENV: &str = "UMCTL_FAULT";

const FAIL_AT_STEP: &str = "apply-fail-at-step:";

/// The step `UMCTL_FAULT` asks a multi-step apply to fail at, if any.
pub fn requested_step() -> Option<usize> {
    parse_fail_at_step(&std::env::var(FAULT_ENV).ok()?)
}

/// The error of an injected failure at `step`.
pub fn injected(step: usize) -> DirectoryError {
    DirectoryError::FaultInjected {
        step,
        setting: format!("{FAULT_ENV}={FAIL_AT_STEP}{step}"),
    }
}

/// True when `UMCTL_FAULT` names this crash point.
pub fn crash_requested(point: &str) -> bool {
    std::env::var(FAULT_ENV).is_ok_and(|v| v.trim() == point)
}

/// `apply-fail-at-step:N` -> N (N >= 1).
fn parse_fail_at_step(setting: &str) -> Option<usize> {
    setting
        .trim()
        .strip_prefix(FAIL_AT_STEP)?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_setting() {
        assert_eq!(parse_fail_at_step("apply-fail-at-step:2"), Some(2));
        assert_eq!(parse_fail_at_step(" apply-fail-at-step: 10 "), Some(10));
        assert_eq!(parse_fail_at_step("apply-fail-at-step:0"), None);
        assert_eq!(parse_fail_at_step("apply-fail-at-step:"), None);
        assert_eq!(parse_fail_at_step("apply-fail-at-step:x"), None);
        assert_eq!(parse_fail_at_step("other:2"), None);
    }
}

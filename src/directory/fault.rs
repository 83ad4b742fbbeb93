//! Fault injection for tests of the all-or-nothing writes: with `UMCTL_FAULT=apply-fail-at-step:N`
//! in the environment, step N (1-based) of every multi-step apply fails before it runs, in
//! [`apply_with_rollback`](super::apply_with_rollback) (LDAP) and in the lab's `Forest::apply`.
//! Tests use it to prove that a failed second write leaves no half-written object. It is
//! not a user-facing feature and does nothing when the variable is unset.

use super::DirectoryError;

/// The environment variable that names the fault.
pub const FAULT_ENV: &str = "UMCTL_FAULT";

const FAIL_AT_STEP: &str = "apply-fail-at-step:";

/// The injected failure for `step` (1-based) of a multi-step apply, if `UMCTL_FAULT` asks for
/// one there.
pub fn fail_at_step(step: usize) -> Option<DirectoryError> {
    let setting = std::env::var(FAULT_ENV).ok()?;
    let wanted = parse_fail_at_step(&setting)?;
    (wanted == step).then(|| DirectoryError::FaultInjected {
        step,
        setting: format!("{FAULT_ENV}={setting}"),
    })
}

/// `apply-fail-at-step:N` -> N.
fn parse_fail_at_step(setting: &str) -> Option<usize> {
    setting.trim().strip_prefix(FAIL_AT_STEP)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_setting() {
        assert_eq!(parse_fail_at_step("apply-fail-at-step:2"), Some(2));
        assert_eq!(parse_fail_at_step(" apply-fail-at-step:10 "), Some(10));
        assert_eq!(parse_fail_at_step("apply-fail-at-step:"), None);
        assert_eq!(parse_fail_at_step("apply-fail-at-step:x"), None);
        assert_eq!(parse_fail_at_step("other:2"), None);
    }
}

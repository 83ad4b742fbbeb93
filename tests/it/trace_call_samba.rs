//! trace-call against a real Active Directory (Samba AD DC with the lab forest) gives the same
//! trace as on the lab directory: the same hops, outcomes, first failure, why and fix.

use serde_json::Value;

use crate::samba_dc::SambaDc;
use crate::support::TempLab;

/// What must agree between the backends: per hop its number, component, outcome, why, fix.
fn shape(doc: &Value) -> Vec<(Value, Value, Value, Value, Value)> {
    doc["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["number"].clone(),
                h["component"].clone(),
                h["outcome"].clone(),
                h["why"].clone(),
                h["fix"].clone(),
            )
        })
        .collect()
}

fn trace(lab: &TempLab, dc: Option<&SambaDc>, args: &[&str]) -> Value {
    let mut all: Vec<String> = ["trace-call", "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.extend(args.iter().map(|s| s.to_string()));
    if let Some(dc) = dc {
        all.extend(dc.admin_args());
    }
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let run = lab.run(&all);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()
}

#[test]
fn the_trace_on_samba_is_the_trace_on_the_lab() {
    let Some(dc) = SambaDc::start("trace_call_samba::the_trace_on_samba_is_the_trace_on_the_lab")
    else {
        return;
    };
    let lab = TempLab::new();
    let cases: [&[&str]; 5] = [
        &["--to", "bob", "--from", "alice"],
        &["--to", "dave"],
        &["--to", "erin"],
        &["--to", "+96265515333"],
        &["--to", "frank"],
    ];
    // A fresh forest on both: every call stops at the same hop for the same reason.
    for args in cases {
        let on_lab = trace(&lab, None, args);
        let on_ad = trace(&lab, Some(&dc), args);
        assert_eq!(on_ad["first_failure"], on_lab["first_failure"], "{args:?}");
        assert_eq!(shape(&on_ad), shape(&on_lab), "{args:?}");
    }
    // After grant-permissions on both, Bob's call reaches voice mail on both.
    lab.run(&["grant-permissions", "--yes"]).ok();
    let mut grant: Vec<String> = vec!["grant-permissions".into(), "--yes".into()];
    grant.extend(dc.admin_args());
    lab.run(&grant.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    let on_lab = trace(&lab, None, cases[0]);
    let on_ad = trace(&lab, Some(&dc), cases[0]);
    assert_eq!(on_lab["reached"], true);
    assert_eq!(on_ad["reached"], true, "{on_ad:#}");
    let hops = |d: &Value| -> Vec<Value> {
        d["hops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["outcome"].clone())
            .collect()
    };
    assert_eq!(hops(&on_ad), hops(&on_lab));
}

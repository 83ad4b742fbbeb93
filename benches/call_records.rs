//! Call records at scale: 1,000,000 records (30 days, a mix of every call type, two dial
//! plans, quality figures on answered calls) in `calls/`, read for `umctl report summary`
//! (`report::summarize`: the day files read on all cores, each line parsed for the summary's
//! fields only, totals per dial plan and day) and one day read in full for `report calls`.
//! Goal (issue 13): a summary of 1,000,000 records in under 2 s on 2 cores.
//! Run: cargo bench --bench call_records

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use umctl::records::report::{summarize, GroupBy, Interval};
use umctl::records::{CallRecord, CallStore, CallType, DropReason, OfferResult};

const RECORDS: usize = 1_000_000;
const DAYS: usize = 30;

fn record(i: usize) -> CallRecord {
    let t = CallType::ALL[i % CallType::ALL.len()];
    let answered = t != CallType::Rejected;
    let mut r = CallRecord {
        date: format!(
            "2026-11-{:02}T{:02}:{:02}:00.000Z",
            1 + i % DAYS,
            i % 24,
            i % 60
        ),
        duration: (i % 300) as f64 / 10.0,
        call_type: Some(t),
        call_identity: format!("call-{i}@pool01.contoso.com"),
        calling_number: format!("+1425555{:04}", i % 10_000),
        called_number: "+96265519000".into(),
        dial_plan: Some(
            if i.is_multiple_of(3) {
                "LOC802"
            } else {
                "LOC801"
            }
            .into(),
        ),
        gateway: Some("1:1".into()),
        um_server_name: "ex-mbx01.contoso.com".into(),
        component: "UM worker".into(),
        offer_result: Some(if answered {
            OfferResult::Answer
        } else {
            OfferResult::Reject
        }),
        drop_call_reason: answered.then_some(DropReason::CallerHungUp),
        audio_codec: Some("PCMU".into()),
        ..CallRecord::default()
    };
    if answered {
        r.nmos = Some(4.4 - (i % 10) as f64 / 100.0);
        r.nmos_degradation = Some((i % 10) as f64 / 100.0);
        r.percent_packet_loss = Some((i % 5) as f64 / 10.0);
        r.jitter = Some((i % 7) as f64);
        r.packets_received = Some(500);
        r.packets_lost = Some(0);
    }
    r
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&calls).expect("calls folder");
    let mut files: Vec<std::io::BufWriter<std::fs::File>> = (1..=DAYS)
        .map(|d| {
            let f = std::fs::File::create(calls.join(format!("2026-11-{d:02}.jsonl")))
                .expect("day file");
            std::io::BufWriter::new(f)
        })
        .collect();
    for i in 0..RECORDS {
        let mut line = serde_json::to_vec(&record(i)).expect("json");
        line.push(b'\n');
        files[i % DAYS].write_all(&line).expect("write");
    }
    for f in &mut files {
        f.flush().expect("flush");
    }
    drop(files);
    let store = CallStore::new(&calls);

    let mut group = c.benchmark_group("call_records_1m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("summary_by_dial_plan_and_day", |b| {
        b.iter(|| {
            let (out, _) = summarize(&store, GroupBy::DialPlan, Interval::Day).expect("read");
            assert_eq!(
                out.iter().map(|r| r.total_calls).sum::<u64>(),
                RECORDS as u64
            );
            black_box(out)
        })
    });
    group.bench_function("calls_of_one_day", |b| {
        b.iter(|| {
            let read = store
                .read::<CallRecord>(Some("2026-11-15"), Some("2026-11-15"))
                .expect("read");
            black_box(read.records.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The lab directory at scale: a generated forest of 100,000 UM-enabled users (each with EUM
//! proxy addresses and a line URI) on top of the built-in contoso.com forest.
//!
//! Measures: opening the lab as a command does (through the on-disk index, `open`) and as
//! `umctl serve` and writers do (the whole forest in memory, `open_in_memory`; the teardown is
//! not counted, as the command line never tears the lab down), an EUM-address lookup and a
//! line-URI lookup on both, and a save.
//! Goals (issue "Foundation"): load < 1 s, each lookup < 2 us, save < 1 s on 2 cores.
//! Run: cargo bench --bench lab_directory

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use umctl::directory::lab::LabDirectory;
use umctl::directory::{Directory, Dn, Filter, ModOp, Modification, Scope};

#[path = "support/forest.rs"]
mod forest;

use forest::{generated_forest, OU};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("lab");
    LabDirectory::import(&root, generated_forest().as_bytes(), "generated").expect("import");

    let mut group = c.benchmark_group("lab_100k_users");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("open_indexed", |b| {
        b.iter_with_large_drop(|| LabDirectory::open(&root).expect("open"))
    });
    group.bench_function("load_in_memory", |b| {
        b.iter_with_large_drop(|| LabDirectory::open_in_memory(&root).expect("open"))
    });
    let lab = LabDirectory::open_in_memory(&root).expect("open");
    let user = Dn::parse(&format!("CN=User 050000,{OU}")).expect("dn");
    let mut n = 0u64;
    group.bench_function("save", |b| {
        b.iter(|| {
            n += 1;
            lab.modify(
                &user,
                &[Modification {
                    op: ModOp::Replace,
                    attr: "description".into(),
                    values: vec![format!("save {n}").into_bytes()],
                }],
            )
            .expect("modify")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("lab_100k_users_lookup");
    let base = Dn::root();
    let eum: Vec<Filter> = (0..1000)
        .map(|i| {
            Filter::eq(
                "proxyAddresses",
                &format!(
                    "eum:{};phone-context=LOC801.contoso.com",
                    1_000_000 + i * 97
                ),
            )
        })
        .collect();
    let indexed = LabDirectory::open(&root).expect("open");
    let mut i = 0;
    for (name, lab) in [("in_memory", &lab), ("indexed", &indexed)] {
        group.bench_function(format!("eum_address_{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % eum.len();
                let found = lab
                    .search(&base, Scope::Subtree, &eum[i], &["sAMAccountName"])
                    .expect("search");
                assert_eq!(found.len(), 1);
                black_box(found)
            })
        });
        let line: Vec<Filter> = (0..1000)
            .map(|i| {
                let ext = 1_000_000 + i * 89;
                Filter::eq("msRTCSIP-Line", &format!("tel:+96265{ext};ext={ext}"))
            })
            .collect();
        group.bench_function(format!("line_uri_{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % line.len();
                let found = lab
                    .search(&base, Scope::Subtree, &line[i], &["sAMAccountName"])
                    .expect("search");
                assert_eq!(found.len(), 1);
                black_box(found)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

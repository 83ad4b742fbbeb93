//! new-contact --from-csv at scale: 1,000 subscriber access contacts from a generated CSV into
//! a fresh temporary lab, through the library exactly as the CLI does it (read the CSV, load
//! the catalog, validate every row, write). Reports contacts per second for the CLI's lab
//! batching (100 contacts per save) and for one save per contact.
//! Run: cargo bench --bench contacts
//! The comparison with ldapadd on a Samba DC is benches/contacts_vs_ldapadd.sh.

use std::time::Instant;

use umctl::admin::contact::Catalog;
use umctl::admin::contact_bulk::{apply_bulk, plan_bulk, read_csv};
use umctl::directory::lab::LabDirectory;

const CONTACTS: usize = 1_000;

/// The CSV the benchmark imports: CONTACTS rows, each a distinct SIP address and number.
fn csv() -> String {
    let mut s =
        String::from("sip_address,registrar_pool,display_number,ou,dial_plan,description\n");
    for i in 0..CONTACTS {
        s.push_str(&format!(
            "sip:bench{i:05}@contoso.com,pool01.contoso.com,+9626552{i:04},\"OU=ExUmContacts,DC=contoso,DC=com\",LOC801,bench contact {i}\n"
        ));
    }
    s
}

fn run(batch: usize) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let lab = LabDirectory::init_and_open(tmp.path().join("lab"))?;
    let text = csv();
    let started = Instant::now();
    let (rows, failed) = read_csv(text.as_bytes(), "bench.csv")?;
    let catalog = Catalog::load(&lab)?;
    let plan = plan_bulk(&lab, &catalog, &rows, failed, true)?;
    let validated = started.elapsed();
    let report = apply_bulk(&lab, &plan, batch, &mut |_| {});
    let total = started.elapsed();
    if report.created.len() != CONTACTS {
        return Err(format!(
            "created {} of {CONTACTS} contacts; failures: {:?}",
            report.created.len(),
            report.failed.iter().take(3).collect::<Vec<_>>()
        )
        .into());
    }
    let secs = total.as_secs_f64();
    println!(
        "contacts/batch={batch:<3}  {CONTACTS} contacts in {secs:.3} s = {:.0} contacts/s (validation {:.3} s, writes {:.3} s)",
        CONTACTS as f64 / secs,
        validated.as_secs_f64(),
        (total - validated).as_secs_f64(),
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo test --benches` runs bench binaries with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("contacts: run with `cargo bench --bench contacts`");
        return Ok(());
    }
    run(100)?;
    run(1)?;
    Ok(())
}

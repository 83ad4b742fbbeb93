//! What SRTP (issue 20, `media::srtp`) costs per packet, against the plain RTP work of the
//! same packet: a 20 ms G.711 packet (12-byte header, 160-byte payload) as the worker sends
//! and receives it on a Secured dial plan.
//!
//! - `rtp_build_plain`: G.711 encoding and the RTP header (`RtpSender::next_packet`), what
//!   every sent packet costs on any dial plan;
//! - `srtp_protect_80` / `srtp_protect_32`: AES-CM over the payload and the HMAC-SHA1 tag;
//! - `srtp_unprotect_80`: the receiving side (tag check, replay window, decryption).
//!
//! The cost at 1,000 concurrent calls is measured whole by `benches/srtp_load.rs` (serve's CPU
//! time on a Secured against an Unsecured dial plan); these are the per-packet parts of it.
//! Run: cargo bench --bench srtp.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use umctl::media::rtp::RtpSender;
use umctl::media::srtp::{MasterKey, SrtpContext, Suite};
use umctl::media::Law;

fn samples() -> Vec<i16> {
    (0..160)
        .map(|n| ((n as f64 * 0.35).sin() * 8000.0) as i16)
        .collect()
}

fn bench(c: &mut Criterion) {
    let key = MasterKey::from_bytes([7; 30]);
    let pcm = samples();
    let mut sender = RtpSender::new(8, 1);
    c.bench_function("rtp_build_plain", |b| {
        b.iter(|| {
            black_box(
                sender
                    .next_packet(&Law::A.encode(black_box(&pcm)))
                    .expect("packet"),
            )
        })
    });
    let packet = RtpSender::new(8, 1)
        .next_packet(&Law::A.encode(&pcm))
        .expect("packet");
    for (name, suite) in [
        ("srtp_protect_80", Suite::AesCm128HmacSha1_80),
        ("srtp_protect_32", Suite::AesCm128HmacSha1_32),
    ] {
        let mut ctx = SrtpContext::new(suite, &key);
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut p = packet.clone();
                ctx.protect_rtp(&mut p).expect("protect");
                black_box(p)
            })
        });
    }
    // Each iteration opens the next packet of one stream (protected outside the timing),
    // so the replay window accepts every one.
    let mut tx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &key);
    let mut rx = SrtpContext::new(Suite::AesCm128HmacSha1_80, &key);
    let mut stream = RtpSender::new(8, 2);
    c.bench_function("srtp_unprotect_80", |b| {
        b.iter_batched(
            || {
                let mut p = stream.next_packet(&Law::A.encode(&pcm)).expect("packet");
                tx.protect_rtp(&mut p).expect("protect");
                p
            },
            |p| black_box(rx.unprotect_rtp(&p).expect("unprotect")),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

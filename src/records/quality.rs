//! Audio quality of a call: packet loss, jitter and round-trip time, and the NMOS (network
//! mean opinion score) they predict, from a simplified ITU-T G.107 E-model for G.711:
//!
//! - `R = R0 - Is - Id - Ie_eff + A` with G.107's defaults `R0 - Is = 93.2` (nothing but the
//!   network degrades the call) and `A = 0`;
//! - `Id` (delay): `0.024 d + 0.11 (d - 177.3) H(d - 177.3)`, `d` the one-way delay in ms:
//!   half the round trip (when RTCP measured one), plus a jitter buffer of twice the jitter,
//!   plus 20 ms of packetisation;
//! - `Ie_eff` (loss): `Ie + (95 - Ie) Ppl / (Ppl + Bpl)` with G.113's figures for G.711 with
//!   packet loss concealment, `Ie = 0`, `Bpl = 25.1`, random loss (BurstR = 1);
//! - `MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6` for `0 < R < 100` (1 below, 4.5 above).
//!
//! A perfect G.711 call scores 4.41 (R = 93.2 less 0.5 for 20 ms), the best G.711 can do;
//! NMOSDegradation is how far below that the call fell.

use serde::{Deserialize, Serialize};

/// G.107's default R0 - Is.
const R_DEFAULT: f64 = 93.2;
/// G.113 Appendix I: G.711 with packet loss concealment.
const BPL_G711: f64 = 25.1;
/// The packetisation delay of 20 ms frames.
const PACKET_MS: f64 = 20.0;

/// The figures of one call's received audio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudioQuality {
    pub packets_received: u64,
    pub packets_lost: u64,
    pub percent_packet_loss: f64,
    pub jitter_ms: f64,
    /// `None` when the peer sent no RTCP report with a timestamp to answer.
    pub round_trip_ms: Option<f64>,
    pub nmos: f64,
    pub nmos_degradation: f64,
}

impl AudioQuality {
    /// The quality of `received` packets out of `expected`, with `jitter_ms` and maybe a round
    /// trip.
    pub fn measure(
        received: u64,
        expected: u64,
        jitter_ms: f64,
        round_trip_ms: Option<f64>,
    ) -> AudioQuality {
        let lost = expected.saturating_sub(received);
        let loss = if expected == 0 {
            0.0
        } else {
            100.0 * lost as f64 / expected as f64
        };
        let nmos = nmos(loss, jitter_ms, round_trip_ms);
        AudioQuality {
            packets_received: received,
            packets_lost: lost,
            percent_packet_loss: round2(loss),
            jitter_ms: round2(jitter_ms),
            round_trip_ms: round_trip_ms.map(round2),
            nmos: round2(nmos),
            nmos_degradation: round2((best_nmos() - nmos).max(0.0)),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The NMOS of a G.711 call with `loss_percent` random loss, `jitter_ms` and a round trip.
pub fn nmos(loss_percent: f64, jitter_ms: f64, round_trip_ms: Option<f64>) -> f64 {
    let d = round_trip_ms.unwrap_or(0.0) / 2.0 + 2.0 * jitter_ms + PACKET_MS;
    let id = 0.024 * d + if d > 177.3 { 0.11 * (d - 177.3) } else { 0.0 };
    let ppl = loss_percent.clamp(0.0, 100.0);
    let ie_eff = 95.0 * ppl / (ppl + BPL_G711);
    mos_of(R_DEFAULT - id - ie_eff)
}

/// The NMOS of a perfect G.711 call.
pub fn best_nmos() -> f64 {
    nmos(0.0, 0.0, None)
}

/// G.107 Annex B: R -> MOS.
fn mos_of(r: f64) -> f64 {
    if r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_call_scores_g711_s_best_and_loss_lowers_it() {
        let best = best_nmos();
        assert!((best - 4.40).abs() < 0.02, "{best}");
        let q = AudioQuality::measure(1000, 1000, 0.5, None);
        assert_eq!(q.packets_lost, 0);
        assert!(q.nmos > 4.3 && q.nmos_degradation < 0.05, "{q:?}");
        // 5 % random loss costs G.711 with PLC about 16 R points: MOS near 3.9.
        let q = AudioQuality::measure(950, 1000, 5.0, Some(40.0));
        assert_eq!(q.percent_packet_loss, 5.0);
        assert!(q.nmos > 3.7 && q.nmos < 4.1, "{q:?}");
        // A long round trip (satellite) costs more than a short one.
        assert!(nmos(0.0, 0.0, Some(600.0)) < nmos(0.0, 0.0, Some(50.0)) - 0.3);
        assert_eq!(mos_of(-5.0), 1.0);
        assert_eq!(mos_of(120.0), 4.5);
    }

    #[test]
    fn no_rtcp_leaves_the_round_trip_empty() {
        let q = AudioQuality::measure(0, 0, 0.0, None);
        assert_eq!(q.round_trip_ms, None);
        assert_eq!(q.percent_packet_loss, 0.0);
    }
}

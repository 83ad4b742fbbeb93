//! `serve --metrics ADDR`: the Prometheus text exposition (`prometheus-client`'s encoder) at
//! `http://ADDR/metrics`. The call counters are fed by the call records as they are written
//! (so the page and the records count the same calls); the rest by the components: active
//! calls per worker (read at each scrape), 503s and rejections by status, the SMTP spool's
//! depth (read at each scrape) and delivery failures, MWI NOTIFYs sent and failed (the
//! delivery events), the RTP send deviation of every packet (a histogram), and the process
//! start time. The HTTP side is a few lines of tokio: one GET per connection.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::call_limit::ActiveCalls;
use super::delivery::DeliveryEvent;
use super::media_engine::SendStats;
use crate::mail::SpoolEvent;
use crate::records::{CallRecord, OfferResult};

type Labels = Vec<(String, String)>;
/// (server, worker process, the worker).
type WatchedWorker = (String, usize, Arc<dyn ActiveCalls>);

/// The metrics of one serve.
pub struct Metrics {
    registry: Registry,
    calls: Family<Labels, Counter>,
    rejections: Family<Labels, Counter>,
    unavailable: Counter,
    active: Family<Labels, Gauge>,
    spool_depth: Gauge,
    delivery_failures: Family<Labels, Counter>,
    mwi: Family<Labels, Counter>,
    send_deviation: Histogram,
    /// (server, worker process, the worker) for the active-calls gauge.
    workers: Mutex<Vec<WatchedWorker>>,
    spool: Option<PathBuf>,
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

impl Metrics {
    /// The registry; `spool`: the SMTP spool folder whose depth is reported.
    pub fn new(spool: Option<PathBuf>) -> Metrics {
        let mut registry = Registry::default();
        let calls = Family::<Labels, Counter>::default();
        registry.register(
            "umctl_calls",
            "Calls recorded, by component, call type and offer result",
            calls.clone(),
        );
        let rejections = Family::<Labels, Counter>::default();
        registry.register(
            "umctl_rejections",
            "Calls turned away, by component and SIP status",
            rejections.clone(),
        );
        let unavailable = Counter::default();
        registry.register(
            "umctl_service_unavailable",
            "503 answers (MaxCallsAllowed reached or shutting down)",
            unavailable.clone(),
        );
        let active = Family::<Labels, Gauge>::default();
        registry.register(
            "umctl_active_calls",
            "Answered calls in progress, per worker process",
            active.clone(),
        );
        let spool_depth = Gauge::default();
        registry.register(
            "umctl_smtp_spool_depth",
            "Messages waiting in the SMTP spool",
            spool_depth.clone(),
        );
        let delivery_failures = Family::<Labels, Counter>::default();
        registry.register(
            "umctl_smtp_delivery_failures",
            "SMTP delivery failures, deferred (retried) or failed (given up)",
            delivery_failures.clone(),
        );
        let mwi = Family::<Labels, Counter>::default();
        registry.register(
            "umctl_mwi_notify",
            "MWI NOTIFY attempts, by result (sent: 2xx, failed: anything else)",
            mwi.clone(),
        );
        let send_deviation = Histogram::new([0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02]);
        registry.register(
            "umctl_rtp_send_deviation_seconds",
            "How far from its 20 ms deadline each RTP packet left",
            send_deviation.clone(),
        );
        let start = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        start.set(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        );
        registry.register(
            "process_start_time_seconds",
            "When serve started, seconds since the Unix epoch",
            start,
        );
        Metrics {
            registry,
            calls,
            rejections,
            unavailable,
            active,
            spool_depth,
            delivery_failures,
            mwi,
            send_deviation,
            workers: Mutex::new(Vec::new()),
            spool,
        }
    }

    /// Counts one written record.
    pub fn record(&self, r: &CallRecord) {
        let call_type = r.call_type.map(|t| t.as_str()).unwrap_or("Unknown");
        let result = match r.offer_result {
            Some(OfferResult::Answer) => "Answer",
            _ => "Reject",
        };
        self.calls
            .get_or_create(&labels(&[
                ("component", &r.component),
                ("call_type", call_type),
                ("result", result),
            ]))
            .inc();
        if let Some(status) = r.reject_status {
            self.rejections
                .get_or_create(&labels(&[
                    ("component", &r.component),
                    ("status", &status.to_string()),
                ]))
                .inc();
            if status == 503 {
                self.unavailable.inc();
            }
        }
    }

    /// Every packet's send deviation of a finished call.
    pub fn sent(&self, stats: &SendStats) {
        for (deviation, n) in stats.deviations() {
            for _ in 0..n {
                self.send_deviation.observe(deviation.as_secs_f64());
            }
        }
    }

    /// One delivery event (SMTP spool, MWI).
    pub fn delivery(&self, event: &DeliveryEvent) {
        match event {
            DeliveryEvent::Smtp(SpoolEvent::Deferred { .. }) => {
                self.delivery_failures
                    .get_or_create(&labels(&[("kind", "deferred")]))
                    .inc();
            }
            DeliveryEvent::Smtp(SpoolEvent::Failed { .. }) => {
                self.delivery_failures
                    .get_or_create(&labels(&[("kind", "failed")]))
                    .inc();
            }
            DeliveryEvent::Smtp(_) => {}
            DeliveryEvent::Mwi(a) => {
                let ok = a.status.is_some_and(|s| (200..300).contains(&s));
                self.mwi
                    .get_or_create(&labels(&[("result", if ok { "sent" } else { "failed" })]))
                    .inc();
            }
        }
    }

    /// Watches a worker process's active calls.
    pub fn watch(&self, server: &str, process: usize, worker: Arc<dyn ActiveCalls>) {
        if let Ok(mut w) = self.workers.lock() {
            w.push((server.to_string(), process, worker));
        }
    }

    /// The page: the gauges read now, then everything encoded.
    pub fn scrape(&self) -> String {
        if let Ok(workers) = self.workers.lock() {
            for (server, process, w) in workers.iter() {
                self.active
                    .get_or_create(&labels(&[
                        ("server", server),
                        ("worker", &process.to_string()),
                    ]))
                    .set(w.active_calls() as i64);
            }
        }
        if let Some(dir) = &self.spool {
            let depth = crate::mail::Spool::open(dir)
                .and_then(|s| s.pending())
                .map_or(0, |p| p.len());
            self.spool_depth.set(depth as i64);
        }
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        prometheus_text(&out)
    }
}

/// The encoder's OpenMetrics text as Prometheus text format 0.0.4, which promtool and every
/// Prometheus server read: a counter's HELP and TYPE name its samples (`x_total`), and there
/// is no `# EOF`.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: Vec<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines().filter(|l| *l != "# EOF") {
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(&name)
                .then(|| format!("{p}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Serves `metrics` at `http://<listener>/metrics` until `stop`.
pub async fn serve_http(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let conn = tokio::select! {
            c = listener.accept() => c,
            _ = stop.changed() => return,
        };
        let Ok((mut stream, _)) = conn else { continue };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let wait = std::time::Duration::from_secs(5);
            let Ok(Ok(n)) = tokio::time::timeout(wait, stream.read(&mut buf)).await else {
                return;
            };
            let head = String::from_utf8_lossy(&buf[..n]);
            let path = head.split_whitespace().nth(1).unwrap_or_default();
            let (status, ctype, body) =
                if head.starts_with("GET ") && (path == "/metrics" || path == "/") {
                    (
                        "200 OK",
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape(),
                    )
                } else {
                    ("404 Not Found", "text/plain", "GET /metrics\n".to_string())
                };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// `PORT` (on 127.0.0.1) or `HOST:PORT` -> the address to bind.
pub fn parse_addr(value: &str) -> Option<SocketAddr> {
    if let Ok(port) = value.parse::<u16>() {
        return Some(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    value.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::records::CallType;

    #[test]
    fn records_count_by_component_type_and_result() {
        let m = Metrics::new(None);
        let mut r = CallRecord {
            component: "UM worker".into(),
            call_type: Some(CallType::AutoAttendant),
            offer_result: Some(OfferResult::Answer),
            ..CallRecord::default()
        };
        m.record(&r);
        r.offer_result = Some(OfferResult::Reject);
        r.reject_status = Some(503);
        m.record(&r);
        let page = m.scrape();
        assert!(
            page.contains(r#"umctl_calls_total{component="UM worker",call_type="AutoAttendant",result="Answer"} 1"#),
            "{page}"
        );
        assert!(page.contains("umctl_service_unavailable_total 1"), "{page}");
        assert!(
            page.contains(r#"umctl_rejections_total{component="UM worker",status="503"} 1"#),
            "{page}"
        );
        assert!(page.contains("process_start_time_seconds "), "{page}");
        assert!(
            page.contains("# TYPE umctl_calls_total counter\n"),
            "{page}"
        );
        assert!(!page.contains("# EOF"), "{page}");
        assert_eq!(parse_addr("9464"), Some("127.0.0.1:9464".parse().unwrap()));
        assert_eq!(
            parse_addr("[::1]:9464"),
            Some("[::1]:9464".parse().unwrap())
        );
        assert_eq!(parse_addr("nine"), None);
    }
}

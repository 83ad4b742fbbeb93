//! umctl's `tracing` events inside this test process, kept per test: what runs in
//! [`Capture::span`] (and the tasks it spawns in that span) has its events kept, each as
//! serve's JSON log prints it (span fields and event fields side by side, the same visitor).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use serde_json::{Map, Value};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use umctl::cli::log::Fields;

/// The events of one test.
pub struct Capture {
    id: u64,
    span: tracing::Span,
}

impl Capture {
    pub fn new() -> Capture {
        static INSTALL: Once = Once::new();
        static NEXT: AtomicU64 = AtomicU64::new(1);
        INSTALL.call_once(|| {
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Keep))
                .expect("no other global subscriber in the test binary");
        });
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Capture {
            id,
            span: tracing::info_span!("test", capture = id),
        }
    }

    /// The span to run the code under test in.
    pub fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<Value> {
        kept()
            .lock()
            .unwrap()
            .get(&self.id)
            .cloned()
            .unwrap_or_default()
    }
}

fn kept() -> &'static Mutex<HashMap<u64, Vec<Value>>> {
    static KEPT: OnceLock<Mutex<HashMap<u64, Vec<Value>>>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
}

/// A span's fields, recorded when it is created.
struct SpanFields(Map<String, Value>);

struct Keep;

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Keep {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut Fields(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut line = Map::new();
        for span in ctx
            .event_scope(event)
            .into_iter()
            .flat_map(|s| s.from_root())
        {
            if let Some(f) = span.extensions().get::<SpanFields>() {
                line.extend(f.0.clone());
            }
        }
        event.record(&mut Fields(&mut line));
        let Some(id) = line.get("capture").and_then(Value::as_u64) else {
            return;
        };
        kept()
            .lock()
            .unwrap()
            .entry(id)
            .or_default()
            .push(Value::Object(line));
    }
}

//! Where umctl's `tracing` events go: one subscriber writing lines on stderr, as text
//! (tracing-subscriber's own format) or as JSON objects (`--log-format json`). The level
//! follows `-q` / `-v` / `-vv`. A JSON line is flat: the time, level and target, then the
//! fields of the spans around the event (`server`, `component`, `call_id`, `method`, ...)
//! from the outermost in, then the event's own fields; a field whose value was recorded as a
//! JSON object (serve's `media` figures) stays an object.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// How the lines look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The most detailed level shown: `-q` errors only; otherwise `quiet_default` (INFO for
/// serve, whose log is its output; WARN for the other commands), DEBUG with `-v`, TRACE
/// with `-vv`.
pub fn level(verbose: u8, quiet: bool, serve: bool) -> LevelFilter {
    match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) if serve => LevelFilter::INFO,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    }
}

/// Installs the process-wide subscriber (once; a second call changes nothing).
pub fn init(level: LevelFilter, format: Format) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    let _ = match format {
        Format::Text => builder.with_target(false).try_init(),
        Format::Json => builder
            .fmt_fields(JsonFields::new())
            .event_format(JsonLine)
            .try_init(),
    };
}

/// One JSON object per event, span fields and event fields side by side.
pub struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            jiff::Timestamp::now().to_string().into(),
        );
        line.insert("level".into(), meta.level().as_str().into());
        line.insert("target".into(), meta.target().into());
        for span in ctx.event_scope().into_iter().flat_map(|s| s.from_root()) {
            let extensions = span.extensions();
            let Some(fields) = extensions.get::<FormattedFields<N>>() else {
                continue;
            };
            if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                line.extend(fields);
            }
        }
        event.record(&mut Fields(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// An event's (or span's) fields into a JSON line: numbers and booleans as such, text as
/// strings, a value whose Display is a JSON object (`media = %figures`) as that object.
pub struct Fields<'a>(pub &'a mut Map<String, Value>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        let value = match serde_json::from_str::<Value>(&text) {
            Ok(v @ Value::Object(_)) if field.name() != "message" => v,
            _ => Value::String(text),
        };
        self.0.insert(field.name().into(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
}

/// Runs `f` with a JSON-line subscriber of its own (this thread only) and returns the lines
/// it logged, parsed: for tests of what an event carries.
#[cfg(test)]
pub fn capture_json(f: impl FnOnce()) -> Vec<Value> {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let mut bytes = self
                .0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?;
            bytes.extend(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let out = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_writer(move || out.clone())
        .fmt_fields(JsonFields::new())
        .event_format(JsonLine)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let bytes = sink.0.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_shows_errors_and_each_v_one_level_more() {
        assert_eq!(level(0, true, true), LevelFilter::ERROR);
        assert_eq!(level(0, false, true), LevelFilter::INFO);
        assert_eq!(level(0, false, false), LevelFilter::WARN);
        assert_eq!(level(1, false, false), LevelFilter::DEBUG);
        assert_eq!(level(2, false, true), LevelFilter::TRACE);
    }

    #[test]
    fn a_json_line_is_flat_with_span_fields_and_nested_objects() {
        let lines = capture_json(|| {
            let span = tracing::info_span!("component", server = "EX-MBX01", component = "worker");
            let _in = span.enter();
            let call = tracing::info_span!("call", call_id = "abc@h");
            let _in_call = call.enter();
            let figures = serde_json::json!({"sent_packets": 50});
            tracing::info!(status = 200u64, media = %figures, "{{not json}}");
        });
        let [line] = lines.as_slice() else {
            panic!("expected one line: {lines:?}");
        };
        assert_eq!(line["server"], "EX-MBX01", "{line}");
        assert_eq!(line["component"], "worker", "{line}");
        assert_eq!(line["call_id"], "abc@h", "{line}");
        assert_eq!(line["status"], 200, "{line}");
        assert_eq!(line["media"]["sent_packets"], 50, "{line}");
        assert_eq!(line["message"], "{not json}", "{line}");
        assert_eq!(line["level"], "INFO", "{line}");
    }
}

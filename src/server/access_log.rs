//! The access log: one line per request on standard error, written by its
//! own thread so a request never waits on the terminal or the pipe behind
//! it. Lines waiting together are written with one system call.
//!
//! The queue between requests and the writer is bounded ([`QUEUE_LINES`]):
//! when standard error does not keep up (a pipe nobody reads, a stopped
//! terminal), further lines are dropped and counted, never waited for and
//! never held without bound; the writer reports the count with the next
//! line it writes, and at shutdown.

use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The most lines waiting for the writer (about 2 MB at 200 bytes a line).
pub const QUEUE_LINES: usize = 10_000;

pub struct AccessLog {
    sender: Mutex<Option<mpsc::SyncSender<String>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    dropped: Arc<AtomicU64>,
}

impl AccessLog {
    /// A log that writes to standard error, or, when `enabled` is false,
    /// drops every line.
    pub fn start(enabled: bool) -> AccessLog {
        let out: Option<Box<dyn Write + Send>> = enabled.then(|| Box::new(std::io::stderr()) as _);
        AccessLog::to(out, QUEUE_LINES)
    }

    /// A log that writes to `out` (none: drops every line), holding at most
    /// `queue` lines waiting for it.
    fn to(out: Option<Box<dyn Write + Send>>, queue: usize) -> AccessLog {
        let (sender, receiver) = mpsc::sync_channel::<String>(queue);
        let dropped = Arc::new(AtomicU64::new(0));
        let thread = out.and_then(|out| {
            let dropped = Arc::clone(&dropped);
            std::thread::Builder::new()
                .name("keyward-access-log".into())
                .spawn(move || write_all(&receiver, out, &dropped))
                .ok()
        });
        AccessLog {
            sender: Mutex::new(thread.is_some().then_some(sender)),
            thread: Mutex::new(thread),
            dropped,
        }
    }

    pub fn enabled(&self) -> bool {
        self.sender.lock().is_ok_and(|s| s.is_some())
    }

    /// Queues `line`, or drops and counts it when the queue is full.
    pub fn write(&self, line: String) {
        if let Ok(Some(sender)) = self.sender.lock().as_deref() {
            if let Err(TrySendError::Full(_)) = sender.try_send(line) {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Writes out every line queued so far (and the count of those dropped)
    /// and stops the thread.
    pub fn close(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn write_all(receiver: &mpsc::Receiver<String>, out: Box<dyn Write + Send>, dropped: &AtomicU64) {
    let mut out = BufWriter::new(out);
    while let Ok(line) = receiver.recv() {
        let _ = writeln!(out, "{line}");
        while let Ok(line) = receiver.try_recv() {
            let _ = writeln!(out, "{line}");
        }
        report_dropped(&mut out, dropped);
        let _ = out.flush();
    }
    report_dropped(&mut out, dropped);
    let _ = out.flush();
}

fn report_dropped(out: &mut impl Write, dropped: &AtomicU64) {
    let count = dropped.swap(0, Ordering::Relaxed);
    if count > 0 {
        let lines = if count == 1 { "line" } else { "lines" };
        let _ = writeln!(
            out,
            "keyward serve: {count} access-log {lines} dropped (standard error was not keeping up)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{Receiver, Sender};
    use std::time::{Duration, Instant};

    /// A writer whose first write says so and blocks until the test lets it
    /// go; it keeps what it got.
    struct Stuck {
        entered: Sender<()>,
        go: Receiver<()>,
        got: Arc<Mutex<Vec<u8>>>,
        waited: bool,
    }

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !self.waited {
                let _ = self.entered.send(());
                let _ = self.go.recv();
                self.waited = true;
            }
            self.got.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The writer, the signal that it is stuck, its release, what it got.
    type Stuckness = (Stuck, Receiver<()>, Sender<()>, Arc<Mutex<Vec<u8>>>);

    fn stuck() -> Stuckness {
        let (entered, is_in) = mpsc::channel();
        let (go, wait) = mpsc::channel();
        let got = Arc::new(Mutex::new(Vec::new()));
        let out = Stuck {
            entered,
            go: wait,
            got: Arc::clone(&got),
            waited: false,
        };
        (out, is_in, go, got)
    }

    fn text(got: &Mutex<Vec<u8>>) -> String {
        String::from_utf8(got.lock().expect("lock").clone()).expect("text")
    }

    #[test]
    fn a_stuck_writer_never_blocks_requests_and_the_dropped_lines_are_counted() {
        let (out, is_in, go, got) = stuck();
        let log = AccessLog::to(Some(Box::new(out)), 8);
        log.write("first".to_owned());
        is_in.recv().expect("the writer is stuck on the first line");
        let started = Instant::now();
        for i in 0..1_000 {
            log.write(format!("request {i}"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "writing waited on the writer"
        );
        go.send(()).expect("the writer waits");
        log.close();
        let text = text(&got);
        let written: Vec<&str> = text.lines().filter(|l| l.starts_with("request ")).collect();
        assert_eq!(written.len(), 8, "the queue holds 8 lines:\n{text}");
        assert!(
            text.contains("keyward serve: 992 access-log lines dropped (standard error was not keeping up)"),
            "{text}"
        );
    }

    #[test]
    fn a_log_that_keeps_up_writes_every_line_and_reports_nothing_dropped() {
        let (out, _is_in, go, got) = stuck();
        go.send(()).expect("go");
        let log = AccessLog::to(Some(Box::new(out)), QUEUE_LINES);
        for i in 0..100 {
            log.write(format!("request {i}"));
        }
        log.close();
        let text = text(&got);
        assert_eq!(text.lines().count(), 100, "{text}");
        assert!(!text.contains("dropped"), "{text}");
    }
}

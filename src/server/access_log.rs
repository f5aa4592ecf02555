//! The access log: one line per request on standard error, written by its
//! own thread so a request never waits on the terminal or the pipe behind
//! it. Lines waiting together are written with one system call.

use std::io::{BufWriter, Write};
use std::sync::{mpsc, Mutex};
use std::thread::JoinHandle;

pub struct AccessLog {
    sender: Mutex<Option<mpsc::Sender<String>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl AccessLog {
    /// A log that writes to standard error, or, when `enabled` is false,
    /// drops every line.
    pub fn start(enabled: bool) -> AccessLog {
        let (sender, receiver) = mpsc::channel::<String>();
        let thread = enabled
            .then(|| {
                std::thread::Builder::new()
                    .name("keyward-access-log".into())
                    .spawn(move || write_all(&receiver))
                    .ok()
            })
            .flatten();
        AccessLog {
            sender: Mutex::new(thread.is_some().then_some(sender)),
            thread: Mutex::new(thread),
        }
    }

    pub fn enabled(&self) -> bool {
        self.sender.lock().is_ok_and(|s| s.is_some())
    }

    pub fn write(&self, line: String) {
        if let Ok(Some(sender)) = self.sender.lock().as_deref() {
            let _ = sender.send(line);
        }
    }

    /// Writes out every line sent so far and stops the thread.
    pub fn close(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn write_all(receiver: &mpsc::Receiver<String>) {
    let mut out = BufWriter::new(std::io::stderr());
    while let Ok(line) = receiver.recv() {
        let _ = writeln!(out, "{line}");
        while let Ok(line) = receiver.try_recv() {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }
}

//! Frames on N threads, each of which takes its turn at the input, seals or
//! opens what it read in a buffer of its own, and takes its turn at the
//! output: one thread reads at a time, one writes at a time, in the order
//! read. So N threads are N busy threads (the calling thread is one of
//! them), a unit's bytes stay with the thread (and the core's cache) that
//! read them, and memory is one unit per thread whatever the input's size.
//! While one thread reads or writes, the others seal: the I/O of one unit
//! overlaps the work on the next without a thread of its own. Both envelope
//! formats run on it: keyward's moves one frame per unit, the Encryption
//! SDK's a batch of small frames ([`Unit`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

use zeroize::Zeroizing;

use super::header::TAG_BYTES;
use super::EnvelopeError;

/// One frame in flight: its number, whether it ends the file, its data
/// (plaintext or ciphertext, in a buffer wiped when dropped) and its tag.
pub(super) struct Frame {
    pub sequence: u32,
    pub last: bool,
    pub data: Zeroizing<Vec<u8>>,
    pub tag: [u8; TAG_BYTES],
}

/// What moves through the pipeline, the last one marked.
pub(crate) trait Unit: Send {
    /// An empty unit whose buffers hold `bytes` without growing.
    fn blank(bytes: usize) -> Self;
    fn is_last(&self) -> bool;
}

impl Unit for Frame {
    fn blank(bytes: usize) -> Frame {
        Frame {
            sequence: 0,
            last: false,
            data: Zeroizing::new(Vec::with_capacity(bytes)),
            tag: [0; TAG_BYTES],
        }
    }

    fn is_last(&self) -> bool {
        self.last
    }
}

/// The most threads a pipeline runs, whatever it is asked for.
pub const MAX_WORKERS: usize = 256;

/// The most memory the units in flight may hold together (at least one
/// unit is always in flight).
const UNIT_BUDGET: usize = 1 << 30;

/// The input's side: the reader, how many units it has given, and whether
/// it has given the last (or failed).
struct Input<R> {
    read: R,
    taken: u64,
    ended: bool,
}

/// The output's side: the writer, the number of the unit whose turn it is,
/// and, once known, how the run ended.
struct Output<W, E> {
    write: W,
    turn: u64,
    outcome: Option<Result<(), E>>,
}

struct Shared<R, P, W, E> {
    input: Mutex<Input<R>>,
    work: P,
    output: Mutex<Output<W, E>>,
    turn_changed: Condvar,
    /// Set once the run is over (or a thread panicked): no thread reads
    /// again or waits for a turn.
    over: AtomicBool,
}

/// Runs `read` (fills a unit; marks the final one), `work` (on up to
/// `threads` units at once) and `write` (in the order read) until the last
/// unit is written or a stage fails. A failure is returned at its unit's
/// turn, once every unit before it is written.
pub(crate) fn run<U, E, R, P, W>(threads: usize, unit_bytes: usize, read: R, work: P, write: W) -> Result<(), E>
where
    U: Unit,
    E: From<EnvelopeError> + Send,
    R: FnMut(&mut U) -> Result<(), E> + Send,
    P: Fn(&mut U) -> Result<(), E> + Sync,
    W: FnMut(&U) -> Result<(), E> + Send,
{
    let threads = threads
        .clamp(1, MAX_WORKERS)
        .min((UNIT_BUDGET / unit_bytes.max(1)).max(1));
    let shared = Shared {
        input: Mutex::new(Input {
            read,
            taken: 0,
            ended: false,
        }),
        work,
        output: Mutex::new(Output {
            write,
            turn: 0,
            outcome: None,
        }),
        turn_changed: Condvar::new(),
        over: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| shared.take_turns::<U>(unit_bytes));
        }
        shared.take_turns::<U>(unit_bytes);
    });
    // Every thread has ended, so the last unit was written or a failure
    // recorded; a poisoned lock means a thread panicked, which the scope
    // has already passed on.
    let output = shared.output.into_inner().map_err(|_| EnvelopeError::Truncated)?;
    output.outcome.unwrap_or_else(|| Err(EnvelopeError::Truncated.into()))
}

impl<R, P, W, E> Shared<R, P, W, E> {
    /// One thread's loop: read a unit, work on it, write it at its turn.
    fn take_turns<U: Unit>(&self, unit_bytes: usize)
    where
        R: FnMut(&mut U) -> Result<(), E>,
        P: Fn(&mut U) -> Result<(), E>,
        W: FnMut(&U) -> Result<(), E>,
    {
        let _watch = PanicWatch(self);
        let mut unit = U::blank(unit_bytes);
        while let Some((number, read)) = self.take(&mut unit) {
            let done = read.and_then(|()| (self.work)(&mut unit));
            if !self.put(number, &unit, done) {
                break;
            }
        }
    }

    /// Reads the next unit into `unit`; `None` once the input has ended or
    /// the run is over.
    fn take<U: Unit>(&self, unit: &mut U) -> Option<(u64, Result<(), E>)>
    where
        R: FnMut(&mut U) -> Result<(), E>,
    {
        let mut input = self.input.lock().ok()?;
        if input.ended || self.over.load(Ordering::Acquire) {
            return None;
        }
        let number = input.taken;
        input.taken += 1;
        let read = (input.read)(unit);
        input.ended = read.is_err() || unit.is_last();
        Some((number, read))
    }

    /// Waits for the turn of unit `number`, then writes it, or records why
    /// it cannot be written; false once the run is over.
    fn put<U: Unit>(&self, number: u64, unit: &U, done: Result<(), E>) -> bool
    where
        W: FnMut(&U) -> Result<(), E>,
    {
        let Ok(mut output) = self.output.lock() else {
            return false;
        };
        while output.turn != number && !self.over.load(Ordering::Acquire) {
            output = match self.turn_changed.wait(output) {
                Ok(output) => output,
                Err(_) => return false,
            };
        }
        if self.over.load(Ordering::Acquire) {
            return false;
        }
        let output = &mut *output;
        match done.and_then(|()| (output.write)(unit)) {
            Ok(()) if !unit.is_last() => output.turn += 1,
            ended => {
                output.outcome = Some(ended);
                self.over.store(true, Ordering::Release);
            }
        }
        self.turn_changed.notify_all();
        output.outcome.is_none()
    }
}

/// Ends the run when a thread panics, so the others stop waiting for its
/// turn (the scope then passes the panic on).
struct PanicWatch<'a, R, P, W, E>(&'a Shared<R, P, W, E>);

impl<R, P, W, E> Drop for PanicWatch<'_, R, P, W, E> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.over.store(true, Ordering::Release);
            // Taken so no thread is between its check and its wait; the
            // panicking thread holds no lock by now.
            let _held = self.0.output.lock();
            self.0.turn_changed.notify_all();
        }
    }
}

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
//!
//! A run may also have a lane ([`Lane`]): an ordered stage that the work
//! enters once per unit, in the order read, with a state of its own. A
//! signing suite's digest of the message runs there: it must see every byte
//! in order, and in its own lane it overlaps the reading, sealing and writing
//! of the other units instead of adding to the writer's turn.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

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

/// The output's side: the writer and, once known, how the run ended.
struct Output<W, E> {
    write: W,
    outcome: Option<Result<(), E>>,
}

/// A stage that units pass one at a time in the order read: its state and
/// the number of the unit whose turn it is.
struct Gate<S> {
    state: Mutex<Turn<S>>,
    turn_changed: Condvar,
}

struct Turn<S> {
    unit: u64,
    state: S,
}

impl<S> Gate<S> {
    fn new(state: S) -> Gate<S> {
        Gate {
            state: Mutex::new(Turn { unit: 0, state }),
            turn_changed: Condvar::new(),
        }
    }

    /// Waits for the turn of unit `number`; `None` once the run is over.
    fn wait_for(&self, number: u64, over: &AtomicBool) -> Option<MutexGuard<'_, Turn<S>>> {
        let mut turn = self.state.lock().ok()?;
        while turn.unit != number && !over.load(Ordering::Acquire) {
            turn = self.turn_changed.wait(turn).ok()?;
        }
        (!over.load(Ordering::Acquire)).then_some(turn)
    }

    /// Gives the turn to the next unit.
    fn pass_on(&self, mut turn: MutexGuard<'_, Turn<S>>) {
        turn.unit += 1;
        drop(turn);
        self.turn_changed.notify_all();
    }

    /// Wakes every thread waiting for a turn (the run is over). The lock is
    /// taken so that no thread is between its check and its wait.
    fn wake_all(&self) {
        let _held = self.state.lock();
        self.turn_changed.notify_all();
    }
}

/// A unit's way through the run's lane (see the module's notes). The work
/// enters it at most once; a unit whose work did not enter it (or failed
/// first) passes it without running anything, so later units never wait
/// for it.
pub(crate) struct Lane<'a, L> {
    gate: &'a Gate<Option<L>>,
    /// Whether the run has a lane; without one, entering it does nothing.
    open: bool,
    over: &'a AtomicBool,
    number: u64,
    passed: bool,
}

impl<L> Lane<'_, L> {
    /// Waits for this unit's turn in the lane, runs `stage` on the lane's
    /// state, and gives the turn to the next unit. Does nothing when the run
    /// has no lane, when this unit has already passed, or when the run is
    /// over (this unit is then never written).
    pub fn in_order(&mut self, stage: impl FnOnce(&mut L)) {
        if !self.open || self.passed {
            return;
        }
        self.passed = true;
        if let Some(mut turn) = self.gate.wait_for(self.number, self.over) {
            if let Some(state) = turn.state.as_mut() {
                stage(state);
            }
            self.gate.pass_on(turn);
        }
    }
}

struct Shared<R, P, W, L, E> {
    input: Mutex<Input<R>>,
    work: P,
    lane: Gate<Option<L>>,
    has_lane: bool,
    output: Gate<Output<W, E>>,
    /// Set once the run is over (or a thread panicked): no thread reads
    /// again or waits for a turn.
    over: AtomicBool,
}

/// Runs `read` (fills a unit; marks the final one), `work` (on up to
/// `threads` units at once, with the unit's way through the lane, whose
/// state is `lane`) and `write` (in the order read) until the last unit is
/// written or a stage fails. A failure is returned at its unit's turn, once
/// every unit before it is written. Returns the lane's state.
pub(crate) fn run<U, E, L, R, P, W>(
    threads: usize,
    unit_bytes: usize,
    lane: Option<L>,
    read: R,
    work: P,
    write: W,
) -> Result<Option<L>, E>
where
    U: Unit,
    E: From<EnvelopeError> + Send,
    L: Send,
    R: FnMut(&mut U) -> Result<(), E> + Send,
    P: Fn(&mut U, &mut Lane<'_, L>) -> Result<(), E> + Sync,
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
        has_lane: lane.is_some(),
        lane: Gate::new(lane),
        output: Gate::new(Output { write, outcome: None }),
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
    let output = shared.output.state.into_inner().map_err(|_| EnvelopeError::Truncated)?;
    output
        .state
        .outcome
        .unwrap_or_else(|| Err(EnvelopeError::Truncated.into()))?;
    let lane = shared.lane.state.into_inner().map_err(|_| EnvelopeError::Truncated)?;
    Ok(lane.state)
}

impl<R, P, W, L, E> Shared<R, P, W, L, E> {
    /// One thread's loop: read a unit, work on it, write it at its turn.
    fn take_turns<U: Unit>(&self, unit_bytes: usize)
    where
        R: FnMut(&mut U) -> Result<(), E>,
        P: Fn(&mut U, &mut Lane<'_, L>) -> Result<(), E>,
        W: FnMut(&U) -> Result<(), E>,
    {
        let _watch = PanicWatch(self);
        let mut unit = U::blank(unit_bytes);
        while let Some((number, read)) = self.take(&mut unit) {
            let mut lane = Lane {
                gate: &self.lane,
                open: self.has_lane,
                over: &self.over,
                number,
                passed: false,
            };
            let done = read.and_then(|()| (self.work)(&mut unit, &mut lane));
            // Later units wait for this one in the lane.
            lane.in_order(|_| {});
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
        let Some(mut turn) = self.output.wait_for(number, &self.over) else {
            return false;
        };
        let output = &mut turn.state;
        match done.and_then(|()| (output.write)(unit)) {
            Ok(()) if !unit.is_last() => {
                self.output.pass_on(turn);
                true
            }
            ended => {
                output.outcome = Some(ended);
                drop(turn);
                self.end();
                false
            }
        }
    }

    /// Ends the run: no thread reads again, and every waiting thread wakes.
    fn end(&self) {
        self.over.store(true, Ordering::Release);
        self.lane.wake_all();
        self.output.wake_all();
    }
}

/// Ends the run when a thread panics, so the others stop waiting for its
/// turn (the scope then passes the panic on).
struct PanicWatch<'a, R, P, W, L, E>(&'a Shared<R, P, W, L, E>);

impl<R, P, W, L, E> Drop for PanicWatch<'_, R, P, W, L, E> {
    fn drop(&mut self) {
        // The panicking thread holds no lock by now.
        if std::thread::panicking() {
            self.0.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit that knows only its number.
    struct Numbered {
        number: u64,
        last: bool,
    }

    impl Unit for Numbered {
        fn blank(_bytes: usize) -> Numbered {
            Numbered { number: 0, last: false }
        }

        fn is_last(&self) -> bool {
            self.last
        }
    }

    const UNITS: u64 = 300;

    /// Work that takes a different time for each unit, so that threads
    /// overtake one another.
    fn busy(seed: u64) {
        for i in 0..(seed * 7919) % 20_000 {
            std::hint::black_box(i);
        }
    }

    /// Runs `UNITS` numbered units on `threads` threads with a lane that
    /// records the numbers it sees; `fail` is the unit whose work fails
    /// before it enters the lane. Returns the outcome (the lane's record)
    /// and the numbers written.
    fn numbered(threads: usize, fail: Option<u64>) -> (Result<Option<Vec<u64>>, EnvelopeError>, Vec<u64>) {
        let mut next = 0;
        let mut written = Vec::new();
        let outcome = run::<Numbered, EnvelopeError, Vec<u64>, _, _, _>(
            threads,
            1,
            Some(Vec::new()),
            |unit| {
                unit.number = next;
                unit.last = next + 1 == UNITS;
                next += 1;
                Ok(())
            },
            |unit, lane| {
                busy(unit.number);
                if fail == Some(unit.number) {
                    return Err(EnvelopeError::TooLarge);
                }
                lane.in_order(|seen| seen.push(unit.number));
                busy(unit.number + 1);
                Ok(())
            },
            |unit| {
                written.push(unit.number);
                Ok(())
            },
        );
        (outcome, written)
    }

    #[test]
    fn the_lane_sees_every_unit_once_in_the_order_read() {
        for threads in [1, 2, 3, 8] {
            let (outcome, written) = numbered(threads, None);
            let all: Vec<u64> = (0..UNITS).collect();
            assert_eq!(outcome.unwrap(), Some(all.clone()), "{threads} threads");
            assert_eq!(written, all, "{threads} threads");
        }
    }

    /// The failed unit never enters the lane; the units after it do not
    /// wait for it there, and the failure comes back at its turn.
    #[test]
    fn a_unit_that_fails_before_the_lane_stops_the_run_at_its_turn() {
        for threads in [1, 2, 3, 8] {
            let (outcome, written) = numbered(threads, Some(100));
            assert!(matches!(outcome, Err(EnvelopeError::TooLarge)), "{threads} threads");
            assert_eq!(written, (0..100).collect::<Vec<u64>>(), "{threads} threads");
        }
    }

    #[test]
    fn without_a_lane_entering_it_runs_nothing() {
        let mut last = false;
        let outcome = run::<Numbered, EnvelopeError, (), _, _, _>(
            2,
            1,
            None,
            |unit| {
                unit.last = std::mem::replace(&mut last, true);
                Ok(())
            },
            |_, lane| {
                lane.in_order(|_: &mut ()| unreachable!("a run without a lane has no lane state"));
                Ok(())
            },
            |_| Ok(()),
        );
        assert_eq!(outcome.unwrap(), None);
    }
}

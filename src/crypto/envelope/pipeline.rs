//! Frames through three stages at once: one thread reads them, workers
//! seal or open them in parallel, and the calling thread writes them in
//! order. A fixed pool of frame buffers bounds memory whatever the input's
//! size: the reader waits for a buffer the writer has finished with. Both
//! envelope formats run on it: keyward's moves one frame per unit, the
//! Encryption SDK's a batch of small frames ([`Unit`]).

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Mutex;

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

/// What moves through the pipeline: numbered from 1, the last one marked.
pub(crate) trait Unit: Send {
    /// An empty unit whose buffers hold `bytes` without growing.
    fn blank(bytes: usize) -> Self;
    fn number(&self) -> u32;
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

    fn number(&self) -> u32 {
        self.sequence
    }

    fn is_last(&self) -> bool {
        self.last
    }
}

/// How many frames may be in flight per worker.
const FRAMES_PER_WORKER: usize = 4;

/// The most worker threads a pipeline starts, whatever it is asked for.
pub const MAX_WORKERS: usize = 256;

/// The most memory the frames in flight may hold together (at least two
/// frames are always in flight).
const FRAME_BUDGET: usize = 1 << 30;

/// Runs `read` (fills a frame; sets `last` on the final one), `work` (in
/// parallel, on `workers` threads) and `write` (in sequence order) until the
/// last frame is written or a stage fails; the first failure is returned.
pub(crate) fn run<U, E, R, P, W>(workers: usize, frame_size: usize, mut read: R, work: P, mut write: W) -> Result<(), E>
where
    E: From<EnvelopeError>,
    U: Unit,
    E: Send,
    R: FnMut(&mut U) -> Result<(), E> + Send,
    P: Fn(&mut U) -> Result<(), E> + Sync,
    W: FnMut(&U) -> Result<(), E>,
{
    let workers = workers.clamp(1, MAX_WORKERS);
    let in_flight = (workers * FRAMES_PER_WORKER).min((FRAME_BUDGET / frame_size.max(1)).max(2));
    let workers = workers.min(in_flight);
    let (free_tx, free_rx) = channel::<U>();
    for _ in 0..in_flight {
        let _ = free_tx.send(U::blank(frame_size));
    }
    let (job_tx, job_rx) = sync_channel::<U>(in_flight);
    let job_rx = Mutex::new(job_rx);
    // A failure carries the number of the frame it stopped at, so the
    // writer reports it only after writing every frame before it.
    let (done_tx, done_rx) = channel::<Result<U, (u32, E)>>();

    std::thread::scope(|scope| {
        let reader_done = done_tx.clone();
        scope.spawn(move || {
            // Ends when the file does, on an error, or when the writer has
            // stopped (no buffer will come back).
            let mut attempt = 0u32;
            while let Ok(mut frame) = free_rx.recv() {
                attempt = attempt.saturating_add(1);
                match read(&mut frame) {
                    Ok(()) => {
                        let last = frame.is_last();
                        if job_tx.send(frame).is_err() || last {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = reader_done.send(Err((attempt, e)));
                        break;
                    }
                }
            }
        });
        for _ in 0..workers {
            let (jobs, done, work) = (&job_rx, done_tx.clone(), &work);
            // Ends when the reader has ended and every job is taken. A worker
            // whose writer has stopped still drains the jobs, so the reader
            // is never left waiting to hand one over.
            scope.spawn(move || loop {
                let next = jobs.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok(mut frame) = next else { break };
                let sequence = frame.number();
                let result = work(&mut frame).map(|()| frame).map_err(|e| (sequence, e));
                let _ = done.send(result);
            });
        }
        drop(done_tx);
        let outcome = write_in_order(&done_rx, &free_tx, &mut write);
        // Stop the other stages: no buffer comes back and no result is read.
        drop(free_tx);
        drop(done_rx);
        outcome
    })
}

fn write_in_order<U, E, W>(
    done: &Receiver<Result<U, (u32, E)>>,
    free: &std::sync::mpsc::Sender<U>,
    write: &mut W,
) -> Result<(), E>
where
    U: Unit,
    E: From<EnvelopeError>,
    W: FnMut(&U) -> Result<(), E>,
{
    let mut next = 1u32;
    let mut waiting: BTreeMap<u32, U> = BTreeMap::new();
    let mut failures: BTreeMap<u32, E> = BTreeMap::new();
    while let Ok(result) = done.recv() {
        match result {
            Ok(frame) => {
                waiting.insert(frame.number(), frame);
            }
            Err((sequence, error)) => {
                failures.insert(sequence, error);
            }
        }
        loop {
            if let Some(error) = failures.remove(&next) {
                return Err(error);
            }
            let Some(frame) = waiting.remove(&next) else { break };
            write(&frame)?;
            if frame.is_last() {
                return Ok(());
            }
            next = next.checked_add(1).ok_or(EnvelopeError::TooLarge)?;
            let _ = free.send(frame);
        }
    }
    // Every stage has ended: the first failure, or, with none, a reader that
    // stopped before the last frame.
    Err(failures
        .into_values()
        .next()
        .unwrap_or_else(|| EnvelopeError::Truncated.into()))
}

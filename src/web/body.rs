//! The response body: shared [`Bytes`], in one part or several (a render
//! made of runs), handed to hyper a slice at a time, with a turn given up
//! between slices.
//!
//! A plain `/metrics` of a large estate is megabytes. Given as one buffer,
//! hyper writes it for as long as the socket drains, so on a fast link one
//! scrape holds a worker until its whole body is out and the other scrapes
//! wait: a good mean but a long tail. Slices with a yield between them take
//! the connections in turn, as nginx's `sendfile_max_chunk` does. Slicing
//! [`Bytes`] never copies, and the exact length still becomes the
//! `Content-Length`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::OwnedSemaphorePermit;

/// How much of a body is written before the connection gives up its turn;
/// also the largest frame handed to hyper.
pub const SLICE: usize = 256 * 1024;

/// A response body of shared bytes, sent in [`SLICE`]s.
#[derive(Debug, Default)]
pub struct SharedBody {
    /// The parts not yet handed to hyper, none empty.
    rest: VecDeque<Bytes>,
    /// Their length together.
    length: u64,
    /// Sent since the last turn given up: at [`SLICE`] the next frame waits
    /// a scheduler turn.
    sent_this_turn: usize,
    /// A scrape slot, given back when hyper has taken the whole body or the
    /// connection ends: bodies in flight stay as many as the slots.
    slot: Option<OwnedSemaphorePermit>,
}

impl SharedBody {
    /// A body of `bytes`, never copied.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self::from_parts([bytes.into()])
    }

    /// A body of `parts` one after another, never copied.
    pub fn from_parts(parts: impl IntoIterator<Item = Bytes>) -> Self {
        let rest: VecDeque<Bytes> = parts.into_iter().filter(|part| !part.is_empty()).collect();
        let length = rest.iter().map(|part| part.len() as u64).sum();
        Self { rest, length, sent_this_turn: 0, slot: None }
    }

    /// This body, holding `slot` until it is dropped.
    pub fn holding(mut self, slot: OwnedSemaphorePermit) -> Self {
        self.slot = Some(slot);
        self
    }

    /// A body with nothing in it.
    pub fn empty() -> Self {
        Self::default()
    }
}

impl Body for SharedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.sent_this_turn >= SLICE {
            // Waking the running task puts it at the back of the run queue:
            // hyper flushes what it has and the other connections go first.
            // (After a flush that completed, hyper 1 polls the body once more
            // in the same turn, so a turn ends every one or two slices.)
            this.sent_this_turn = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let Some(part) = this.rest.front_mut() else {
            this.slot = None;
            return Poll::Ready(None);
        };
        let slice = part.split_to(part.len().min(SLICE - this.sent_this_turn));
        if part.is_empty() {
            this.rest.pop_front();
        }
        this.length -= slice.len() as u64;
        // Nothing left: no turn to give up before the end.
        this.sent_this_turn = if this.length == 0 { 0 } else { this.sent_this_turn + slice.len() };
        Poll::Ready(Some(Ok(Frame::data(slice))))
    }

    fn is_end_stream(&self) -> bool {
        self.length == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }
}

#[cfg(test)]
mod tests;

//! A deadline for writing a response: the connection's IO wrapped so that,
//! once the deadline of the response being written has passed, a write the
//! client does not take in (the socket's buffers are full) fails with
//! `TimedOut`. hyper then ends the connection and drops the response body,
//! so a client that asks for `/metrics` and never reads holds its body for
//! at most the deadline.
//!
//! The server arms the deadline when it hands hyper a response
//! ([`WriteDeadline::arm`]); writes that complete at once never fail, so an
//! idle keep-alive connection and a client that keeps reading are never cut
//! off, whatever the clock says. Only a write left waiting on the client
//! registers a timer, which wakes the connection when the deadline passes.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::locks::lock;

/// When the response being written must be out: shared by the server,
/// which arms it, and the connection's [`DeadlineIo`], which enforces it.
#[derive(Debug, Default)]
pub struct WriteDeadline(Mutex<Option<Instant>>);

impl WriteDeadline {
    /// The response about to be written must be out by `deadline`; replaces
    /// the previous response's.
    pub fn arm(&self, deadline: Instant) {
        *lock(&self.0) = Some(deadline);
    }

    fn get(&self) -> Option<Instant> {
        *lock(&self.0)
    }
}

/// `io` whose writes fail once the [`WriteDeadline`] has passed while the
/// client is not taking the bytes in.
#[derive(Debug)]
pub struct DeadlineIo<I> {
    io: I,
    deadline: Arc<WriteDeadline>,
    /// Set while a write waits on the client; fires at the deadline.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<I> DeadlineIo<I> {
    /// Wraps `io`, enforcing `deadline`.
    pub fn new(io: I, deadline: Arc<WriteDeadline>) -> Self {
        Self { io, deadline, timer: None }
    }

    /// A write is waiting on the client: an error once the deadline has
    /// passed, else still pending with a timer that wakes the connection
    /// at the deadline.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let Some(deadline) = self.deadline.get() else { return Poll::Pending };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not take the response in within --web.write-timeout",
            )));
        }
        let timer = match &mut self.timer {
            Some(timer) if timer.deadline() == deadline => timer,
            timer => timer.insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        // Registers the waker; the deadline is in the future, so pending.
        let _ = timer.as_mut().poll(cx);
        Poll::Pending
    }

    /// `result` of a write, or, while pending, the deadline's verdict.
    fn judged<T>(&mut self, cx: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match result {
            Poll::Pending => self.waiting(cx),
            ready => ready,
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for DeadlineIo<I> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for DeadlineIo<I> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.judged(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.judged(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_flush(cx);
        this.judged(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_shutdown(cx);
        // A close that waits on the client is bounded the same way.
        this.judged(cx, result)
    }
}

#[cfg(test)]
mod tests;

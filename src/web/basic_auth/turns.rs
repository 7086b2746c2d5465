//! Whose turn it is at the one bcrypt check in progress: a two-level queue.
//! Checks from connections with no failed login go ahead of checks from
//! connections that have failed, so a flood of wrong passwords on
//! keep-alive connections waits behind every fresh login instead of in
//! front of it. Each level is bounded; a full one refuses at once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::locks::lock;

/// Which level a check waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Its connection has not failed a login: served first.
    Clean,
    /// Its connection has failed a login: served when no clean check waits.
    Failing,
}

/// The level a check would wait in is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

/// The turn to run a check, and the two queues waiting for it.
#[derive(Debug)]
pub struct Turns {
    queues: Mutex<Queues>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Queues {
    /// A [`Turn`] is out.
    taken: bool,
    clean: VecDeque<oneshot::Sender<Turn>>,
    failing: VecDeque<oneshot::Sender<Turn>>,
}

/// The turn; the next waiter gets it when this is dropped.
#[derive(Debug)]
pub struct Turn {
    /// `None` only while a turn nobody took is being passed on.
    turns: Option<Arc<Turns>>,
}

impl Turns {
    /// One turn, with at most `capacity` checks waiting at each level.
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self { queues: Mutex::default(), capacity })
    }

    /// Waits for the turn at `standing`'s level, or refuses at once when
    /// that level is full.
    pub async fn take(self: &Arc<Self>, standing: Standing) -> Result<Turn, QueueFull> {
        let waiting = {
            let mut queues = lock(&self.queues);
            if !queues.taken {
                queues.taken = true;
                return Ok(Turn { turns: Some(Arc::clone(self)) });
            }
            let queue = match standing {
                Standing::Clean => &mut queues.clean,
                Standing::Failing => &mut queues.failing,
            };
            if queue.len() >= self.capacity {
                // Waiters whose connection went away still hold a place.
                queue.retain(|waiter| !waiter.is_closed());
                if queue.len() >= self.capacity {
                    return Err(QueueFull);
                }
            }
            let (sender, receiver) = oneshot::channel();
            queue.push_back(sender);
            receiver
        };
        // The sender is dropped without a turn only with `Turns` itself.
        waiting.await.map_err(|_| QueueFull)
    }

    /// Hands the turn to the first live waiter, clean ones first.
    fn pass_on(self: &Arc<Self>) {
        let mut queues = lock(&self.queues);
        loop {
            let Some(next) = queues.clean.pop_front().or_else(|| queues.failing.pop_front()) else {
                queues.taken = false;
                return;
            };
            match next.send(Turn { turns: Some(Arc::clone(self)) }) {
                Ok(()) => return,
                // That waiter is gone: the turn must not pass on from its
                // drop while the queues are locked here.
                Err(mut unclaimed) => unclaimed.turns = None,
            }
        }
    }

    #[cfg(test)]
    fn waiting(&self) -> (usize, usize) {
        let queues = lock(&self.queues);
        (queues.clean.len(), queues.failing.len())
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(turns) = self.turns.take() {
            turns.pass_on();
        }
    }
}

#[cfg(test)]
mod tests;

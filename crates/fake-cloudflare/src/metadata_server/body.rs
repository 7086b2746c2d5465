//! The metadata host's response bodies: whole (a document, a short message,
//! nothing), or XML-like filler of any length made chunk by chunk, so that a
//! 100 MB answer costs the server one shared 64 KiB block and not 100 MB.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

use crate::idp_metadata::SAML_METADATA_NS;

/// The most bytes of filler in one frame.
pub(super) const FILLER_CHUNK: usize = 64 * 1024;

/// What the filler starts with: the opening of a metadata aggregate, so a
/// reader that looks at the start sees XML it would parse.
const FILLER_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// One line of filler, repeated until the length asked for.
const FILLER_LINE: &str = "  <!-- padding padding padding padding padding padding padding -->\n";

/// [`FILLER_LINE`] repeated to at least a chunk and a line, so that a chunk
/// starting anywhere within a line is one slice of it.
static FILLER_BLOCK: LazyLock<Bytes> =
    LazyLock::new(|| Bytes::from(FILLER_LINE.repeat(FILLER_CHUNK / FILLER_LINE.len() + 2)));

/// The opening element after [`FILLER_START`].
fn filler_root() -> String {
    format!("<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\" Name=\"urn:example:huge\">\n")
}

/// A response body.
#[derive(Debug)]
pub(crate) enum MetadataBody {
    /// All of it at once (empty: no frame).
    Whole(Option<Bytes>),
    /// Filler, made as it is sent.
    Filler(Filler),
}

impl MetadataBody {
    /// A body of `bytes`.
    pub(super) fn whole(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Self::Whole((!bytes.is_empty()).then_some(bytes))
    }

    /// No body.
    pub(super) fn empty() -> Self {
        Self::Whole(None)
    }
}

/// `total` bytes of filler; the length is announced (`Content-Length`) only
/// with `announce_length`, else the answer is sent chunked.
#[derive(Debug)]
pub(crate) struct Filler {
    sent: u64,
    total: u64,
    announce_length: bool,
    /// [`FILLER_START`] and the root element.
    start: Bytes,
}

impl Filler {
    pub(super) fn new(total: u64, announce_length: bool) -> Self {
        Self {
            sent: 0,
            total,
            announce_length,
            start: Bytes::from(format!("{FILLER_START}{}", filler_root())),
        }
    }

    /// The next frame's bytes; `None` once `total` are sent.
    fn next_chunk(&mut self) -> Option<Bytes> {
        let remaining = self.total - self.sent;
        if remaining == 0 {
            return None;
        }
        let limit = usize::try_from(remaining).unwrap_or(usize::MAX).min(FILLER_CHUNK);
        let start_len = self.start.len() as u64;
        let chunk = if self.sent < start_len {
            // `sent < start_len`, so the offset fits in usize.
            let offset = self.sent as usize;
            self.start.slice(offset..(offset + limit).min(self.start.len()))
        } else {
            let phase = ((self.sent - start_len) % FILLER_LINE.len() as u64) as usize;
            FILLER_BLOCK.slice(phase..phase + limit)
        };
        self.sent += chunk.len() as u64;
        Some(chunk)
    }
}

impl Body for MetadataBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let chunk = match self.get_mut() {
            Self::Whole(data) => data.take(),
            Self::Filler(filler) => filler.next_chunk(),
        };
        Poll::Ready(chunk.map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Whole(data) => data.is_none(),
            Self::Filler(filler) => filler.sent == filler.total,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Self::Filler(filler) if filler.announce_length => {
                SizeHint::with_exact(filler.total - filler.sent)
            }
            Self::Filler(_) => SizeHint::default(),
        }
    }
}

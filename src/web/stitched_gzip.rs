//! One gzip stream made of parts deflated apart, so that a part which did
//! not change is not compressed again (as pigz joins its blocks): each part
//! is raw deflate ending in a sync flush, at a byte boundary and with no
//! final block; an empty final block closes the stream, and the CRC-32 of
//! the whole text is combined from the parts'. The result is a single gzip
//! member, which every client reads, not a concatenation of members, which
//! some do not.
//!
//! A part is deflated as its text is written ([`PartWriter`]), so the text
//! never has to exist whole, and because no part refers back into another,
//! each can be inflated on its own again ([`DeflatedPart::inflate`]).

use std::io;

use bytes::Bytes;
use crc32fast::Hasher;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

/// The gzip header: deflate, no name or time, unknown OS (RFC 1952 §2.3).
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// How a sync flush ends: the LEN and NLEN of an empty stored block.
const SYNC_MARKER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// An empty final block with fixed codes: BFINAL=1, BTYPE=01, end of block.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// A part of the text, deflated on its own, with what the trailer needs.
#[derive(Debug, Clone)]
pub struct DeflatedPart {
    /// Raw deflate blocks, none final, ending at a byte boundary.
    pub deflated: Bytes,
    crc: Hasher,
}

impl DeflatedPart {
    /// The length of the text it holds.
    pub fn text_len(&self) -> u64 {
        self.crc.total_len()
    }

    /// The text again, in pieces of [`PIECE`] bytes (the last one
    /// shorter), each allocated at its exact length.
    pub fn inflate(&self) -> Vec<Vec<u8>> {
        let length = self.text_len();
        let mut inflate = Decompress::new(false);
        let mut pieces = Vec::new();
        while inflate.total_out() < length {
            let room = (length - inflate.total_out()).min(PIECE as u64) as usize;
            let mut piece = Vec::with_capacity(room);
            while piece.len() < room {
                let (read, written) = (inflate.total_in(), piece.len());
                let input = &self.deflated[read as usize..];
                // A deflate this process made is valid and inflates to
                // exactly its text, so every call makes progress.
                let status = inflate.decompress_vec(input, &mut piece, FlushDecompress::Sync);
                assert!(
                    status.is_ok() && (inflate.total_in() > read || piece.len() > written),
                    "a deflated part inflates back to its {length} bytes: {status:?} at {}",
                    inflate.total_out()
                );
            }
            pieces.push(piece);
        }
        pieces
    }
}

/// The size of the pieces a part inflates to: small enough that the
/// allocator serves them from its heap, which it trims as they are freed,
/// rather than mapping each, which would raise the size above which it
/// maps (glibc's dynamic mmap threshold) and leave later buffers below that
/// size unreturned.
pub const PIECE: usize = 64 * 1024;

/// Text in, a [`DeflatedPart`] out: the text is compressed a chunk at a
/// time as it is written, so only the deflate is ever held whole.
#[derive(Debug)]
pub struct PartWriter {
    compress: Compress,
    /// Text written but not yet compressed, at most [`CHUNK`].
    pending: Vec<u8>,
    deflated: Vec<u8>,
    crc: Hasher,
}

/// How much text is gathered before it is compressed.
const CHUNK: usize = 64 * 1024;

impl Default for PartWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PartWriter {
    /// A part with no text yet, deflated at the fastest level (the
    /// exposition is so repetitive it still shrinks more than tenfold).
    pub fn new() -> Self {
        Self {
            compress: Compress::new(Compression::fast(), false),
            pending: Vec::with_capacity(CHUNK),
            deflated: Vec::new(),
            crc: Hasher::new(),
        }
    }

    /// The part: everything written, ending in a sync flush.
    pub fn finish(mut self) -> DeflatedPart {
        self.compress_pending(FlushCompress::Sync);
        self.deflated.shrink_to_fit();
        DeflatedPart { deflated: Bytes::from(self.deflated), crc: self.crc }
    }

    fn compress_pending(&mut self, flush: FlushCompress) {
        let pending = std::mem::take(&mut self.pending);
        self.compress(&pending, flush);
        // The buffer keeps its room for the next chunk.
        self.pending = pending;
        self.pending.clear();
    }

    fn compress(&mut self, text: &[u8], flush: FlushCompress) {
        self.crc.update(text);
        let start = self.compress.total_in();
        let mut consumed = 0;
        while consumed < text.len() {
            self.run(&text[consumed..], FlushCompress::None);
            consumed = (self.compress.total_in() - start) as usize;
        }
        if flush == FlushCompress::None {
            return;
        }
        // miniz_oxide may stop a flush short of its end, leaving room in
        // the buffer while it still holds output (the check flate2's own
        // writers make, and this one made, cut the last bytes of a part),
        // and only another sync request makes it go on. So: ask again until
        // the output ends with the sync marker of an empty stored block
        // and the last call did not fill its room. A repeated request adds
        // at most another empty stored block, which inflates to nothing.
        let mut idle_calls = 0;
        loop {
            let before = self.deflated.len();
            self.run(&[], flush);
            let full = self.deflated.len() == self.deflated.capacity();
            idle_calls = if self.deflated.len() == before { idle_calls + 1 } else { 0 };
            // Two calls in a row without output: the deflater holds nothing.
            if (!full && self.deflated.ends_with(&SYNC_MARKER)) || idle_calls == 2 {
                break;
            }
        }
    }

    /// One call of the deflater with room for its output.
    fn run(&mut self, text: &[u8], flush: FlushCompress) {
        self.deflated.reserve(text.len() / 8 + 4096);
        // Compressing into a Vec's spare room cannot fail: the stream is
        // only ever given input and flushed.
        let _ = self.compress.compress_vec(text, &mut self.deflated, flush);
    }
}

impl io::Write for PartWriter {
    fn write(&mut self, text: &[u8]) -> io::Result<usize> {
        if self.pending.len() + text.len() > CHUNK {
            self.compress_pending(FlushCompress::None);
        }
        if text.len() > CHUNK {
            self.compress(text, FlushCompress::None);
        } else {
            self.pending.extend_from_slice(text);
        }
        Ok(text.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Deflates `text` as a part of a larger stream.
pub fn deflate_part(text: &[u8]) -> DeflatedPart {
    let mut part = PartWriter::new();
    io::Write::write_all(&mut part, text).expect("writing to memory");
    part.finish()
}

/// The gzip stream of the parts' texts in order: the header, each part's
/// deflate shared (not copied), then the closing block and the trailer.
pub fn stitch<'a>(parts: impl IntoIterator<Item = &'a DeflatedPart>) -> Vec<Bytes> {
    let mut stream = vec![Bytes::from_static(&HEADER)];
    let mut crc = Hasher::new();
    for part in parts {
        crc.combine(&part.crc);
        stream.push(part.deflated.clone());
    }
    let length = crc.total_len();
    let mut trailer = FINAL_BLOCK.to_vec();
    trailer.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952 §2.3.1).
    trailer.extend_from_slice(&(length as u32).to_le_bytes());
    stream.push(Bytes::from(trailer));
    stream
}

#[cfg(test)]
mod tests;

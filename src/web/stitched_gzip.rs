//! One gzip stream made of parts deflated apart, so that a part which did
//! not change is not compressed again (as pigz joins its blocks): each part
//! is raw deflate ending in a sync flush, at a byte boundary and with no
//! final block; an empty final block closes the stream, and the CRC-32 of
//! the whole text is combined from the parts'. The result is a single gzip
//! member, which every client reads, not a concatenation of members, which
//! some do not.

use bytes::Bytes;
use crc32fast::Hasher;
use flate2::{Compress, Compression, FlushCompress};

/// The gzip header: deflate, no name or time, unknown OS (RFC 1952 §2.3).
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// An empty final block with fixed codes: BFINAL=1, BTYPE=01, end of block.
const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// A part of the text, deflated on its own, with what the trailer needs.
#[derive(Debug, Clone)]
pub struct DeflatedPart {
    /// Raw deflate blocks, none final, ending at a byte boundary.
    pub deflated: Bytes,
    crc: Hasher,
}

/// Deflates `text` at the fastest level (the exposition is so repetitive it
/// still shrinks more than tenfold) as a part of a larger stream.
pub fn deflate_part(text: &[u8]) -> DeflatedPart {
    let mut compress = Compress::new(Compression::fast(), false);
    let mut out = Vec::with_capacity(text.len() / 8 + 64);
    loop {
        let consumed = compress.total_in() as usize;
        // Compressing into a Vec's spare room cannot fail: the stream is
        // only ever given input and flushed.
        let _ = compress.compress_vec(&text[consumed..], &mut out, FlushCompress::Sync);
        // The flush is complete once all input is in and room was left over.
        if compress.total_in() as usize == text.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity().max(64));
    }
    let mut crc = Hasher::new();
    crc.update(text);
    DeflatedPart { deflated: Bytes::from(out), crc }
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

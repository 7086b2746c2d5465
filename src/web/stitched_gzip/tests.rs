//! Unit tests of `stitched_gzip`.

use std::io::Read as _;

use super::*;

fn gunzip(stream: &[Bytes]) -> Vec<u8> {
    let joined: Vec<u8> = stream.iter().flat_map(|b| b.iter().copied()).collect();
    let mut out = Vec::new();
    // A single-member reader: it would stop after the first member.
    flate2::read::GzDecoder::new(&joined[..]).read_to_end(&mut out).expect("valid gzip");
    out
}

#[test]
fn parts_deflated_apart_read_back_as_one_gzip_member_of_the_whole_text() {
    let texts: [&[u8]; 4] = [
        b"# HELP a first\na{x=\"1\"} 1\n",
        b"",
        &b"b{account_id=\"0a1b2c\"} 12.5\n".repeat(20_000),
        b"c 3\n",
    ];
    let parts: Vec<DeflatedPart> = texts.iter().map(|t| deflate_part(t)).collect();
    let stream = stitch(&parts);
    assert_eq!(gunzip(&stream), texts.concat());
    let size: usize = stream.iter().map(Bytes::len).sum();
    assert!(size * 20 < texts.concat().len(), "still compressed: {size} bytes");
}

#[test]
fn a_part_reused_in_another_stream_is_shared_not_copied() {
    let kept = deflate_part(&b"unchanged line\n".repeat(1000));
    let first = stitch([&kept, &deflate_part(b"x 1\n")]);
    let second = stitch([&kept, &deflate_part(b"x 2\n")]);
    assert_eq!(first[1].as_ptr(), second[1].as_ptr());
    assert!(gunzip(&second).ends_with(b"x 2\n"));
}

#[test]
fn nothing_at_all_is_a_valid_empty_gzip() {
    assert!(gunzip(&stitch([])).is_empty());
    assert!(gunzip(&stitch([&deflate_part(b"")])).is_empty());
}

#[test]
fn text_written_in_pieces_is_deflated_as_it_comes_and_inflates_back_alone() {
    let line = b"cloudflare_access_saml_certificate_info{account_id=\"0a1b\",serial=\"01\"} 1\n";
    let text = line.repeat(5_000);
    let mut writer = PartWriter::new();
    for piece in text.chunks(1000) {
        io::Write::write_all(&mut writer, piece).unwrap();
    }
    let written = writer.finish();
    assert_eq!(written.text_len(), text.len() as u64);
    assert!(written.deflated.len() * 20 < text.len(), "compressed: {} bytes", written.deflated.len());
    let pieces = written.inflate();
    assert_eq!(pieces.concat(), text);
    assert!(
        pieces.len() > 1
            && pieces.iter().all(|piece| piece.len() <= PIECE && piece.len() == piece.capacity())
    );
    // Parts never refer into one another: each inflates on its own.
    let (head, tail) = (deflate_part(b"# HELP a\n"), deflate_part(&text));
    assert_eq!(gunzip(&stitch([&head, &tail])), [&b"# HELP a\n"[..], &text].concat());
    assert_eq!((head.inflate().concat(), tail.inflate().concat()), (b"# HELP a\n".to_vec(), text));
    assert!(deflate_part(b"").inflate().is_empty());
}

#[test]
fn every_part_inflates_back_whole_whatever_its_size_and_how_it_was_written() {
    // Exposition-like text of many sizes, written in many chunk sizes: a
    // sync flush that stops while the deflater still holds output would
    // cut the part's last bytes (seen at 1,128,236 bytes, 596 short).
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..40 {
        let lines = 5_000 + (next() % 20_000) as usize;
        let text: Vec<u8> = (0..lines)
            .flat_map(|i| {
                format!("m{{account_id=\"{:032x}\",set=\"s{i}\"}} {}\n", next() % 7, next() % 1000)
                    .into_bytes()
            })
            .collect();
        // Small writes, as a text encoder makes them, and large ones.
        let chunk = if round % 2 == 0 { 1 + (next() % 64) as usize } else { 1 + (next() % 200_000) as usize };
        let mut writer = PartWriter::new();
        for piece in text.chunks(chunk) {
            io::Write::write_all(&mut writer, piece).unwrap();
        }
        let part = writer.finish();
        assert_eq!(part.inflate().concat(), text, "round {round}: {} bytes in chunks of {chunk}", text.len());
        assert_eq!(gunzip(&stitch([&part])), text, "round {round}");
    }
}

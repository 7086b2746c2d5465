//! Unit tests of `body`.

use std::future::poll_fn;

use super::*;

#[tokio::test]
async fn a_large_body_comes_out_whole_in_slices_with_a_turn_given_up_between_them() {
    let text: Bytes = (0..SLICE * 2 + 10).map(|i| (i % 251) as u8).collect::<Vec<_>>().into();
    let parts = [text.slice(..SLICE + 5), Bytes::new(), text.slice(SLICE + 5..)];
    let mut body = SharedBody::from_parts(parts);
    assert_eq!(body.size_hint().exact(), Some(text.len() as u64));
    let (mut received, mut frames, mut turns_given_up) = (Vec::new(), 0, 0);
    loop {
        let polled = poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx))).await;
        match polled {
            Poll::Pending => turns_given_up += 1,
            Poll::Ready(None) => break,
            Poll::Ready(Some(frame)) => {
                let data = frame.unwrap().into_data().unwrap();
                assert!(data.len() <= SLICE);
                received.extend_from_slice(&data);
                frames += 1;
            }
        }
    }
    assert_eq!(received, text, "every byte, in order");
    // 256 KiB + 5 is cut at the slice: a turn after each full slice only.
    assert_eq!((frames, turns_given_up), (4, 2), "a turn between slices, none after the last");
    assert!(body.is_end_stream());
}

#[test]
fn slicing_shares_the_bytes_instead_of_copying_them() {
    let text = Bytes::from(vec![7u8; SLICE + 1]);
    let mut body = SharedBody::new(text.clone());
    let waker = std::task::Waker::noop();
    let Poll::Ready(Some(Ok(frame))) = Pin::new(&mut body).poll_frame(&mut Context::from_waker(waker)) else {
        panic!("the first slice is ready at once");
    };
    assert_eq!(frame.into_data().unwrap().as_ptr(), text.as_ptr());
}

#[test]
fn an_empty_body_ends_at_once_and_says_so() {
    let body = SharedBody::empty();
    assert!(body.is_end_stream());
    assert_eq!(body.size_hint().exact(), Some(0));
}

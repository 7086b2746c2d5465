//! Unit tests of `shard`.

use super::*;

#[test]
fn the_hash_is_pinned_to_known_values() {
    // SHA-256("0123456789abcdef0123456789abcdef") starts 3eb1bd439947eb76.
    assert_eq!(hash_word("0123456789abcdef0123456789abcdef", 0), 0x3eb1_bd43_9947_eb76);
    assert_eq!(shard_of("0123456789abcdef0123456789abcdef", 3), 1);
    assert_eq!(shard_of("0123456789abcdef0123456789abcdef", 2), 0);
    assert_eq!(hash_word("acca0000000000000000000000000000", 0), 0xc5fc_99bd_c825_0005);
    assert_eq!(shard_of("acca0000000000000000000000000000", 3), 1);
    assert_eq!(shard_of("accb0000000000000000000000000000", 3), 0);
    assert!((slot_of("0123456789abcdef0123456789abcdef") - 0.162_489_259_336).abs() < 1e-9);
    assert!((slot_of("accb0000000000000000000000000000") - 0.292_129_665_249).abs() < 1e-9);
}

#[test]
fn the_hash_ignores_the_case_of_the_id() {
    let (lower, upper) = ("0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF");
    assert_eq!(hash_word(upper, 0), hash_word(lower, 0));
    assert_eq!(slot_of(upper), slot_of(lower));
}

#[test]
fn every_account_belongs_to_exactly_one_shard() {
    let shards: Vec<Shard> = (0..3).map(|n| Shard::new(n, 3).unwrap()).collect();
    let mut sizes = [0usize; 3];
    for i in 0..3000 {
        let id = format!("{i:032x}");
        let owners: Vec<u64> = shards.iter().filter(|s| s.owns(&id)).map(|s| s.ordinal()).collect();
        assert_eq!(owners.len(), 1, "{id} owned by {owners:?}");
        sizes[owners[0] as usize] += 1;
    }
    assert!(sizes.iter().all(|n| (850..1150).contains(n)), "uneven shards: {sizes:?}");
    assert!(Shard::ALL.owns("anything"));
}

#[test]
fn shards_that_do_not_exist_are_refused() {
    assert_eq!(Shard::new(0, 0), Err(ShardError::NoShards));
    assert_eq!(Shard::new(3, 3), Err(ShardError::OutOfRange { ordinal: 3, total: 3 }));
    assert_eq!(Shard::new(2, 3).map(|s| (s.ordinal(), s.total())), Ok((2, 3)));
}

#[test]
fn slots_fall_within_the_interval_and_spread() {
    let slots: Vec<f64> = (0..1000).map(|i| slot_of(&format!("acc{i:029}"))).collect();
    assert!(slots.iter().all(|s| (0.0..1.0).contains(s)));
    let first_half = slots.iter().filter(|s| **s < 0.5).count();
    assert!((400..600).contains(&first_half), "{first_half} of 1000 in the first half");
}

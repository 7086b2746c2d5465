//! Unit tests of `demo_data`.

use super::uuid;

#[test]
fn a_uuid_is_version_4_with_the_rfc_variant_and_lower_case_hex() {
    for _ in 0..64 {
        let id = uuid();
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f')), "{id}");
        assert!(groups[2].starts_with('4'), "version 4: {id}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "variant 10: {id}");
    }
}

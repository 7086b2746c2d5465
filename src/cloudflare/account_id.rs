//! Cloudflare's account IDs: 32 hexadecimal characters, lower-case as the
//! API returns them. Checked wherever an ID comes from outside the API
//! (flags, the config file, the state file) before it goes into a URL path
//! or a label.

/// `raw` as an account ID, lower-cased; why not otherwise.
pub fn parse_account_id(raw: &str) -> Result<String, String> {
    let hex = raw.chars().filter(char::is_ascii_hexdigit).count();
    if raw.len() == 32 && hex == 32 {
        return Ok(raw.to_ascii_lowercase());
    }
    let found = if hex == raw.chars().count() {
        format!("{} characters", raw.chars().count())
    } else {
        "characters other than 0-9 and a-f".to_owned()
    };
    Err(format!(
        "a Cloudflare account ID is 32 hexadecimal characters (the part after dash.cloudflare.com/ in the dashboard's address); this has {found}"
    ))
}

/// Whether `id` is an account ID as the API writes it (lower-case).
pub fn is_account_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_two_hex_digits_in_either_case_are_an_id() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(parse_account_id(&id.to_ascii_uppercase()).as_deref(), Ok(id));
        assert!(is_account_id(id) && !is_account_id(&id.to_ascii_uppercase()));
        assert!(parse_account_id("0123").unwrap_err().contains("has 4 characters"));
        assert!(parse_account_id("../x").unwrap_err().contains("other than 0-9 and a-f"));
        assert!(!is_account_id("good") && !is_account_id(""));
    }
}

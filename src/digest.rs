//! The SHA-256 digest as a value: 32 bytes, compared as bytes, read from and
//! written as the lowercase hex that `sha256sum` prints. The streaming hasher
//! is fed while bytes are written, so hashing costs no second pass.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use sha2::Digest;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    pub fn of(data: &[u8]) -> Sha256 {
        Sha256(sha2::Sha256::digest(data).into())
    }

    /// Hashes a file from disk with a large buffer.
    pub fn of_file(path: &Path) -> std::io::Result<Sha256> {
        Sha256::of_reader(&mut std::fs::File::open(path)?)
    }

    /// Hashes all that `reader` yields, with a large buffer.
    pub fn of_reader(reader: &mut impl Read) -> std::io::Result<Sha256> {
        let mut hasher = Hasher::default();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(hasher.finish());
            }
            hasher.update(&buf[..n]);
        }
    }

    /// 64 hex digits, either case (as `sha256sum` and GitHub write them).
    pub fn from_hex(text: &str) -> Option<Sha256> {
        let text = text.as_bytes();
        if text.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.chunks(2)) {
            *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Some(Sha256(bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl FromStr for Sha256 {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Sha256::from_hex(text).ok_or_else(|| format!("'{text}' is not a SHA-256 in hex"))
    }
}

impl serde::Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// SHA-256 fed chunk by chunk.
#[derive(Clone, Default)]
pub struct Hasher(sha2::Sha256);

impl Hasher {
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    pub fn finish(self) -> Sha256 {
        Sha256(self.0.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn empty_input_in_one_go_and_streamed() {
        assert_eq!(Sha256::of(b"").to_string(), EMPTY);
        let mut hasher = Hasher::default();
        hasher.update(b"");
        assert_eq!(hasher.finish(), Sha256::of(b""));
    }

    #[test]
    fn hex_of_either_case_parses_to_the_same_bytes() {
        let upper = EMPTY.to_ascii_uppercase();
        assert_eq!(Sha256::from_hex(&upper), Sha256::from_hex(EMPTY));
        assert_eq!(Sha256::from_hex(EMPTY).unwrap().to_string(), EMPTY);
    }

    #[test]
    fn malformed_hex_is_refused() {
        for bad in [
            "",
            &EMPTY[..63],
            &format!("{EMPTY}0"),
            &EMPTY.replace('e', "g"),
        ] {
            assert_eq!(Sha256::from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn serialized_as_hex_text() {
        let digest = Sha256::of(b"");
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{EMPTY}\""));
        assert_eq!(serde_json::from_str::<Sha256>(&json).unwrap(), digest);
        assert!(serde_json::from_str::<Sha256>("\"abc\"").is_err());
    }
}

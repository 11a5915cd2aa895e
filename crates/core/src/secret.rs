//! Tokens and secrets: random, shown once, stored only as a hash, compared in
//! constant time.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// A freshly made bearer token or secret. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// 256 random bits from the operating system, as 64 hex digits.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::backend(format!("random source: {e}")))?;
        Ok(Self(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token's text, to hand to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash to store.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The SHA-256 of a token. Tokens carry 256 random bits, so a fast unsalted hash
/// is enough: there is nothing to guess.
#[derive(Clone, Copy, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes a presented token.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Constant-time comparison with a presented token.
    pub fn verify(&self, presented: &str) -> bool {
        self.ct_eq(&Self::of(presented))
    }

    /// Constant-time equality: every byte is compared, whatever differs first.
    pub fn ct_eq(&self, other: &Self) -> bool {
        // Folding the differences and deciding once costs one optimisation barrier,
        // not one per byte as a byte-wise `ConstantTimeEq` does.
        let diff = self
            .0
            .iter()
            .zip(&other.0)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        diff.ct_eq(&0).into()
    }

    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The hash of a presented token, so that an operation taking either can be handed
/// the token's text or, when a caller has hashed it already, its hash.
impl From<&str> for TokenHash {
    fn from(presented: &str) -> Self {
        Self::of(presented)
    }
}

impl From<&String> for TokenHash {
    fn from(presented: &String) -> Self {
        Self::of(presented)
    }
}

impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl std::hash::Hash for TokenHash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_verify_only_themselves() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_eq!(a.expose().len(), 64, "256 bits as hex");
        assert_ne!(a, b);
        assert!(a.hash().verify(a.expose()));
        assert!(!a.hash().verify(b.expose()));
        assert!(!a.hash().verify(""));
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn hashes_differing_in_any_one_byte_are_unequal() {
        let base = Token::generate().unwrap().hash();
        assert!(base.ct_eq(&base));
        for at in [0, 15, 31] {
            let mut bytes = *base.as_bytes();
            bytes[at] ^= 0x80;
            assert!(!base.ct_eq(&TokenHash(bytes)), "byte {at}");
        }
        assert_eq!(TokenHash::from("x"), TokenHash::of("x"));
    }
}

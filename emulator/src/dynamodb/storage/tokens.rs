//! `ClientRequestToken`s of TransactWriteItems: for 10 minutes (emulated clock) after a
//! transaction succeeded, the same token with the same request answers as the first call
//! did without writing again, and with a different request is refused.
//!
//! Only successful transactions are remembered: a token whose request failed can be used
//! again at once. While the first request with a token runs, a second one is refused with
//! `TransactionInProgressException`, as DynamoDB does.

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::dynamodb::error::{DynamoError, Result};

/// How long a token is remembered after its transaction, in milliseconds.
pub const TOKEN_LIFETIME_MILLIS: i64 = 10 * 60 * 1000;

/// The write units one transaction consumed, per table, in first-use order.
pub type Units = Vec<(String, super::consumed::Consumed)>;

enum State {
    Running,
    Done { expires_at: i64, units: Units },
}

struct Entry {
    /// The request's identity, compared verbatim.
    fingerprint: String,
    state: State,
}

/// The tokens of one namespace.
#[derive(Default)]
pub struct ClientTokens {
    entries: Mutex<HashMap<String, Entry>>,
}

/// What a token says about a request.
pub enum TokenUse<'a> {
    /// First use: run the transaction; the guard remembers it once `done` is called and
    /// forgets the token if dropped before.
    New(TokenGuard<'a>),
    /// A repeat of a finished transaction: answer with its units, write nothing.
    Replay(Units),
}

impl ClientTokens {
    pub fn begin<'a>(&'a self, token: &str, fingerprint: String, now: i64) -> Result<TokenUse<'a>> {
        let mut entries = self.entries.lock();
        entries.retain(|_, e| match e.state {
            State::Running => true,
            State::Done { expires_at, .. } => expires_at > now,
        });
        if let Some(entry) = entries.get(token) {
            if entry.fingerprint != fingerprint {
                return Err(DynamoError::IdempotentParameterMismatch);
            }
            return match &entry.state {
                State::Running => Err(DynamoError::TransactionInProgress),
                State::Done { units, .. } => Ok(TokenUse::Replay(units.clone())),
            };
        }
        entries.insert(
            token.to_owned(),
            Entry {
                fingerprint,
                state: State::Running,
            },
        );
        Ok(TokenUse::New(TokenGuard {
            tokens: self,
            token: Some(token.to_owned()),
        }))
    }
}

/// A token whose transaction is running.
pub struct TokenGuard<'a> {
    tokens: &'a ClientTokens,
    token: Option<String>,
}

impl TokenGuard<'_> {
    /// The transaction succeeded at `now` with these units.
    pub fn done(mut self, units: Units, now: i64) {
        if let Some(token) = self.token.take() {
            if let Some(entry) = self.tokens.entries.lock().get_mut(&token) {
                entry.state = State::Done {
                    expires_at: now + TOKEN_LIFETIME_MILLIS,
                    units,
                };
            }
        }
    }
}

impl Drop for TokenGuard<'_> {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            self.tokens.entries.lock().remove(&token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(u: f64) -> Units {
        vec![(
            "t".to_owned(),
            super::super::consumed::Consumed::table_only(u),
        )]
    }

    #[test]
    fn tokens_replay_refuse_and_expire() {
        let tokens = ClientTokens::default();
        let TokenUse::New(guard) = tokens.begin("a", "one".into(), 0).unwrap() else {
            panic!("a new token")
        };
        // While the first request runs, a second one with the token is refused.
        assert!(matches!(
            tokens.begin("a", "one".into(), 0),
            Err(DynamoError::TransactionInProgress)
        ));
        guard.done(units(2.0), 0);
        assert!(matches!(
            tokens.begin("a", "one".into(), 1),
            Ok(TokenUse::Replay(u)) if u == units(2.0)
        ));
        assert!(matches!(
            tokens.begin("a", "two".into(), 1),
            Err(DynamoError::IdempotentParameterMismatch)
        ));
        // Expired: a new request.
        assert!(matches!(
            tokens.begin("a", "two".into(), TOKEN_LIFETIME_MILLIS),
            Ok(TokenUse::New(_))
        ));
        // A request that failed (its guard dropped without `done`) leaves the token free.
        assert!(matches!(
            tokens.begin("a", "three".into(), 0),
            Ok(TokenUse::New(_))
        ));
    }
}

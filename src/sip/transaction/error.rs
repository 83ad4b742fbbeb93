//! Errors of the transaction layer: a message that cannot be keyed, a response the TU sends to
//! a transaction that is gone or already answered, a request that cannot start a client
//! transaction. Each variant names the offending value and what was expected.

use super::TransactionKey;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TransactionError {
    #[error("header {name} is missing; a transaction needs it")]
    MissingHeader { name: &'static str },
    #[error("Via {value:?} is malformed: expected `SIP/2.0/transport host[:port];params`")]
    MalformedVia { value: String },
    #[error("CSeq {value:?} is malformed: expected `number METHOD`")]
    MalformedCSeq { value: String },
    #[error("top Via {via:?} has no branch starting with z9hG4bK; client transactions need one")]
    NoBranch { via: String },
    #[error("no server transaction {key:?} (it ended, or never existed)")]
    NoSuchTransaction { key: Box<TransactionKey> },
    #[error("transaction {key:?} already sent final response {status}; cannot send {attempted}")]
    FinalAlreadySent {
        key: Box<TransactionKey>,
        status: u16,
        attempted: u16,
    },
    #[error("a client transaction {key:?} exists already; use a new branch")]
    DuplicateClientTransaction { key: Box<TransactionKey> },
    #[error("{method} cannot start a client transaction (ACK for a 2xx is sent by the TU directly; expected another method)")]
    NotATransactionMethod { method: String },
    #[error("status {status} is not a valid response code (expected 100..=699)")]
    BadStatus { status: u16 },
}

//! The domain's errors, each with a stable code that the web layer maps to a status and
//! a Fluent message. Database messages never reach a shopper.

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("not found")]
    NotFound,
    #[error("invalid stored data: {0}")]
    Corrupt(String),
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The thing changed under the request (an edit raced another).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("search index: {0}")]
    Search(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl DomainError {
    /// Stable code, for logs and for the Fluent id `error-<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Database(_) | Self::Io(_) | Self::Search(_) => "unavailable",
            Self::NotFound => "not-found",
            Self::Corrupt(_) => "unavailable",
            Self::Invalid(_) => "invalid",
            Self::Conflict(_) => "conflict",
        }
    }
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

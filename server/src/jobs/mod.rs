//! Background work that runs beside the web server.

pub mod housekeeping;
pub mod outbox;
pub mod search_sync;

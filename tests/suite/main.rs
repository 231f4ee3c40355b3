//! The integration tests, as one test binary: each binary links polars, and a debug polars
//! binary is large, so one binary keeps CI's build time and disk use down.

mod common;

mod aligned_text;
mod corrupt;
mod diff;
mod gold;
mod grouped_projects;
mod incremental;
mod ops;
mod pdf;
mod placement;
mod profiles;
mod relayout;
mod roundtrip;
mod shard;
mod spill;
mod templates;
mod text_rows;
mod three_public_across;
mod three_public_text;
mod tolerance;

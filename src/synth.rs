//! Synthetic disclosures for tests and the sample archive (a dev tool, not part of the CLI).

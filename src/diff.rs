//! Two snapshots -> the cells that changed (placeholder until the diff issue is done).

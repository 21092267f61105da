//! XML reading: the positioned element tree the metadata readers map from.

pub mod tree;

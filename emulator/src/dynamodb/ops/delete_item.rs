//! DeleteItem (being written: see issue 2).

use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::{Ctx, Operation};

pub struct DeleteItem;

impl Operation for DeleteItem {
    type Input = serde::de::IgnoredAny;
    type Output = ();

    fn execute(_ctx: &Ctx, _input: Self::Input) -> Result<()> {
        Err(DynamoError::Internal(
            "DeleteItem is not implemented yet".into(),
        ))
    }
}

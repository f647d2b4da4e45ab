//! DeleteTable: removes the table and answers with its last description.

use serde::Serialize;

use super::describe_table::{checked_table_name, describe, Input, TableDescription};
use crate::dynamodb::error::{DynamoError, Result};
use crate::dynamodb::{Ctx, Operation};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub table_description: TableDescription,
}

pub struct DeleteTable;

impl Operation for DeleteTable {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let reference = checked_table_name(input.table_name)?;
        let found = ctx.table_named(&reference)?;
        if found.settings().deletion_protection {
            return Err(DynamoError::validation(
                "Resource cannot be deleted as it is currently protected against deletion. \
                 Disable deletion protection first.",
            ));
        }
        let table = ctx
            .db
            .catalog(ctx.ns)
            .and_then(|c| c.remove(&found.name))
            .ok_or_else(|| DynamoError::table_not_found(&reference))?;
        Ok(Output {
            table_description: describe(&table, "DELETING"),
        })
    }
}

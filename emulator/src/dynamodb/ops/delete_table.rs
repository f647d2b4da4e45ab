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
        let table = ctx.table_named(&reference)?;
        if table.settings().deletion_protection {
            return Err(DynamoError::validation(
                "Resource cannot be deleted as it is currently protected against deletion. \
                 Disable deletion protection first.",
            ));
        }
        ctx.check_changeable(&table)?;
        let now = ctx.now_millis();
        let gone_at = ctx.transition_end();
        let table = if gone_at > now {
            // Stays visible, DELETING, until the delay is over.
            table.deleted_at(gone_at);
            table
        } else {
            ctx.db
                .catalog(ctx.ns)
                .and_then(|c| c.remove(&table.name))
                .ok_or_else(|| DynamoError::table_not_found(&reference))?
        };
        Ok(Output {
            table_description: describe(&table, "DELETING", now),
        })
    }
}

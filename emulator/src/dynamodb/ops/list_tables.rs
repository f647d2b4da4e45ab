//! ListTables: names in order, paged by `ExclusiveStartTableName` and `Limit` (1-100).

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::{Constraints, Result};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub exclusive_start_table_name: Option<String>,
    pub limit: Option<i32>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub table_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_table_name: Option<String>,
}

pub struct ListTables;

impl Operation for ListTables {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        // DynamoDB reports the limit before the start name.
        match input.limit {
            Some(l) if l < 1 => c.fail(
                l,
                "limit",
                "Member must have value greater than or equal to 1",
            ),
            Some(l) if l > 100 => c.fail(
                l,
                "limit",
                "Member must have value less than or equal to 100",
            ),
            _ => {}
        }
        if let Some(start) = input.exclusive_start_table_name.as_deref() {
            // A name only (the `TableName` shape), unlike the `TableArn` of other operations.
            validate::name_constraints(&mut c, "exclusiveStartTableName", start);
        }
        c.finish()?;
        let limit = input.limit.unwrap_or(100) as usize;
        let (names, more) = ctx
            .db
            .catalog(ctx.ns)
            .inspect(|c| c.purge_gone(ctx.now_millis()))
            .map(|c| c.names_after(input.exclusive_start_table_name.as_deref(), limit))
            .unwrap_or_default();
        let last = if more { names.last().cloned() } else { None };
        Ok(Output {
            table_names: names,
            last_evaluated_table_name: last,
        })
    }
}

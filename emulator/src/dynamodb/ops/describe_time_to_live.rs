//! DescribeTimeToLive: `DISABLED` until enabled, then `ENABLED` with the attribute.

use serde::Serialize;

use super::describe_table::{checked_table_name, Input};
use crate::dynamodb::error::Result;
use crate::dynamodb::{Ctx, Operation};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveDescription {
    pub time_to_live_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub time_to_live_description: TimeToLiveDescription,
}

pub struct DescribeTimeToLive;

impl Operation for DescribeTimeToLive {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let name = checked_table_name(input.table_name)?;
        let table = ctx.table_named(&name)?;
        let ttl = table.ttl_state();
        let description = match ttl.attribute {
            Some(attribute) => TimeToLiveDescription {
                time_to_live_status: "ENABLED",
                attribute_name: Some(attribute),
            },
            None => TimeToLiveDescription {
                time_to_live_status: "DISABLED",
                attribute_name: None,
            },
        };
        Ok(Output {
            time_to_live_description: description,
        })
    }
}

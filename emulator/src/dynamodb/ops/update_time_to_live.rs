//! UpdateTimeToLive: enables or disables TTL on an attribute.
//!
//! Like DynamoDB, the change takes effect at once for the sweeper, and a second change
//! within an hour (of emulated time) is refused.

use crate::common::json;
use serde::{Deserialize, Serialize};

use crate::dynamodb::error::{Constraints, DynamoError, Result};
use crate::dynamodb::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub table_name: Option<String>,
    pub time_to_live_specification: Option<Specification>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Specification {
    pub attribute_name: Option<String>,
    #[serde(default, deserialize_with = "json::boolean")]
    pub enabled: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub time_to_live_specification: Specification,
}

const CHANGE_INTERVAL_MILLIS: i64 = 60 * 60 * 1000;

pub struct UpdateTimeToLive;

impl Operation for UpdateTimeToLive {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        validate::table_level_table_name(input.table_name.as_deref())?;
        let mut c = Constraints::new();
        validate::table_name(&mut c, "tableName", input.table_name.as_deref());
        match &input.time_to_live_specification {
            None => c.missing("timeToLiveSpecification"),
            Some(spec) => {
                match spec.attribute_name.as_deref() {
                    None => c.missing("timeToLiveSpecification.attributeName"),
                    Some(n) if n.len() > 255 => c.fail(
                        n,
                        "timeToLiveSpecification.attributeName",
                        "Member must have length less than or equal to 255",
                    ),
                    _ => {}
                }
                if spec.enabled.is_none() {
                    c.missing("timeToLiveSpecification.enabled");
                }
            }
        }
        c.finish()?;
        if input
            .time_to_live_specification
            .as_ref()
            .and_then(|s| s.attribute_name.as_deref())
            == Some("")
        {
            return Err(DynamoError::validation(
                "TimeToLiveSpecification.AttributeName must be non empty",
            ));
        }
        let name = input.table_name.unwrap_or_default();
        let spec = input.time_to_live_specification.unwrap_or(Specification {
            attribute_name: None,
            enabled: None,
        });
        let attribute = spec.attribute_name.clone().unwrap_or_default();
        let enable = spec.enabled.unwrap_or_default();
        let table = ctx.table_named(&name)?;
        let state = table.ttl_state();
        let now = ctx.now_millis();
        match (&state.attribute, enable) {
            (Some(_), true) => {
                return Err(DynamoError::validation("TimeToLive is already enabled"))
            }
            (None, false) => return Err(DynamoError::validation("TimeToLive is already disabled")),
            (Some(current), false) if *current != attribute => {
                return Err(DynamoError::validation(
                    "TimeToLive is active on a different AttributeName: current AttributeName is "
                        .to_owned()
                        + current,
                ))
            }
            _ => {}
        }
        if state
            .changed_at_millis
            .is_some_and(|at| now - at < CHANGE_INTERVAL_MILLIS)
        {
            return Err(DynamoError::validation(
                "Time to live has been modified multiple times within a fixed interval",
            ));
        }
        table.set_ttl(enable.then(|| attribute.clone()), now);
        Ok(Output {
            time_to_live_specification: Specification {
                attribute_name: Some(attribute),
                enabled: Some(enable),
            },
        })
    }
}

//! DescribeLimits: the account's and each table's capacity quotas, as DynamoDB's defaults
//! for a new account. The emulator never throttles, so they are informational only.

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::Result;
use crate::dynamodb::{Ctx, Operation};

/// DynamoDB's default quotas per account and region, and per table (provisioned units).
pub const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;
pub const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;

/// No members: anything sent is ignored, as DynamoDB ignores unknown members.
#[derive(Deserialize)]
pub struct Input {}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub account_max_read_capacity_units: i64,
    pub account_max_write_capacity_units: i64,
    pub table_max_read_capacity_units: i64,
    pub table_max_write_capacity_units: i64,
}

pub struct DescribeLimits;

impl Operation for DescribeLimits {
    type Input = Input;
    type Output = Output;

    fn execute(_ctx: &Ctx, _input: Input) -> Result<Output> {
        Ok(Output {
            account_max_read_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            account_max_write_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            table_max_read_capacity_units: TABLE_MAX_CAPACITY_UNITS,
            table_max_write_capacity_units: TABLE_MAX_CAPACITY_UNITS,
        })
    }
}

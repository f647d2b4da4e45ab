//! DescribeEndpoints: where clients should send their requests.
//!
//! DynamoDB answers its regional host (`dynamodb.<region>.amazonaws.com`). The emulator
//! answers its own address instead: SDKs that do endpoint discovery (the C++ SDK even when
//! given an explicit endpoint, aws-sdk-cpp#2554; others when it is turned on) send their
//! later requests to the address this returns, and the regional host would send a local
//! test's requests, with its credentials, to AWS. Only when the service runs without a
//! listener (requests dispatched in-process) is there no address of its own to give, and
//! the regional host is answered as DynamoDB would.

use serde::{Deserialize, Serialize};

use crate::dynamodb::error::Result;
use crate::dynamodb::{Ctx, Operation};

/// How long clients may cache the answer: DynamoDB's 24 hours.
const CACHE_PERIOD_MINUTES: i64 = 1440;

#[derive(Deserialize)]
pub struct Input {}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub endpoints: Vec<Endpoint>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Endpoint {
    pub address: String,
    pub cache_period_in_minutes: i64,
}

pub struct DescribeEndpoints;

impl Operation for DescribeEndpoints {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, _input: Input) -> Result<Output> {
        let address = ctx
            .address
            .map(str::to_owned)
            .unwrap_or_else(|| format!("dynamodb.{}.amazonaws.com", ctx.ns.region));
        Ok(Output {
            endpoints: vec![Endpoint {
                address,
                cache_period_in_minutes: CACHE_PERIOD_MINUTES,
            }],
        })
    }
}

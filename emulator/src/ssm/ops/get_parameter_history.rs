//! GetParameterHistory: every kept version of a parameter, oldest first.

use serde::{Deserialize, Serialize};

use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::model::HistoryOut;
use crate::ssm::store::key_of;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub name: Option<String>,
    pub with_decryption: Option<bool>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub parameters: Vec<HistoryOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub struct GetParameterHistory;

impl Operation for GetParameterHistory {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        validate::required_length(
            &mut c,
            "name",
            input.name.as_deref(),
            1,
            validate::MAX_NAME_LENGTH,
        );
        let size = validate::max_results(&mut c, input.max_results, 50, 50);
        c.finish()?;
        let name = input.name.unwrap_or_default();
        validate::name_characters(&name)?;
        let decrypt = input.with_decryption.unwrap_or(false);
        ctx.store.read(ctx.ns, |catalog| {
            let p = catalog
                .parameters
                .get(key_of(&name))
                .ok_or(SsmError::ParameterNotFound)?;
            // Zero-padded so the token's string order is the version order.
            let versions = p.versions.iter().map(|v| (format!("{:020}", v.version), v));
            let (page, next_token) = validate::page(versions, input.next_token.as_deref(), size)?;
            let parameters = page
                .into_iter()
                .map(|v| ctx.history_out(p, v, decrypt))
                .collect::<Result<Vec<_>>>()?;
            Ok(Output {
                parameters,
                next_token,
            })
        })
    }
}

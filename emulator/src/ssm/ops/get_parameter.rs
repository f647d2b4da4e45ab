//! GetParameter: one parameter by name, `name:version` or `name:label`.

use serde::{Deserialize, Serialize};

use super::resolve;
use crate::ssm::error::{Constraints, Result};
use crate::ssm::model::ParameterOut;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub name: Option<String>,
    pub with_decryption: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub parameter: ParameterOut,
}

pub struct GetParameter;

impl Operation for GetParameter {
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
        c.finish()?;
        let name = validate::name_ref(input.name.as_deref().unwrap_or_default())?;
        let decrypt = input.with_decryption.unwrap_or(false);
        ctx.store.read(ctx.ns, |catalog| {
            let (p, v) = resolve(catalog, &name)?;
            Ok(Output {
                parameter: ctx.parameter_out(p, v, decrypt, name.selector_text())?,
            })
        })
    }
}

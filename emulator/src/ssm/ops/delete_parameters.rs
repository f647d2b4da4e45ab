//! DeleteParameters: up to ten names; missing ones are reported, not an error.

use serde::{Deserialize, Serialize};

use crate::ssm::error::{Constraints, Result};
use crate::ssm::store::key_of;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub names: Option<Vec<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub deleted_parameters: Vec<String>,
    pub invalid_parameters: Vec<String>,
}

pub struct DeleteParameters;

impl Operation for DeleteParameters {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let names = input.names.unwrap_or_default();
        let mut c = Constraints::new();
        validate::list_length(&mut c, "names", &names, 1, 10);
        c.finish()?;
        ctx.store.write(ctx.ns, |catalog| {
            let mut out = Output {
                deleted_parameters: Vec::new(),
                invalid_parameters: Vec::new(),
            };
            for name in names {
                let valid = validate::name_characters(&name).is_ok();
                if valid && catalog.parameters.remove(key_of(&name)).is_some() {
                    out.deleted_parameters.push(name);
                } else if !out.invalid_parameters.contains(&name)
                    && !out.deleted_parameters.contains(&name)
                {
                    out.invalid_parameters.push(name);
                }
            }
            Ok(out)
        })
    }
}

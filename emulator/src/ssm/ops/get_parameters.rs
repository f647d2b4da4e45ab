//! GetParameters: up to ten names at once; the ones that do not resolve come back as
//! `InvalidParameters` rather than as an error.

use serde::{Deserialize, Serialize};

use super::resolve;
use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::model::ParameterOut;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub names: Option<Vec<String>>,
    pub with_decryption: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub parameters: Vec<ParameterOut>,
    pub invalid_parameters: Vec<String>,
}

pub struct GetParameters;

impl Operation for GetParameters {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let names = input.names.unwrap_or_default();
        let mut c = Constraints::new();
        validate::list_length(&mut c, "names", &names, 1, 10);
        c.finish()?;
        let mut unique: Vec<&String> = Vec::with_capacity(names.len());
        for n in &names {
            if !unique.contains(&n) {
                unique.push(n);
            }
        }
        let refs = unique
            .iter()
            .map(|n| validate::name_ref(n))
            .collect::<Result<Vec<_>>>()?;
        let decrypt = input.with_decryption.unwrap_or(false);
        ctx.store.read(ctx.ns, |catalog| {
            let mut out = Output {
                parameters: Vec::new(),
                invalid_parameters: Vec::new(),
            };
            for (raw, name) in unique.iter().zip(&refs) {
                match resolve(catalog, name) {
                    Ok((p, v)) => out.parameters.push(ctx.parameter_out(
                        p,
                        v,
                        decrypt,
                        name.selector_text(),
                    )?),
                    Err(SsmError::ParameterNotFound | SsmError::ParameterVersionNotFound(_)) => {
                        out.invalid_parameters.push((*raw).clone())
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        })
    }
}

//! GetParametersByPath: the parameters under a path, a page at a time.

use serde::{Deserialize, Serialize};

use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::filters::{self, Context, Filters, RawParameterFilter};
use crate::ssm::model::ParameterOut;
use crate::ssm::validate::{self, INVALID_PATH};
use crate::ssm::{Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub path: Option<String>,
    pub recursive: Option<bool>,
    pub parameter_filters: Option<Vec<RawParameterFilter>>,
    pub with_decryption: Option<bool>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub parameters: Vec<ParameterOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub struct GetParametersByPath;

impl Operation for GetParametersByPath {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        validate::required_length(
            &mut c,
            "path",
            input.path.as_deref(),
            1,
            validate::MAX_NAME_LENGTH,
        );
        let size = validate::max_results(&mut c, input.max_results, 10, 10);
        c.finish()?;
        let path = input.path.unwrap_or_default();
        if !filters::is_valid_path(&path) {
            return Err(SsmError::Validation(INVALID_PATH.to_owned()));
        }
        let filters = Filters::parse(
            input.parameter_filters.as_deref().unwrap_or_default(),
            Context::ByPath,
        )?;
        let recursive = input.recursive.unwrap_or(false);
        let decrypt = input.with_decryption.unwrap_or(false);
        ctx.store.read(ctx.ns, |catalog| {
            let matching = catalog
                .parameters
                .iter()
                .filter(|(key, _)| filters::under_path(key, &path, recursive))
                .filter_map(|(key, p)| filters.select(p).map(|v| (key, (p, v))));
            let (page, next_token) = validate::page(matching, input.next_token.as_deref(), size)?;
            let parameters = page
                .into_iter()
                .map(|(p, v)| ctx.parameter_out(p, v, decrypt, None))
                .collect::<Result<Vec<_>>>()?;
            Ok(Output {
                parameters,
                next_token,
            })
        })
    }
}

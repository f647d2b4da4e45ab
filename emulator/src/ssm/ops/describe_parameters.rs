//! DescribeParameters: metadata (never values) of the parameters that pass the filters.

use serde::{Deserialize, Serialize};

use crate::ssm::error::{Constraints, Result, SsmError};
use crate::ssm::filters::{Context, Filters, RawLegacyFilter, RawParameterFilter};
use crate::ssm::model::MetadataOut;
use crate::ssm::{validate, Ctx, Operation};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Input {
    pub filters: Option<Vec<RawLegacyFilter>>,
    pub parameter_filters: Option<Vec<RawParameterFilter>>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub parameters: Vec<MetadataOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

pub struct DescribeParameters;

impl Operation for DescribeParameters {
    type Input = Input;
    type Output = Output;

    fn execute(ctx: &Ctx, input: Input) -> Result<Output> {
        let mut c = Constraints::new();
        let size = validate::max_results(&mut c, input.max_results, 50, 50);
        c.finish()?;
        let filters = match (&input.filters, &input.parameter_filters) {
            (Some(_), Some(_)) => {
                return Err(SsmError::Validation(
                    "You can use either Filters or ParameterFilters in a single request."
                        .to_owned(),
                ))
            }
            (Some(legacy), None) => Filters::from_legacy(legacy)?,
            (None, Some(f)) => Filters::parse(f, Context::Describe)?,
            (None, None) => Filters::default(),
        };
        ctx.store.read(ctx.ns, |catalog| {
            let matching = catalog
                .parameters
                .iter()
                .filter_map(|(key, p)| filters.select(p).map(|v| (key, (p, v))));
            let (page, next_token) = validate::page(matching, input.next_token.as_deref(), size)?;
            Ok(Output {
                parameters: page
                    .into_iter()
                    .map(|(p, v)| ctx.metadata_out(p, v))
                    .collect(),
                next_token,
            })
        })
    }
}

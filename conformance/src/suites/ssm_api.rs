//! The SSM Parameter Store behaviour the key repositories rely on: overwrite and version
//! rules, and GetParametersByPath paging.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use aws_sdk_ssm::types::ParameterType;
use proptest::prelude::*;

use super::api::{service_error, ServiceError};
use crate::check::{steps, CaseError, CaseResult, Ctx, Outcome, Steps};
use crate::ensure;
use crate::registry::Property;

pub fn properties() -> Vec<Property> {
    vec![
        Property {
            suite: "ssm-api",
            name: "overwrite-and-versions",
            about: "PutParameter with and without Overwrite, GetParameter by name and \
                    name:version, DeleteParameter agree with a model of versions",
            known_failure: None,
            run: overwrite_and_versions,
        },
        Property {
            suite: "ssm-api",
            name: "by-path-paging",
            about: "GetParametersByPath with MaxResults and NextToken returns every parameter \
                    of the level (or subtree) once, decrypted, whatever the page size",
            known_failure: None,
            run: by_path_paging,
        },
    ]
}

/// The case's own path under the run's root.
fn case_path(ctx: &Ctx, tag: &str) -> String {
    format!(
        "{}/{tag}{}",
        ctx.resources.parameter_root(),
        ctx.resources.next_case()
    )
}

fn kind(secure: bool) -> ParameterType {
    if secure {
        ParameterType::SecureString
    } else {
        ParameterType::String
    }
}

// ---------------------------------------------------------------------------------------
// Overwrite and versions

#[derive(Clone, Debug)]
enum Op {
    Put {
        name: usize,
        value: u8,
        overwrite: bool,
    },
    Get {
        name: usize,
    },
    GetVersion {
        name: usize,
        version: i64,
    },
    Delete {
        name: usize,
    },
}

/// Name 0 is a String, name 1 a SecureString (types never change under a name here).
const NAMES: [&str; 2] = ["plain", "secret"];

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Put {
                name,
                value,
                overwrite,
            } => write!(
                f,
                "PutParameter {} = \"v{value}\"{}",
                NAMES[*name],
                if *overwrite { ", Overwrite" } else { "" }
            ),
            Op::Get { name } => write!(f, "GetParameter {}", NAMES[*name]),
            Op::GetVersion { name, version } => {
                write!(f, "GetParameter {}:{version}", NAMES[*name])
            }
            Op::Delete { name } => write!(f, "DeleteParameter {}", NAMES[*name]),
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 0..5u8, any::<bool>())
            .prop_map(|(name, value, overwrite)| Op::Put { name, value, overwrite }),
        2 => (0..2usize).prop_map(|name| Op::Get { name }),
        2 => (0..2usize, 1..5i64).prop_map(|(name, version)| Op::GetVersion { name, version }),
        1 => (0..2usize).prop_map(|name| Op::Delete { name }),
    ]
}

fn error(code: &str, message: Option<String>) -> ServiceError {
    ServiceError {
        code: code.into(),
        message: message.unwrap_or_default(),
    }
}

fn overwrite_and_versions(ctx: &Ctx) -> Outcome {
    ctx.check(steps(op(), 12), |steps: Steps<Op>| async move {
        let path = case_path(ctx, "v");
        let ssm = &ctx.target.ssm;
        // Each name's values, version 1 first; empty or absent: no parameter.
        let mut model: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        for (i, op) in steps.0.iter().enumerate() {
            let fail = |why: String| CaseError::Fail(format!("step {} ({op}): {why}", i + 1));
            let full = |name: usize| format!("{path}/{}", NAMES[name]);
            match op {
                Op::Put { name, value, overwrite } => {
                    let answer = ssm
                        .put_parameter()
                        .name(full(*name))
                        .value(format!("v{value}"))
                        .r#type(kind(*name == 1))
                        .overwrite(*overwrite)
                        .send()
                        .await;
                    let exists = !model[*name].is_empty();
                    match answer {
                        Ok(out) => {
                            if exists && !*overwrite {
                                return Err(fail(
                                    "succeeded over an existing parameter without Overwrite".into(),
                                ));
                            }
                            model[*name].push(format!("v{value}"));
                            let expected = model[*name].len() as i64;
                            if out.version() != expected {
                                return Err(fail(format!(
                                    "answered version {}, expected {expected}",
                                    out.version()
                                )));
                            }
                        }
                        Err(e) => {
                            let got = service_error(e).map_err(fail)?;
                            if !(exists && !*overwrite && got.code == "ParameterAlreadyExists") {
                                return Err(fail(format!("answered {got:?}")));
                            }
                        }
                    }
                }
                Op::Get { name } | Op::GetVersion { name, .. } => {
                    let selector = match op {
                        Op::GetVersion { version, .. } => format!("{}:{version}", full(*name)),
                        _ => full(*name),
                    };
                    let answer = ssm
                        .get_parameter()
                        .name(&selector)
                        .with_decryption(true)
                        .send()
                        .await;
                    let versions = &model[*name];
                    let wanted = match op {
                        Op::GetVersion { version, .. } => *version,
                        _ => versions.len() as i64,
                    };
                    let expected = match (versions.is_empty(), versions.get((wanted - 1) as usize)) {
                        (true, _) => Err(error("ParameterNotFound", None)),
                        (false, Some(value)) => Ok((value.clone(), wanted)),
                        (false, None) => Err(error(
                            "ParameterVersionNotFound",
                            Some(format!(
                                "Systems Manager could not find version {wanted} of {}. Verify the version and try again.",
                                full(*name)
                            )),
                        )),
                    };
                    let got = match answer {
                        Ok(out) => {
                            let p = out.parameter();
                            Ok((
                                p.and_then(|p| p.value()).unwrap_or_default().to_owned(),
                                p.map(|p| p.version()).unwrap_or_default(),
                            ))
                        }
                        Err(e) => Err(service_error(e).map_err(fail)?),
                    };
                    let agrees = match (&got, &expected) {
                        (Ok(g), Ok(e)) => g == e,
                        // ParameterNotFound's message is empty on AWS; only codes compare.
                        (Err(g), Err(e)) if e.message.is_empty() => g.code == e.code,
                        (Err(g), Err(e)) => g == e,
                        _ => false,
                    };
                    if !agrees {
                        return Err(fail(format!(
                            "GetParameter {selector} answered {got:?}, the model expects {expected:?}"
                        )));
                    }
                }
                Op::Delete { name } => {
                    let answer = ssm.delete_parameter().name(full(*name)).send().await;
                    let existed = !model[*name].is_empty();
                    model[*name].clear();
                    match answer {
                        Ok(_) if existed => {}
                        Ok(_) => return Err(fail("deleting a missing parameter succeeded".into())),
                        Err(e) => {
                            let got = service_error(e).map_err(fail)?;
                            if existed || got.code != "ParameterNotFound" {
                                return Err(fail(format!("answered {got:?}")));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// GetParametersByPath paging

#[derive(Clone, Debug)]
struct PagingCase {
    /// Parameters directly under the case path (`true`: SecureString).
    level: Vec<bool>,
    /// Parameters one level deeper, under `<path>/sub/`.
    deeper: usize,
    max_results: i32,
    recursive: bool,
}

fn by_path_paging(ctx: &Ctx) -> Outcome {
    let strategy = (
        proptest::collection::vec(any::<bool>(), 0..12),
        0..4usize,
        1..=10i32,
        any::<bool>(),
    )
        .prop_map(|(level, deeper, max_results, recursive)| PagingCase {
            level,
            deeper,
            max_results,
            recursive,
        });
    ctx.check(strategy, |case| async move { paging_case(ctx, case).await })
}

async fn paging_case(ctx: &Ctx, case: PagingCase) -> CaseResult {
    let ssm = &ctx.target.ssm;
    let path = case_path(ctx, "p");
    let mut expected = BTreeMap::new();
    let names = case
        .level
        .iter()
        .enumerate()
        .map(|(i, secure)| (format!("{path}/p{i:02}"), *secure, true))
        .chain((0..case.deeper).map(|i| (format!("{path}/sub/d{i}"), false, case.recursive)));
    for (name, secure, listed) in names {
        let value = format!("value of {name}");
        ssm.put_parameter()
            .name(&name)
            .value(&value)
            .r#type(kind(secure))
            .send()
            .await
            .map_err(|e| format!("PutParameter {name}: {}", crate::sdk_error(&e)))?;
        if listed {
            expected.insert(name, value);
        }
    }
    let mut seen = BTreeMap::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        ensure!(
            pages <= 50,
            "more than 50 pages for {} parameters",
            expected.len()
        );
        let page = ssm
            .get_parameters_by_path()
            .path(&path)
            .recursive(case.recursive)
            .with_decryption(true)
            .max_results(case.max_results)
            .set_next_token(token.take())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                return Err(CaseError::Fail(format!(
                    "GetParametersByPath answered {:?}",
                    service_error(e)?
                )))
            }
        };
        ensure!(
            page.parameters().len() <= case.max_results as usize,
            "a page of {} parameters with MaxResults {}",
            page.parameters().len(),
            case.max_results
        );
        for p in page.parameters() {
            let name = p.name().unwrap_or_default().to_owned();
            let value = p.value().unwrap_or_default().to_owned();
            ensure!(
                seen.insert(name.clone(), value).is_none(),
                "{name} came back twice"
            );
        }
        // Empty pages with a NextToken are allowed: keep following it.
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    let unexpected: BTreeSet<_> = seen.keys().filter(|k| !expected.contains_key(*k)).collect();
    let missing: BTreeSet<_> = expected.keys().filter(|k| !seen.contains_key(*k)).collect();
    ensure!(
        unexpected.is_empty() && missing.is_empty(),
        "listing returned {unexpected:?} it should not and missed {missing:?}"
    );
    ensure!(
        seen == expected,
        "values differ: got {seen:?}, expected {expected:?}"
    );
    Ok(())
}

//! Property test: random puts, overwrites and deletes under random paths, checked against a
//! plain in-memory model. GetParametersByPath (recursive or not, every page size) and
//! GetParameterHistory must always agree with it.
//!
//! Requests go straight to `Ssm::dispatch` with JSON bodies: the wire path is covered by
//! tests/ssm.rs, and skipping HTTP lets each case run hundreds of requests quickly.

use std::collections::BTreeMap;

use emulator::common::{Namespace, Service};
use emulator::ssm::Ssm;
use emulator::Clock;
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone)]
enum Step {
    Put {
        name: String,
        value: String,
        overwrite: bool,
    },
    Delete {
        name: String,
    },
}

/// Names from a small alphabet so that steps collide, nest and share prefixes; a top-level
/// name may come without its leading slash (`a` is `/a`).
fn name() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(vec!["a", "b", "ab", "c"]), 1..=3),
        any::<bool>(),
    )
        .prop_map(|(segments, slash)| {
            let joined = segments.join("/");
            if segments.len() == 1 && !slash {
                joined
            } else {
                format!("/{joined}")
            }
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (name(), "[a-z0-9]{1,6}", any::<bool>()).prop_map(|(name, value, overwrite)| Step::Put { name, value, overwrite }),
        1 => name().prop_map(|name| Step::Delete { name }),
    ]
}

/// The model: key (name without leading slash) -> (name as first written, values by version).
type Model = BTreeMap<String, (String, Vec<String>)>;

fn key(name: &str) -> String {
    name.trim_start_matches('/').to_owned()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Param {
    name: String,
    value: String,
    version: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    parameters: Vec<Param>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody {
    #[serde(rename = "__type")]
    kind: String,
}

fn call(ssm: &Ssm, ns: &Namespace, op: &str, body: serde_json::Value) -> Result<Vec<u8>, String> {
    ssm.dispatch(ns, op, body.to_string().as_bytes(), "rid")
        .map_err(|e| {
            serde_json::from_slice::<ErrorBody>(&e.body)
                .map(|b| b.kind)
                .unwrap_or_default()
        })
}

fn apply(ssm: &Ssm, ns: &Namespace, model: &mut Model, step: &Step) {
    match step {
        Step::Put {
            name,
            value,
            overwrite,
        } => {
            let result = call(
                ssm,
                ns,
                "PutParameter",
                json!({"Name": name, "Value": value, "Type": "String", "Overwrite": overwrite}),
            );
            match model.get_mut(&key(name)) {
                Some(_) if !overwrite => assert_eq!(result.unwrap_err(), "ParameterAlreadyExists"),
                Some((_, versions)) => {
                    result.unwrap();
                    versions.push(value.clone());
                }
                None => {
                    result.unwrap();
                    model.insert(key(name), (name.clone(), vec![value.clone()]));
                }
            }
        }
        Step::Delete { name } => {
            let result = call(ssm, ns, "DeleteParameter", json!({"Name": name}));
            match model.remove(&key(name)) {
                Some(_) => {
                    result.unwrap();
                }
                None => assert_eq!(result.unwrap_err(), "ParameterNotFound"),
            }
        }
    }
}

/// What GetParametersByPath should return, in order: (name, value, version).
fn expected_under(model: &Model, path: &str, recursive: bool) -> Vec<(String, String, i64)> {
    let prefix = key(path);
    model
        .iter()
        .filter(|(k, _)| {
            let rest = if prefix.is_empty() {
                Some(k.as_str())
            } else {
                k.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/'))
            };
            rest.is_some_and(|r| !r.is_empty() && (recursive || !r.contains('/')))
        })
        .map(|(_, (name, values))| {
            (
                name.clone(),
                values.last().cloned().unwrap_or_default(),
                values.len() as i64,
            )
        })
        .collect()
}

fn by_path(
    ssm: &Ssm,
    ns: &Namespace,
    path: &str,
    recursive: bool,
    size: i64,
) -> Vec<(String, String, i64)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"Path": path, "Recursive": recursive, "MaxResults": size});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page: Page =
            serde_json::from_slice(&call(ssm, ns, "GetParametersByPath", body).unwrap()).unwrap();
        assert!(page.parameters.len() as i64 <= size);
        out.extend(
            page.parameters
                .into_iter()
                .map(|p| (p.name, p.value, p.version)),
        );
        match page.next_token {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

fn history(ssm: &Ssm, ns: &Namespace, name: &str, size: i64) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"Name": name, "MaxResults": size});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page: Page =
            serde_json::from_slice(&call(ssm, ns, "GetParameterHistory", body).unwrap()).unwrap();
        out.extend(page.parameters.into_iter().map(|p| (p.value, p.version)));
        match page.next_token {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn by_path_and_history_agree_with_model(steps in prop::collection::vec(step(), 1..60)) {
        let ssm = Ssm::new(Clock::default());
        let ns = Namespace::new("prop", "us-east-1");
        let mut model = Model::new();
        for s in &steps {
            apply(&ssm, &ns, &mut model, s);
        }
        for path in ["/", "/a", "/b", "/ab", "/a/b", "/c/a", "/a/ab/c"] {
            for recursive in [false, true] {
                let expected = expected_under(&model, path, recursive);
                for size in 1..=10 {
                    prop_assert_eq!(
                        &by_path(&ssm, &ns, path, recursive, size),
                        &expected,
                        "path {} recursive {} size {}", path, recursive, size
                    );
                }
            }
        }
        for (name, values) in model.values() {
            let expected: Vec<(String, i64)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.clone(), i as i64 + 1))
                .collect();
            for size in [1, 3, 50] {
                prop_assert_eq!(&history(&ssm, &ns, name, size), &expected);
            }
        }
    }
}

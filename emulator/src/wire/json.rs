//! Parsing request bodies into typed inputs, with the failure classified so each service
//! can word it as its real counterpart does.

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonProblem {
    /// Not JSON at all (or cut short).
    Syntax,
    /// JSON, but a member has the wrong type; `found` and `expected` are in the Java/Coral
    /// vocabulary DynamoDB uses (`NUMBER_VALUE`, `String`, ...).
    WrongType { found: String, expected: String },
    /// Some other data problem (unknown enum value, recursion limit, ...).
    Other(String),
}

/// Parses a request body; an empty body is read as `{}` (operations without input).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, JsonProblem> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| classify(&e))
}

fn classify(e: &serde_json::Error) -> JsonProblem {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => JsonProblem::Syntax,
        Category::Data => {
            let text = e.to_string();
            match text
                .strip_prefix("invalid type: ")
                .and_then(|rest| rest.split_once(", expected "))
            {
                Some((found, expected)) => {
                    let found = found_token(found);
                    let expected =
                        expected_type(expected.split(" at line").next().unwrap_or(expected));
                    let scalar_expected = !matches!(expected, "Structure" | "List");
                    // Coral names a container where a scalar belongs by where it starts.
                    match found {
                        "START_OBJECT" if scalar_expected => JsonProblem::Other(
                            "Start of structure or map found where not expected".to_owned(),
                        ),
                        "START_ARRAY" if scalar_expected => {
                            JsonProblem::Other("Start of list found where not expected".to_owned())
                        }
                        _ => JsonProblem::WrongType {
                            found: found.to_owned(),
                            expected: expected.to_owned(),
                        },
                    }
                }
                None => {
                    JsonProblem::Other(text.split(" at line").next().unwrap_or(&text).to_owned())
                }
            }
        }
    }
}

fn found_token(found: &str) -> &'static str {
    if found.starts_with("integer") {
        "NUMBER_VALUE"
    } else if found.starts_with("floating point") {
        "DECIMAL_VALUE"
    } else if found.starts_with("string") {
        "STRING_VALUE"
    } else if found == "boolean `true`" {
        "TRUE_VALUE"
    } else if found.starts_with("boolean") {
        "FALSE_VALUE"
    } else if found.starts_with("map") {
        "START_OBJECT"
    } else if found.starts_with("sequence") {
        "START_ARRAY"
    } else {
        "VALUE_NULL"
    }
}

fn expected_type(expected: &str) -> &'static str {
    if expected.contains("string") {
        "String"
    } else if expected.contains("bool") {
        "Boolean"
    } else if expected.contains("i64") || expected.contains("u64") {
        "Long"
    } else if expected.contains("i32") || expected.contains("u32") || expected.contains("integer") {
        "Integer"
    } else if expected.contains("f64") || expected.contains("f32") {
        "Double"
    } else if expected.contains("sequence") {
        "List"
    } else {
        "Structure"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        #[serde(rename = "Name")]
        name: Option<String>,
        #[serde(rename = "Limit")]
        limit: Option<i32>,
    }

    #[test]
    fn classifies_failures() {
        assert_eq!(parse::<T>(b"{").unwrap_err(), JsonProblem::Syntax);
        assert_eq!(
            parse::<T>(br#"{"Name": 5}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "NUMBER_VALUE".into(),
                expected: "String".into()
            }
        );
        assert_eq!(
            parse::<T>(br#"{"Limit": "x"}"#).unwrap_err(),
            JsonProblem::WrongType {
                found: "STRING_VALUE".into(),
                expected: "Integer".into()
            }
        );
        assert_eq!(
            parse::<T>(br#"{"Name": {}}"#).unwrap_err(),
            JsonProblem::Other("Start of structure or map found where not expected".into())
        );
        assert!(parse::<T>(b"").is_ok());
    }
}

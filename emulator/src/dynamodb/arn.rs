//! Table ARNs. Every operation that takes a `TableName` also takes the table's ARN
//! (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`), and the tagging
//! operations take only the ARN; both read it through [`parse_table_arn`].

use crate::common::ACCOUNT_ID;

/// The ARN DynamoDB gives a table of this name in this region.
pub fn table_arn(region: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}")
}

/// Whether a table reference is an ARN rather than a name: names cannot contain `:`.
pub fn is_arn(reference: &str) -> bool {
    reference.starts_with("arn:")
}

/// The parts of a table ARN that decide which table it names.
#[derive(Debug, PartialEq, Eq)]
pub struct TableArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

impl TableArn<'_> {
    /// Whether the ARN names a table of this emulator's account in this region; any other
    /// account or region holds no tables here.
    pub fn is_local(&self, region: &str) -> bool {
        self.region == region && self.account == ACCOUNT_ID
    }
}

/// Why a string is not a table ARN; the callers word each case as their operation does.
#[derive(Debug, PartialEq, Eq)]
pub enum ArnProblem {
    /// Does not start with `arn:`.
    NotArn,
    /// Fewer than six `:`-separated parts, or no `table/` resource.
    Malformed,
    /// Another service's ARN.
    NotDynamoDb,
    /// A DynamoDB ARN of something below a table (an index, a stream, a backup).
    NotTable,
}

pub fn parse_table_arn(arn: &str) -> Result<TableArn<'_>, ArnProblem> {
    if !is_arn(arn) {
        return Err(ArnProblem::NotArn);
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, region, account, resource] = parts[..] else {
        return Err(ArnProblem::Malformed);
    };
    if service != "dynamodb" {
        return Err(ArnProblem::NotDynamoDb);
    }
    let Some(name) = resource.strip_prefix("table/") else {
        return Err(ArnProblem::Malformed);
    };
    if name.contains('/') {
        return Err(ArnProblem::NotTable);
    }
    if name.is_empty() {
        return Err(ArnProblem::Malformed);
    }
    Ok(TableArn {
        region,
        account,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_problems() {
        let arn = table_arn("eu-west-1", "Sessions");
        let parsed = parse_table_arn(&arn).unwrap();
        assert_eq!(parsed.name, "Sessions");
        assert!(parsed.is_local("eu-west-1"));
        assert!(!parsed.is_local("us-east-1"));
        assert_eq!(parse_table_arn("Sessions"), Err(ArnProblem::NotArn));
        assert_eq!(
            parse_table_arn("arn:aws:dynamodb"),
            Err(ArnProblem::Malformed)
        );
        assert_eq!(
            parse_table_arn("arn:aws:s3:::bucket/key:x"),
            Err(ArnProblem::NotDynamoDb)
        );
        assert_eq!(
            parse_table_arn("arn:aws:dynamodb:us-east-1:000000000000:table/T/index/I"),
            Err(ArnProblem::NotTable)
        );
        assert_eq!(
            parse_table_arn("arn:aws:dynamodb:us-east-1:000000000000:table/"),
            Err(ArnProblem::Malformed)
        );
    }
}

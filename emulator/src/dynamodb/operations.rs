//! Every operation of the DynamoDB API (`DynamoDB_20120810`), as the SDK service models list
//! them (aws-sdk-dynamodb 1.136). The list tells a real operation the emulator does not
//! implement, answered with a message that says so, from a typo, answered as DynamoDB
//! answers an unknown target: a bare `UnknownOperationException`.

use std::sync::atomic::{AtomicBool, Ordering};

use super::DynamoError;

pub const ALL: [&str; 58] = [
    "BatchExecuteStatement",
    "BatchGetItem",
    "BatchWriteItem",
    "CreateBackup",
    "CreateGlobalTable",
    "CreateTable",
    "DeleteBackup",
    "DeleteItem",
    "DeleteResourcePolicy",
    "DeleteTable",
    "DescribeBackup",
    "DescribeContinuousBackups",
    "DescribeContributorInsights",
    "DescribeEndpoints",
    "DescribeExport",
    "DescribeGlobalTable",
    "DescribeGlobalTableSettings",
    "DescribeImport",
    "DescribeKinesisStreamingDestination",
    "DescribeLimits",
    "DescribeTable",
    "DescribeTableReplicaAutoScaling",
    "DescribeTimeToLive",
    "DisableKinesisStreamingDestination",
    "EnableKinesisStreamingDestination",
    "ExecuteStatement",
    "ExecuteTransaction",
    "ExportTableToPointInTime",
    "GetItem",
    "GetResourcePolicy",
    "ImportTable",
    "ListBackups",
    "ListContributorInsights",
    "ListExports",
    "ListGlobalTables",
    "ListImports",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "PutResourcePolicy",
    "Query",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "Scan",
    "SearchVectors",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateContinuousBackups",
    "UpdateContributorInsights",
    "UpdateGlobalTable",
    "UpdateGlobalTableSettings",
    "UpdateItem",
    "UpdateKinesisStreamingDestination",
    "UpdateTable",
    "UpdateTableReplicaAutoScaling",
    "UpdateTimeToLive",
];

/// One flag per operation: each unsupported one is logged once, not on every request.
static WARNED: [AtomicBool; ALL.len()] = [const { AtomicBool::new(false) }; ALL.len()];

/// The answer for an operation name the dispatcher does not implement.
pub fn unknown(op: &str) -> DynamoError {
    let Some(index) = ALL.iter().position(|known| *known == op) else {
        return DynamoError::UnknownOperation;
    };
    if !WARNED[index].swap(true, Ordering::Relaxed) {
        tracing::warn!(
            operation = ALL[index],
            "a client called a DynamoDB operation the emulator does not support"
        );
    }
    DynamoError::Unsupported(ALL[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_operations_are_told_from_typos() {
        assert_eq!(unknown("Query"), DynamoError::Unsupported("Query"));
        assert_eq!(unknown("Query"), DynamoError::Unsupported("Query"));
        assert_eq!(unknown("Qeury"), DynamoError::UnknownOperation);
        assert_eq!(unknown("query"), DynamoError::UnknownOperation);
        let mut sorted = ALL;
        sorted.sort_unstable();
        assert_eq!(
            sorted, ALL,
            "kept sorted, so a missing name is easy to spot"
        );
    }
}

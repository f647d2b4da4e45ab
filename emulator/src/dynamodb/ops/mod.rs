//! One module per DynamoDB operation, routed by the name after `DynamoDB_20120810.`.

pub mod batch_get_item;
pub mod batch_write_item;
pub mod create_table;
pub mod delete_item;
pub mod delete_table;
pub mod describe_endpoints;
pub mod describe_limits;
pub mod describe_table;
pub mod describe_time_to_live;
pub mod get_item;
pub mod list_tables;
pub mod list_tags_of_resource;
pub mod put_item;
pub mod query;
pub mod read;
pub mod scan;
pub mod tag_resource;
pub mod transact_get_items;
pub mod transact_write_items;
pub mod untag_resource;
pub mod update_item;
pub mod update_table;
pub mod update_time_to_live;
pub mod write;

use super::{run, Ctx, DynamoError, Result};

pub fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Vec<u8>> {
    match op {
        "CreateTable" => run::<create_table::CreateTable>(ctx, body),
        "DeleteTable" => run::<delete_table::DeleteTable>(ctx, body),
        "DescribeTable" => run::<describe_table::DescribeTable>(ctx, body),
        "ListTables" => run::<list_tables::ListTables>(ctx, body),
        "UpdateTable" => run::<update_table::UpdateTable>(ctx, body),
        "TagResource" => run::<tag_resource::TagResource>(ctx, body),
        "UntagResource" => run::<untag_resource::UntagResource>(ctx, body),
        "ListTagsOfResource" => run::<list_tags_of_resource::ListTagsOfResource>(ctx, body),
        "UpdateTimeToLive" => run::<update_time_to_live::UpdateTimeToLive>(ctx, body),
        "DescribeTimeToLive" => run::<describe_time_to_live::DescribeTimeToLive>(ctx, body),
        "GetItem" => run::<get_item::GetItem>(ctx, body),
        "PutItem" => run::<put_item::PutItem>(ctx, body),
        "UpdateItem" => run::<update_item::UpdateItem>(ctx, body),
        "DeleteItem" => run::<delete_item::DeleteItem>(ctx, body),
        "Query" => run::<query::Query>(ctx, body),
        "Scan" => run::<scan::Scan>(ctx, body),
        "BatchGetItem" => run::<batch_get_item::BatchGetItem>(ctx, body),
        "BatchWriteItem" => run::<batch_write_item::BatchWriteItem>(ctx, body),
        "TransactWriteItems" => run::<transact_write_items::TransactWriteItems>(ctx, body),
        "TransactGetItems" => run::<transact_get_items::TransactGetItems>(ctx, body),
        "DescribeLimits" => run::<describe_limits::DescribeLimits>(ctx, body),
        "DescribeEndpoints" => run::<describe_endpoints::DescribeEndpoints>(ctx, body),
        _ => Err(DynamoError::UnknownOperation),
    }
}

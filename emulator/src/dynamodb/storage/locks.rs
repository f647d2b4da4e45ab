//! Locking several keys at once, possibly in several tables: the footing for
//! transactions (TransactWriteItems, TransactGetItems).
//!
//! [`KeyLocks::lock`] takes the write locks of every shard the keys live in, in one
//! canonical order, ascending (table uid, shard index), each shard once. Every multi-key
//! locker follows that order and single-key writers hold one shard lock at a time, so no
//! cycle of waiters can form: no deadlock. While a `KeyLocks` is alive no other writer
//! can touch any of its keys and no reader can copy a batch from their shards, so its
//! holder sees all the keys at one consistent point and its writes become visible
//! together when it is dropped.

use parking_lot::RwLockWriteGuard;

use super::feed::Cause;
use super::keys::encode_key;
use super::table::{Table, Write};
use super::tree::{shard_of, Shard};
use crate::dynamodb::model::{EncodedItem, PrimaryKey};

pub struct KeyLocks<'t> {
    /// Per requested key: its table, encoded key and the index of its guard.
    keys: Vec<(&'t Table, Vec<u8>, usize)>,
    /// One guard per distinct (table, shard), in canonical order.
    guards: Vec<(u64, usize, RwLockWriteGuard<'t, Shard>)>,
}

impl<'t> KeyLocks<'t> {
    /// Locks the shards of `keys` (in any order, duplicates allowed).
    pub fn lock(keys: &[(&'t Table, &PrimaryKey)]) -> KeyLocks<'t> {
        let encoded: Vec<(&'t Table, Vec<u8>)> =
            keys.iter().map(|(t, k)| (*t, encode_key(k))).collect();
        let mut order: Vec<(u64, usize, &'t Table)> = encoded
            .iter()
            .map(|(t, k)| (t.uid, shard_of(k), *t))
            .collect();
        order.sort_by_key(|(uid, shard, _)| (*uid, *shard));
        order.dedup_by_key(|(uid, shard, _)| (*uid, *shard));
        let guards: Vec<(u64, usize, RwLockWriteGuard<'t, Shard>)> = order
            .into_iter()
            .map(|(uid, shard, table)| (uid, shard, table.tree().shard(shard).write()))
            .collect();
        let keys = encoded
            .into_iter()
            .map(|(table, key)| {
                let at = guards
                    .iter()
                    .position(|(uid, shard, _)| *uid == table.uid && *shard == shard_of(&key))
                    .unwrap_or_default();
                (table, key, at)
            })
            .collect();
        KeyLocks { keys, guards }
    }

    /// The item at the `i`-th requested key, as of now (nobody else can change it).
    pub fn get(&self, i: usize) -> Option<&EncodedItem> {
        let (_, key, at) = self.keys.get(i)?;
        self.guards[*at].2.get(key.as_slice())
    }

    /// Applies a write to the `i`-th requested key; the feed hears of it at once, the
    /// readers when the locks are released.
    pub fn apply(&mut self, i: usize, write: Write) -> (Option<EncodedItem>, Option<EncodedItem>) {
        let Some((table, key, at)) = self.keys.get(i) else {
            return (None, None);
        };
        table.apply_locked(&mut self.guards[*at].2, key, write, Cause::Request)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dynamodb::model::{
        AttributeValue, Item, KeyAttribute, KeySchema, KeyType, KeyValue, Number,
    };
    use crate::dynamodb::storage::{BillingMode, TableSpec};

    fn table(name: &str) -> Table {
        let spec = TableSpec {
            attribute_definitions: vec![("id".into(), KeyType::S)],
            billing_mode: BillingMode::PayPerRequest,
            read_capacity: 0,
            write_capacity: 0,
            created_at: 0.0,
            table_id: String::new(),
            arn: String::new(),
        };
        let schema = KeySchema {
            hash: KeyAttribute {
                name: "id".into(),
                kind: KeyType::S,
            },
            range: None,
        };
        Table::new(name.into(), schema, spec)
    }

    fn key(id: usize) -> PrimaryKey {
        PrimaryKey {
            hash: KeyValue::S(format!("account-{id}")),
            range: None,
        }
    }

    fn balance_item(id: usize, balance: i64) -> EncodedItem {
        let mut item = Item::new();
        item.insert("id".into(), AttributeValue::S(format!("account-{id}")));
        item.insert(
            "balance".into(),
            AttributeValue::N(Number::parse(&balance.to_string()).unwrap()),
        );
        EncodedItem::encode(&item)
    }

    fn balance(item: Option<&EncodedItem>) -> i64 {
        match item.and_then(|i| i.get("balance")) {
            Some(AttributeValue::N(n)) => n.to_i128().unwrap() as i64,
            _ => 0,
        }
    }

    /// Transfers between accounts in two tables, from several threads, in both
    /// directions: no deadlock, and every consistent read sees the same total.
    #[test]
    fn transfers_across_tables_keep_the_total() {
        let tables = Arc::new([table("a"), table("b")]);
        const ACCOUNTS: usize = 8;
        for t in tables.iter() {
            for id in 0..ACCOUNTS {
                t.write(&key(id), |_| Ok((Write::Put(balance_item(id, 100)), ())))
                    .unwrap();
            }
        }
        let total = 2 * ACCOUNTS as i64 * 100;
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let tables = tables.clone();
                std::thread::spawn(move || {
                    for round in 0..2000usize {
                        let (from_t, to_t) = if (round + t) % 2 == 0 { (0, 1) } else { (1, 0) };
                        let from = (round * 7 + t) % ACCOUNTS;
                        let to = (round * 3 + t * 5) % ACCOUNTS;
                        let (kf, kt) = (key(from), key(to));
                        let mut locks =
                            KeyLocks::lock(&[(&tables[from_t], &kf), (&tables[to_t], &kt)]);
                        let (bf, bt) = (balance(locks.get(0)), balance(locks.get(1)));
                        locks.apply(0, Write::Put(balance_item(from, bf - 1)));
                        locks.apply(1, Write::Put(balance_item(to, bt + 1)));
                        if round % 50 == 0 {
                            drop(locks);
                            let keys: Vec<PrimaryKey> = (0..ACCOUNTS).map(key).collect();
                            let wanted: Vec<(&Table, &PrimaryKey)> = tables
                                .iter()
                                .flat_map(|t| keys.iter().map(move |k| (t, k)))
                                .collect();
                            let all = KeyLocks::lock(&wanted);
                            let sum: i64 = (0..wanted.len()).map(|i| balance(all.get(i))).sum();
                            assert_eq!(sum, total);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let sum: i64 = tables
            .iter()
            .flat_map(|t| (0..ACCOUNTS).map(move |id| balance(t.get(&key(id)).as_ref())))
            .sum();
        assert_eq!(sum, total);
    }
}

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
//!
//! A write transaction ([`Transaction`]) adds two things around its `KeyLocks`:
//!
//! - **Claims.** Shard locks make others *wait*; DynamoDB instead *refuses* a request
//!   that meets an item held by an in-flight transaction. So a transaction first claims
//!   each of its keys in its table's in-flight set, all or none and without waiting (so
//!   claiming needs no order), and releases them only after its commit. Meanwhile a
//!   single-item write of a claimed key fails with `TransactionConflictException`
//!   ([`Table::write`] checks under the shard lock), another write transaction fails to
//!   claim it and is cancelled with `TransactionConflict`, and a TransactGetItems that
//!   finds it claimed ([`KeyLocks::in_flight`]) is cancelled the same way. A
//!   transaction's own claims are the only ones it ignores.
//! - **Commit gates.** A Query or Scan page copies one shard batch at a time, so without
//!   more it could see one half of a transaction in one batch and miss the other half in
//!   another. Each table has a gate: a page holds it shared while it reads
//!   ([`Table::read_page_gate`]), a write transaction holds the gates of all its tables
//!   exclusively, in ascending table uid, from before its `KeyLocks` until they are
//!   released. A page therefore sees every transaction whole or not at all (pages of one
//!   Scan still may fall on either side of one, as in DynamoDB, whose Scan is only
//!   read-committed).
//!
//! Lock order, for everyone: claims (never waited for) before gates (ascending table
//! uid) before shards (ascending table uid, shard index); an in-flight set's own mutex
//! is a leaf taken briefly, under a shard lock or under nothing. Single-item writes and
//! TransactGetItems take no gate, pages take one gate and then one shard at a time.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::{Mutex, RwLockWriteGuard};

use super::feed::Cause;
use super::keys::encode_key;
use super::table::{Table, Write};
use super::tree::{shard_of, KeyBytes, Shard};
use crate::dynamodb::model::{EncodedItem, PrimaryKey};

/// The keys of one table claimed by in-flight write transactions.
///
/// Every single-item write asks whether its key is claimed, and almost always nothing is:
/// the count lets that question be answered without the set's mutex, so writers to
/// different shards do not meet on one lock. A claim is counted before the claimer takes
/// any shard lock, and a writer asks under its shard lock, so a writer that sees no claim
/// commits before the claiming transaction can read its key.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    keys: Mutex<HashSet<Vec<u8>>>,
}

impl InFlight {
    pub fn contains(&self, key: &[u8]) -> bool {
        self.count.load(Ordering::SeqCst) != 0 && self.keys.lock().contains(key)
    }

    /// Claims `key`; false when another transaction holds it.
    fn claim(&self, key: Vec<u8>) -> bool {
        let mut keys = self.keys.lock();
        let claimed = keys.insert(key);
        self.count.store(keys.len(), Ordering::SeqCst);
        claimed
    }

    fn release(&self, key: &[u8]) {
        let mut keys = self.keys.lock();
        keys.remove(key);
        self.count.store(keys.len(), Ordering::SeqCst);
    }
}

pub struct KeyLocks<'t> {
    /// Per requested key: its table, encoded key and the index of its guard.
    keys: Vec<(&'t Table, KeyBytes, usize)>,
    /// One guard per distinct (table, shard), in canonical order.
    guards: Vec<(u64, usize, RwLockWriteGuard<'t, Shard>)>,
}

impl<'t> KeyLocks<'t> {
    /// Locks the shards of `keys` (in any order, duplicates allowed).
    pub fn lock(keys: &[(&'t Table, &PrimaryKey)]) -> KeyLocks<'t> {
        let encoded: Vec<(&'t Table, KeyBytes)> = keys
            .iter()
            .map(|(t, k)| (*t, KeyBytes::new(&encode_key(k))))
            .collect();
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
        self.guards[*at].2.get(key)
    }

    /// Whether an in-flight write transaction holds the `i`-th requested key.
    pub fn in_flight(&self, i: usize) -> bool {
        self.keys
            .get(i)
            .is_some_and(|(table, key, _)| table.in_flight().contains(key.as_bytes()))
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

/// A write transaction's hold on its keys: claims, commit gates and shard locks, taken in
/// that order and released in the reverse (field order is drop order).
pub struct Transaction<'t> {
    locks: KeyLocks<'t>,
    _gates: Vec<RwLockWriteGuard<'t, ()>>,
    _claims: Claims<'t>,
}

impl<'t> Transaction<'t> {
    /// Claims, gates and locks `keys` (distinct). `Err(i)`: the `i`-th key is claimed by
    /// another in-flight transaction, and nothing is held.
    pub fn begin(keys: &[(&'t Table, &PrimaryKey)]) -> Result<Transaction<'t>, usize> {
        let claims = Claims::take(keys)?;
        let mut tables: Vec<&'t Table> = keys.iter().map(|(t, _)| *t).collect();
        tables.sort_by_key(|t| t.uid);
        tables.dedup_by_key(|t| t.uid);
        let gates = tables.iter().map(|t| t.commit_gate().write()).collect();
        Ok(Transaction {
            locks: KeyLocks::lock(keys),
            _gates: gates,
            _claims: claims,
        })
    }

    /// The item at the `i`-th key, as of now.
    pub fn get(&self, i: usize) -> Option<&EncodedItem> {
        self.locks.get(i)
    }

    /// Applies a decided write to the `i`-th key (see [`KeyLocks::apply`]).
    pub fn apply(&mut self, i: usize, write: Write) -> (Option<EncodedItem>, Option<EncodedItem>) {
        self.locks.apply(i, write)
    }
}

/// Keys claimed in their tables' in-flight sets; released when dropped.
struct Claims<'t> {
    held: Vec<(&'t Table, Vec<u8>)>,
}

impl<'t> Claims<'t> {
    fn take(keys: &[(&'t Table, &PrimaryKey)]) -> Result<Claims<'t>, usize> {
        let mut claims = Claims {
            held: Vec::with_capacity(keys.len()),
        };
        for (i, (table, key)) in keys.iter().enumerate() {
            let key = encode_key(key);
            if !table.in_flight().claim(key.clone()) {
                // Dropping `claims` releases what was taken so far.
                return Err(i);
            }
            claims.held.push((*table, key));
        }
        Ok(claims)
    }
}

impl Drop for Claims<'_> {
    fn drop(&mut self) {
        for (table, key) in &self.held {
            table.in_flight().release(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dynamodb::error::DynamoError;
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

    /// While a transaction's claims are held, every other kind of writer and reader is
    /// told apart from a waiting one: refused or cancelled, never blocked or let through.
    #[test]
    fn claimed_keys_conflict_until_released() {
        let t = table("t");
        let k = key(1);
        let claims = Claims::take(&[(&t, &k)]).unwrap();
        let single = t.write(&k, |_| Ok((Write::Put(balance_item(1, 5)), ())));
        assert!(matches!(single, Err(DynamoError::TransactionConflict)));
        assert!(matches!(
            Transaction::begin(&[(&t, &key(2)), (&t, &k)]),
            Err(1)
        ));
        // The failed transaction released its own claim on key 2.
        assert!(!t.in_flight().contains(&encode_key(&key(2))));
        assert!(KeyLocks::lock(&[(&t, &k)]).in_flight(0));
        drop(claims);
        assert!(!KeyLocks::lock(&[(&t, &k)]).in_flight(0));
        let mut txn = Transaction::begin(&[(&t, &k)]).unwrap();
        txn.apply(0, Write::Put(balance_item(1, 7)));
        drop(txn);
        assert_eq!(balance(t.get(&k).as_ref()), 7);
        t.write(&k, |_| Ok((Write::Put(balance_item(1, 9)), ())))
            .unwrap();
        assert_eq!(balance(t.get(&k).as_ref()), 9);
    }

    /// A page reader holding the table's commit gate sees a transaction whole or not at all
    /// even across shard batches: the transaction waits for the page, then commits.
    #[test]
    fn a_page_sees_a_transaction_whole() {
        use crate::dynamodb::storage::Span;
        let t = Arc::new(table("t"));
        const ACCOUNTS: usize = 64;
        for id in 0..ACCOUNTS {
            t.write(&key(id), |_| Ok((Write::Put(balance_item(id, 100)), ())))
                .unwrap();
        }
        // The accounts in the first and the last non-empty shard.
        let shard = |id: usize| shard_of(&encode_key(&key(id)));
        let first = (0..ACCOUNTS).min_by_key(|id| shard(*id)).unwrap();
        let last = (0..ACCOUNTS).max_by_key(|id| shard(*id)).unwrap();
        assert!(shard(first) < shard(last));

        let gate = t.read_page_gate();
        let mut page = t.range(Span::all(), true);
        let mut sum = balance(Some(&page.next().unwrap().1));
        let writer = {
            let t = t.clone();
            std::thread::spawn(move || {
                let (kf, kl) = (key(first), key(last));
                let mut txn = Transaction::begin(&[(&t, &kf), (&t, &kl)]).unwrap();
                let (bf, bl) = (balance(txn.get(0)), balance(txn.get(1)));
                txn.apply(0, Write::Put(balance_item(first, bf - 50)));
                txn.apply(1, Write::Put(balance_item(last, bl + 50)));
            })
        };
        // Give the transaction every chance to commit in the middle of the page.
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            !writer.is_finished(),
            "a transaction committed during a page"
        );
        sum += page.map(|(_, item)| balance(Some(&item))).sum::<i64>();
        drop(gate);
        assert_eq!(sum, 100 * ACCOUNTS as i64);
        writer.join().unwrap();
        assert_eq!(balance(t.get(&key(last)).as_ref()), 150);
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

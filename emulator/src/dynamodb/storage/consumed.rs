//! What one request consumed, per table: units on the table and on each secondary index.
//!
//! Plain data, kept by the engine because a transaction's client request token must answer
//! a replay with the same figures; the rules that produce it live in
//! [`crate::dynamodb::capacity`].

/// The units one request (or one table's share of a batch) consumed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consumed {
    /// Units charged to the table itself.
    pub table: f64,
    /// Units charged to each index the request touched, in first-touch order.
    pub indexes: Vec<IndexUnits>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexUnits {
    pub name: String,
    pub global: bool,
    pub units: f64,
}

impl Consumed {
    pub fn table_only(units: f64) -> Consumed {
        Consumed {
            table: units,
            indexes: Vec::new(),
        }
    }

    /// Table and index units together (`CapacityUnits`).
    pub fn total(&self) -> f64 {
        self.table + self.indexes.iter().map(|i| i.units).sum::<f64>()
    }

    /// Charges `units` to an index (merged with earlier charges to it).
    pub fn charge_index(&mut self, name: &str, global: bool, units: f64) {
        match self.indexes.iter_mut().find(|i| i.name == name) {
            Some(i) => i.units += units,
            None => self.indexes.push(IndexUnits {
                name: name.to_owned(),
                global,
                units,
            }),
        }
    }

    /// Adds another request's units (a batch sums its table's requests).
    pub fn add(&mut self, other: &Consumed) {
        self.table += other.table;
        for i in &other.indexes {
            self.charge_index(&i.name, i.global, i.units);
        }
    }

    /// Every figure multiplied by `factor` (transactional writes cost double).
    pub fn scaled(mut self, factor: f64) -> Consumed {
        self.table *= factor;
        for i in &mut self.indexes {
            i.units *= factor;
        }
        self
    }
}

/// Adds `consumed` to `table`'s entry of a per-table list, kept in first-use order (the
/// multi-table operations report their tables so).
pub fn add_for<K: PartialEq>(list: &mut Vec<(K, Consumed)>, table: K, consumed: &Consumed) {
    match list.iter_mut().find(|(name, _)| *name == table) {
        Some((_, c)) => c.add(consumed),
        None => list.push((table, consumed.clone())),
    }
}

//! The XML key repositories (`DynamoDbXmlRepository`, `SsmXmlRepository`,
//! `FileSystemXmlRepository`) against a plain in-memory model of `IXmlRepository`.
//!
//! A case stores elements, one at a time or in batches big enough to page (more than one
//! 1 MB Query page on DynamoDB, more than the 10 parameters of a GetParametersByPath page on
//! SSM), and removes chosen ones. After every step `get_all_elements` returns exactly the
//! model's elements, each once. After every store the namespace is also read directly
//! (items, parameters, files) and must hold each element once under the name the provider
//! gives it: the friendly name, else (DynamoDB, SSM) the `id` attribute, else a new GUID;
//! the file repository keeps only friendly names that are safe file names. SSM parameters
//! are SecureStrings with the provider's description, in the tier its `TierStorageMode`
//! picks by size; what no tier can hold is refused before anything is written.
//!
//! Every case has its own namespace: a partition of the run's key-ring table, a prefix
//! under the run's parameter root, or a temporary directory removed when the case ends.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_ssm::types::ParameterStringFilter;
use proptest::prelude::*;
use session_store::keyring::{
    DynamoDbXmlRepository, FileSystemXmlRepository, KeyId, RepositoryError, SsmOptions,
    SsmXmlRepository, TierStorageMode, XmlElement, XmlRepository,
};

use crate::check::{self, run_steps, Ctx, Outcome, Steps};
use crate::registry::Property;
use crate::resources::{KEYRING_PK, KEYRING_SK};

pub fn properties() -> Vec<Property> {
    vec![
        Property {
            suite: "key-repository",
            name: "dynamodb",
            about: "store/remove sequences on the DynamoDB XML repository agree with a model \
                    across Query pages; item names and attributes as specified",
            known_failure: None,
            run: |ctx| run(ctx, Kind::DynamoDb),
        },
        Property {
            suite: "key-repository",
            name: "ssm",
            about: "store/remove sequences on the SSM XML repository agree with a model across \
                    GetParametersByPath pages; parameter names, type and tier as the AWS \
                    provider writes them",
            known_failure: None,
            run: |ctx| run(ctx, Kind::Ssm),
        },
        Property {
            suite: "key-repository",
            name: "file",
            about: "store/remove sequences on the file-system XML repository agree with a \
                    model; file names as ASP.NET Core's",
            known_failure: None,
            run: |ctx| run(ctx, Kind::File),
        },
    ]
}

/// Which repository a property runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    DynamoDb,
    Ssm,
    File,
}

/// One case's part of the target: nothing another case (or run) can see.
pub struct Namespace {
    kind: Kind,
    /// DynamoDB: the run's key-ring table.
    table: String,
    /// DynamoDB: the partition value; SSM: the normalised prefix `/.../`.
    name: String,
    /// File: the directory, removed when the namespace is dropped.
    dir: Option<TempDir>,
}

/// A directory removed (with its content) when dropped, also after a failed case.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Namespace {
    /// A fresh namespace; `tag` tells the suites' names apart.
    pub async fn new(ctx: &Ctx, kind: Kind, tag: &str) -> Result<Namespace, String> {
        let case = ctx.resources.next_case();
        let mut namespace = Namespace {
            kind,
            table: String::new(),
            name: format!("{tag}{case}"),
            dir: None,
        };
        match kind {
            Kind::DynamoDb => namespace.table = ctx.resources.keyring_table().await?.to_owned(),
            Kind::Ssm => {
                namespace.name = format!("{}/{tag}{case}/", ctx.resources.parameter_root())
            }
            Kind::File => {
                let dir = std::env::temp_dir().join(format!(
                    "conformance-{}-{tag}{case}",
                    ctx.resources.run_id()
                ));
                let _ = std::fs::remove_dir_all(&dir);
                namespace.dir = Some(TempDir(dir));
            }
        }
        Ok(namespace)
    }

    /// A repository over the namespace; every call gives another instance of it, as
    /// another server would have.
    pub fn repository(&self, ctx: &Ctx, mode: TierStorageMode) -> Arc<dyn XmlRepository> {
        match (self.kind, &self.dir) {
            (Kind::DynamoDb, _) => Arc::new(
                DynamoDbXmlRepository::builder(ctx.target.dynamodb.clone(), &self.table)
                    .partition_key_name(KEYRING_PK)
                    .sort_key_name(KEYRING_SK)
                    .partition_value(&self.name)
                    .build(),
            ),
            (Kind::Ssm, _) => Arc::new(SsmXmlRepository::with_options(
                ctx.target.ssm.clone(),
                &self.name,
                SsmOptions {
                    tier_storage_mode: mode,
                    ..SsmOptions::default()
                },
            )),
            (Kind::File, Some(dir)) => Arc::new(FileSystemXmlRepository::new(&dir.0)),
            (Kind::File, None) => unreachable!("a file namespace always has its directory"),
        }
    }

    /// The element's name inside the namespace, from what the repository or the target
    /// shows: a sort key, a full parameter name, a file path or file name.
    fn base_name<'a>(&self, shown: &'a str) -> Option<&'a str> {
        match self.kind {
            Kind::DynamoDb => Some(shown),
            Kind::Ssm => shown.strip_prefix(self.name.as_str()),
            Kind::File => shown.rsplit('/').next()?.strip_suffix(".xml"),
        }
    }
}

/// How a stored element is named (slots pick among a few ids, so names collide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Naming {
    /// Friendly name `key-{id}`, as the key manager names keys; the element has that id.
    Key(usize),
    /// Friendly name `revocation-{id}`, as the key manager names revocations.
    Revocation(usize),
    /// No friendly name; the element's `id` attribute.
    IdAttribute(usize),
    /// No friendly name, no id.
    Anonymous,
    /// An empty friendly name (treated as none).
    Empty,
    /// A friendly name SSM and DynamoDB keep but that is not a safe file name.
    Dotted(usize),
}

fn slot_id(slot: usize) -> String {
    format!("00000000-0000-4000-8000-{slot:012}")
}

impl Naming {
    fn friendly(self) -> Option<String> {
        match self {
            Naming::Key(slot) => Some(format!("key-{}", slot_id(slot))),
            Naming::Revocation(slot) => Some(format!("revocation-{}", slot_id(slot))),
            Naming::Dotted(slot) => Some(format!("release.v{slot}")),
            Naming::Empty => Some(String::new()),
            Naming::IdAttribute(_) | Naming::Anonymous => None,
        }
    }

    fn id(self) -> Option<String> {
        match self {
            Naming::Key(slot) | Naming::IdAttribute(slot) => Some(slot_id(slot)),
            _ => None,
        }
    }
}

impl fmt::Display for Naming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Naming::IdAttribute(slot) => write!(f, "no friendly name, id {}", slot_id(*slot)),
            Naming::Anonymous => f.write_str("no friendly name, no id"),
            other => write!(
                f,
                "friendly name {:?}",
                other.friendly().unwrap_or_default()
            ),
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Store {
        naming: Naming,
        chars: usize,
    },
    /// `count` elements of `chars` characters, each with a new id and friendly name
    /// `key-{id}`, with no check in between.
    StoreBatch {
        count: usize,
        chars: usize,
    },
    /// Stores `count` elements as `StoreBatch` does, checks, then removes them again (so
    /// that later steps do not all read megabytes).
    StorePages {
        count: usize,
        chars: usize,
    },
    /// Deletes, through `remove_elements`, the elements at these positions (modulo the
    /// number stored, in store order) with these deletion orders.
    Remove {
        picks: Vec<(usize, i32)>,
    },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Store { naming, chars } => write!(f, "store an element of {chars} chars, {naming}"),
            Op::StoreBatch { count, chars } => write!(
                f,
                "store {count} elements of {chars} chars, each named key-{{its new id}}"
            ),
            Op::StorePages { count, chars } => write!(
                f,
                "store {count} elements of {chars} chars, each named key-{{its new id}}, \
                 then remove them"
            ),
            Op::Remove { picks } => {
                let picks: Vec<String> = picks
                    .iter()
                    .map(|(at, order)| format!("stored[{at} mod n] (order {order})"))
                    .collect();
                write!(f, "remove_elements choosing [{}]", picks.join(", "))
            }
        }
    }
}

/// The SSM tier boundaries and around them.
const SSM_EDGES: [usize; 6] = [4095, 4096, 4097, 8191, 8192, 8193];
/// DynamoDB's item limit (400 KB, attribute names included).
const ITEM_LIMIT: usize = 400 * 1024;

fn op(kind: Kind) -> BoxedStrategy<Op> {
    let slot = 0..4usize;
    let naming = prop_oneof![
        3 => slot.clone().prop_map(Naming::Key),
        1 => slot.clone().prop_map(Naming::Revocation),
        2 => slot.clone().prop_map(Naming::IdAttribute),
        1 => Just(Naming::Anonymous),
        1 => Just(Naming::Empty),
        1 => slot.prop_map(Naming::Dotted),
    ];
    let small = 80..=600usize;
    let chars = match kind {
        // Some exceed the item limit (large elements that fit come in batches).
        Kind::DynamoDb => prop_oneof![
            8 => small.clone(),
            1 => proptest::sample::select(SSM_EDGES.to_vec()),
            1 => ITEM_LIMIT + 10_000..=ITEM_LIMIT + 20_000,
        ]
        .boxed(),
        Kind::Ssm => prop_oneof![
            5 => small.clone(),
            3 => proptest::sample::select(SSM_EDGES.to_vec()),
        ]
        .boxed(),
        Kind::File => prop_oneof![
            6 => small.clone(),
            1 => proptest::sample::select(SSM_EDGES.to_vec()),
        ]
        .boxed(),
    };
    let batch = match kind {
        Kind::DynamoDb => 2..=6usize,
        _ => 3..=12usize,
    };
    // Four elements of 270,000+ chars fill more than one 1 MB Query page (DynamoDB only:
    // elsewhere it is one more batch). Rare, as every read of them is slow.
    let pages = match kind {
        Kind::DynamoDb => 1,
        _ => 0,
    };
    prop_oneof![
        10 => (naming, chars).prop_map(|(naming, chars)| Op::Store { naming, chars }),
        4 => (batch, small).prop_map(|(count, chars)| Op::StoreBatch { count, chars }),
        pages => (4..=5usize, 270_000..=300_000usize)
            .prop_map(|(count, chars)| Op::StorePages { count, chars }),
        4 => proptest::collection::vec((0..64usize, -3..=3i32), 0..=4)
            .prop_map(|picks| Op::Remove { picks }),
    ]
    .boxed()
}

/// A case: the SSM tier mode (SSM only) and the steps.
#[derive(Clone)]
struct Case {
    mode: Option<TierStorageMode>,
    steps: Steps<Op>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(mode) = self.mode {
            writeln!(f, "tier storage mode {mode:?}")?;
        }
        fmt::Debug::fmt(&self.steps, f)
    }
}

fn case_strategy(kind: Kind) -> impl Strategy<Value = Case> {
    let mode = match kind {
        Kind::Ssm => proptest::option::of(proptest::sample::select(vec![
            TierStorageMode::StandardOnly,
            TierStorageMode::AdvancedUpgradeable,
            TierStorageMode::AdvancedOnly,
            TierStorageMode::IntelligentTiering,
        ]))
        .prop_map(|mode| Some(mode.unwrap_or_default()))
        .boxed(),
        _ => Just(None).boxed(),
    };
    (mode, check::steps(op(kind), 12)).prop_map(|(mode, steps)| Case { mode, steps })
}

fn run(ctx: &Ctx, kind: Kind) -> Outcome {
    if kind == Kind::DynamoDb {
        if let Err(message) = ctx.block_on(ctx.resources.keyring_table()) {
            return Outcome::Error { message };
        }
    }
    ctx.check(case_strategy(kind), |case| async move {
        let namespace = Namespace::new(ctx, kind, "kr").await?;
        let mode = case.mode.unwrap_or_default();
        let mut world = Repo {
            ctx,
            repository: namespace.repository(ctx, mode),
            namespace,
            mode,
            next_seq: 0,
            model: BTreeMap::new(),
        };
        run_steps(ctx, &mut world, &case.steps).await
    })
}

/// The name an element must be stored under.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Name {
    Exactly(String),
    /// A new GUID.
    Guid,
}

/// One element as the model holds it.
#[derive(Clone, Debug)]
struct Stored {
    xml: String,
    name: Name,
    /// The friendly name given, if not empty.
    friendly: Option<String>,
    /// SSM: the tier the provider chooses.
    tier: Option<&'static str>,
}

/// Why the model expects a store to be refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    AlreadyExists,
    /// No SSM tier (allowed by the mode) holds it.
    TooLarge,
    /// Over DynamoDB's item limit: the service refuses it.
    ItemTooLarge,
}

struct Repo<'a> {
    ctx: &'a Ctx,
    namespace: Namespace,
    repository: Arc<dyn XmlRepository>,
    mode: TierStorageMode,
    next_seq: u64,
    /// By `seq`, the order of storing.
    model: BTreeMap<u64, Stored>,
}

/// An element of exactly `chars` characters (when `chars` is above its bare size),
/// identified by its `seq` attribute.
fn element(seq: u64, id: Option<&str>, chars: usize) -> XmlElement {
    let build = |padding: usize| {
        let mut element = XmlElement::new("key").with_attribute("seq", seq.to_string());
        if let Some(id) = id {
            element = element.with_attribute("id", id);
        }
        element.with_child(XmlElement::new("data").with_text("x".repeat(padding)))
    };
    let bare = build(1).to_xml_string().encode_utf16().count() - 1;
    build(chars.saturating_sub(bare).max(1))
}

fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

impl Repo<'_> {
    /// The model's store: the element it adds, or why the store is refused.
    fn expect_store(
        &self,
        friendly: Option<&str>,
        id: Option<&str>,
        xml: &str,
    ) -> Result<Stored, Refusal> {
        let friendly = friendly.filter(|f| !f.is_empty());
        let name = match self.namespace.kind {
            Kind::File => friendly.filter(|f| is_safe_file_name(f)),
            _ => friendly.or(id),
        }
        .map_or(Name::Guid, |n| Name::Exactly(n.to_owned()));
        let chars = xml.encode_utf16().count();
        let tier = match self.namespace.kind {
            Kind::Ssm => Some(ssm_tier(self.mode, chars).ok_or(Refusal::TooLarge)?),
            _ => None,
        };
        if self.namespace.kind == Kind::DynamoDb {
            let name_len = match &name {
                Name::Exactly(n) => n.len(),
                Name::Guid => 36,
            };
            let size = KEYRING_PK.len()
                + self.namespace.name.len()
                + KEYRING_SK.len()
                + name_len
                + "xml".len()
                + xml.len()
                + friendly.map_or(0, |f| "friendly_name".len() + f.len());
            if size > ITEM_LIMIT {
                return Err(Refusal::ItemTooLarge);
            }
        }
        if name != Name::Guid && self.model.values().any(|s| s.name == name) {
            return Err(Refusal::AlreadyExists);
        }
        Ok(Stored {
            xml: xml.to_owned(),
            name,
            friendly: friendly.map(str::to_owned),
            tier,
        })
    }

    async fn store(
        &mut self,
        friendly: Option<&str>,
        id: Option<&str>,
        chars: usize,
    ) -> Result<(), String> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let element = element(seq, id, chars);
        let xml = element.to_xml_string();
        let expected = self.expect_store(friendly, id, &xml);
        let got = self.repository.store_element(&element, friendly).await;
        match (got, expected) {
            (Ok(()), Ok(stored)) => {
                self.model.insert(seq, stored);
                Ok(())
            }
            (Err(RepositoryError::AlreadyExists { .. }), Err(Refusal::AlreadyExists))
            | (Err(RepositoryError::TooLarge(_)), Err(Refusal::TooLarge)) => Ok(()),
            (Err(RepositoryError::Service { code, .. }), Err(Refusal::ItemTooLarge))
                if code.as_deref() == Some("ValidationException") =>
            {
                Ok(())
            }
            (got, expected) => Err(format!(
                "store_element (seq {seq}, {} chars) returned {}, the model expects {}",
                xml.len(),
                got.map_or_else(|e| format!("the error {e:?}"), |()| "Ok".into()),
                expected.map_or_else(
                    |r| format!("a refusal ({r:?})"),
                    |s| format!("Ok, stored as {:?}", s.name)
                ),
            )),
        }
    }

    /// `count` elements, each with a new id and friendly name `key-{id}`, then the raw check.
    async fn store_batch(&mut self, count: usize, chars: usize) -> Result<(), String> {
        for _ in 0..count {
            let id = KeyId::new_random().to_string();
            self.store(Some(&format!("key-{id}")), Some(&id), chars)
                .await?;
        }
        self.check_raw().await
    }

    async fn remove(&mut self, picks: &[(usize, i32)]) -> Result<(), String> {
        let seqs: Vec<u64> = self.model.keys().copied().collect();
        let mut chosen: HashMap<u64, i32> = HashMap::new();
        if !seqs.is_empty() {
            for (at, order) in picks {
                chosen.insert(seqs[at % seqs.len()], *order);
            }
        }
        let mut offered: Vec<(String, String)> = Vec::new();
        let done = self
            .repository
            .remove_elements(&mut |elements| {
                for e in elements.iter_mut() {
                    offered.push((e.name().to_owned(), e.element().to_xml_string()));
                    let seq = e.element().attribute("seq").and_then(|s| s.parse().ok());
                    e.deletion_order = seq.and_then(|s| chosen.get(&s).copied());
                }
            })
            .await
            .map_err(|e| format!("remove_elements failed: {e}"))?;
        // The chooser saw every element once, under its name.
        self.compare("the chooser was offered", &offered)?;
        if !done {
            return Err("remove_elements reported a failed deletion".into());
        }
        for seq in chosen.keys() {
            self.model.remove(seq);
        }
        Ok(())
    }

    /// `elements` (name as shown, XML) against the model: each model element once,
    /// under the name it must have, and nothing else.
    fn compare(&self, what: &str, elements: &[(String, String)]) -> Result<(), String> {
        let mut by_xml: HashMap<&str, &Stored> =
            self.model.values().map(|s| (s.xml.as_str(), s)).collect();
        for (shown, xml) in elements {
            let Some(stored) = by_xml.remove(xml.as_str()) else {
                return Err(format!(
                    "{what} {shown} ({} chars), which the model does not hold (any more)",
                    xml.len()
                ));
            };
            let base = self.namespace.base_name(shown);
            let named_right = match (&stored.name, base) {
                (Name::Exactly(name), Some(base)) => base == name,
                (Name::Guid, Some(base)) => base.parse::<KeyId>().is_ok(),
                (_, None) => false,
            };
            if !named_right {
                return Err(format!(
                    "{what} an element under {shown}; it must be named {:?}",
                    stored.name
                ));
            }
        }
        if !by_xml.is_empty() {
            let missing: Vec<String> = by_xml.values().map(|s| format!("{:?}", s.name)).collect();
            return Err(format!(
                "{what} nothing for the stored {}",
                missing.join(", ")
            ));
        }
        Ok(())
    }

    /// The repository's own listing against the model.
    async fn check_all(&self) -> Result<(), String> {
        let all = self
            .repository
            .get_all_elements()
            .await
            .map_err(|e| format!("get_all_elements failed: {e}"))?;
        let mut listed: Vec<String> = all.iter().map(XmlElement::to_xml_string).collect();
        listed.sort();
        let mut expected: Vec<&str> = self.model.values().map(|s| s.xml.as_str()).collect();
        expected.sort();
        if listed != expected {
            let seqs = |xmls: &mut dyn Iterator<Item = &str>| -> Vec<String> {
                xmls.map(|x| {
                    XmlElement::parse(x)
                        .ok()
                        .and_then(|e| e.attribute("seq").map(str::to_owned))
                        .unwrap_or_else(|| "?".into())
                })
                .collect()
            };
            return Err(format!(
                "get_all_elements returned the elements with seq {:?}, the model holds {:?}",
                seqs(&mut listed.iter().map(String::as_str)),
                seqs(&mut expected.into_iter())
            ));
        }
        Ok(())
    }

    /// The namespace read directly from the target, against the model.
    async fn check_raw(&self) -> Result<(), String> {
        let raw = match self.namespace.kind {
            Kind::DynamoDb => self.raw_items().await?,
            Kind::Ssm => self.raw_parameters().await?,
            Kind::File => self.raw_files().await?,
        };
        self.compare("the target holds", &raw)
    }

    async fn raw_items(&self) -> Result<Vec<(String, String)>, String> {
        let client = &self.ctx.target.dynamodb;
        let mut raw = Vec::new();
        let mut start = None;
        loop {
            let page = client
                .query()
                .table_name(&self.namespace.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", KEYRING_PK)
                .expression_attribute_values(":pk", AttributeValue::S(self.namespace.name.clone()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| format!("Query: {}", crate::sdk_error(&e)))?;
            for item in page.items() {
                let text = |name: &str| match item.get(name) {
                    Some(AttributeValue::S(s)) => Some(s.clone()),
                    _ => None,
                };
                let (Some(sk), Some(xml)) = (text(KEYRING_SK), text("xml")) else {
                    return Err(format!(
                        "an item without string sk and xml: {:?}",
                        item.keys()
                    ));
                };
                let friendly = text("friendly_name");
                let expected = self
                    .model
                    .values()
                    .find(|s| s.xml == xml)
                    .map(|s| s.friendly.clone());
                let attributes = 3 + usize::from(friendly.is_some());
                if let Some(expected) = expected {
                    if friendly != expected || item.len() != attributes {
                        return Err(format!(
                            "item {sk} has friendly_name {friendly:?} and attributes {:?}; \
                             expected friendly_name {expected:?} besides pk, sk and xml",
                            item.keys()
                        ));
                    }
                }
                raw.push((sk, xml));
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(raw)
    }

    async fn raw_parameters(&self) -> Result<Vec<(String, String)>, String> {
        let ssm = &self.ctx.target.ssm;
        let prefix = &self.namespace.name;
        let mut values = Vec::new();
        let mut token = None;
        loop {
            let page = ssm
                .get_parameters_by_path()
                .path(prefix)
                .with_decryption(true)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| format!("GetParametersByPath: {}", crate::sdk_error(&e)))?;
            for p in page.parameters() {
                values.push((
                    p.name().unwrap_or_default().to_owned(),
                    p.value().unwrap_or_default().to_owned(),
                ));
            }
            token = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        // Type, description and tier are in the parameters' metadata.
        let filter = ParameterStringFilter::builder()
            .key("Path")
            .option("OneLevel")
            .values(prefix.trim_end_matches('/'))
            .build()
            .map_err(|e| e.to_string())?;
        let mut token = None;
        loop {
            let page = ssm
                .describe_parameters()
                .parameter_filters(filter.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| format!("DescribeParameters: {}", crate::sdk_error(&e)))?;
            for meta in page.parameters() {
                let name = meta.name().unwrap_or_default();
                let Some((_, xml)) = values.iter().find(|(n, _)| n == name) else {
                    return Err(format!(
                        "DescribeParameters lists {name}, GetParametersByPath does not"
                    ));
                };
                let expected = self
                    .model
                    .values()
                    .find(|s| &s.xml == xml)
                    .and_then(|s| s.tier);
                let tier = meta.tier().map(|t| t.as_str());
                let kind = meta.r#type().map(|t| t.as_str());
                if tier != expected
                    || kind != Some("SecureString")
                    || meta.description() != Some("ASP.NET Core DataProtection Key")
                {
                    return Err(format!(
                        "{name} ({} chars) is a {kind:?} in tier {tier:?} described {:?}; \
                         expected a SecureString in tier {expected:?} described \
                         \"ASP.NET Core DataProtection Key\"",
                        xml.len(),
                        meta.description()
                    ));
                }
            }
            token = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(values)
    }

    async fn raw_files(&self) -> Result<Vec<(String, String)>, String> {
        let Some(dir) = &self.namespace.dir else {
            return Ok(Vec::new());
        };
        let entries = match std::fs::read_dir(&dir.0) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("{}: {e}", dir.0.display())),
        };
        let mut raw = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            // Anything else is a temporary file left behind.
            if !name.ends_with(".xml") {
                return Err(format!(
                    "the directory holds {name}, which is not an element"
                ));
            }
            let xml = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
            raw.push((name, xml));
        }
        Ok(raw)
    }
}

/// The tier the AWS provider asks for and SSM gives, by `TierStorageMode` and length;
/// `None` when nothing may hold the value. Intelligent-Tiering gives Standard when the
/// value fits it.
fn ssm_tier(mode: TierStorageMode, chars: usize) -> Option<&'static str> {
    let fits_standard = chars <= 4096;
    match mode {
        _ if chars > 8192 => None,
        TierStorageMode::StandardOnly if !fits_standard => None,
        TierStorageMode::AdvancedOnly => Some("Advanced"),
        _ if fits_standard => Some("Standard"),
        _ => Some("Advanced"),
    }
}

impl check::World<Op> for Repo<'_> {
    async fn step(&mut self, op: &Op) -> Result<(), String> {
        match op {
            Op::Store { naming, chars } => {
                let friendly = naming.friendly();
                self.store(friendly.as_deref(), naming.id().as_deref(), *chars)
                    .await?;
                self.check_raw().await?;
            }
            Op::StoreBatch { count, chars } => self.store_batch(*count, *chars).await?,
            Op::StorePages { count, chars } => {
                let first = self.next_seq;
                self.store_batch(*count, *chars).await?;
                self.check_all().await?;
                let picks: Vec<(usize, i32)> = self
                    .model
                    .keys()
                    .enumerate()
                    .filter(|(_, seq)| **seq >= first)
                    .map(|(at, _)| (at, 0))
                    .collect();
                self.remove(&picks).await?;
            }
            Op::Remove { picks } => self.remove(picks).await?,
        }
        self.check_all().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_have_the_asked_size() {
        for chars in [200, 4096, 4097, 8193, 300_000] {
            let xml = element(7, Some(&slot_id(1)), chars).to_xml_string();
            assert_eq!(xml.encode_utf16().count(), chars);
            assert_eq!(
                XmlElement::parse(&xml).unwrap().to_xml_string(),
                xml,
                "round trip"
            );
        }
    }

    #[test]
    fn tiers_as_the_provider_chooses() {
        use TierStorageMode::*;
        assert_eq!(ssm_tier(StandardOnly, 4096), Some("Standard"));
        assert_eq!(ssm_tier(StandardOnly, 4097), None);
        assert_eq!(ssm_tier(AdvancedUpgradeable, 4097), Some("Advanced"));
        assert_eq!(ssm_tier(AdvancedOnly, 100), Some("Advanced"));
        assert_eq!(ssm_tier(IntelligentTiering, 100), Some("Standard"));
        assert_eq!(ssm_tier(IntelligentTiering, 8192), Some("Advanced"));
        assert_eq!(ssm_tier(AdvancedOnly, 8193), None);
    }
}

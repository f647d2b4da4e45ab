use super::*;
use crate::dynamodb::model::{parse_item, KeyAttribute, KeyType, RawItem};

fn item(json: &str) -> Item {
    parse_item(serde_json::from_str::<RawItem>(json).unwrap()).unwrap()
}

fn raw_values(json: &str) -> HashMap<String, RawAttributeValue> {
    serde_json::from_str(json).unwrap()
}

fn names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn message(r: Result<Compiled>) -> String {
    match r {
        Err(DynamoError::Validation(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

struct Req {
    cond: Option<&'static str>,
    update: Option<&'static str>,
    projection: Option<&'static str>,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, RawAttributeValue>>,
}

impl Req {
    fn cond(e: &'static str) -> Req {
        Req {
            cond: Some(e),
            update: None,
            projection: None,
            names: None,
            values: None,
        }
    }
    fn update(e: &'static str) -> Req {
        Req {
            update: Some(e),
            ..Req::cond("")
        }
        .no_cond()
    }
    fn projection(e: &'static str) -> Req {
        Req {
            projection: Some(e),
            ..Req::cond("")
        }
        .no_cond()
    }
    fn no_cond(mut self) -> Req {
        self.cond = None;
        self
    }
    fn names(mut self, pairs: &[(&str, &str)]) -> Req {
        self.names = Some(names(pairs));
        self
    }
    fn values(mut self, json: &str) -> Req {
        self.values = Some(raw_values(json));
        self
    }
    fn compile(&self) -> Result<Compiled> {
        compile(&ExpressionParams {
            condition_expression: self.cond,
            update_expression: self.update,
            projection_expression: self.projection,
            names: self.names.as_ref(),
            values: self.values.as_ref(),
            ..Default::default()
        })
    }
    fn err(&self) -> String {
        message(self.compile())
    }
    fn check(&self, it: Option<&Item>) -> bool {
        self.compile()
            .unwrap()
            .condition
            .unwrap()
            .evaluate(it)
            .unwrap()
    }
    fn run(&self, start: &str) -> Result<Item> {
        self.compile().unwrap().update.unwrap().apply(item(start))
    }
}

fn runtime_err(r: Result<Item>) -> String {
    match r {
        Err(DynamoError::Validation(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

// ---- syntax ----

#[test]
fn syntax_errors_quote_token_and_neighbours() {
    let cases = [
        ("SET MyStr = myNum + 1", "1", "+ 1"),
        (
            "SET MyStr = myNum Mystr2 myNum2",
            "Mystr2",
            "myNum Mystr2 myNum2",
        ),
        ("SET MyStr = my Num", "Num", "my Num"),
        ("whatever", "whatever", "whatever"),
        ("set a = b + c + d", "+", "c + d"),
        ("set a = b / c", "/", "b / c"),
    ];
    for (e, token, near) in cases {
        assert_eq!(
            Req::update(e).err(),
            format!("Invalid UpdateExpression: Syntax error; token: \"{token}\", near: \"{near}\""),
            "{e}"
        );
    }
    assert_eq!(
        Req::cond("foo").err(),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"foo\""
    );
    assert_eq!(
        Req::cond("a = ").err(),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\""
    );
    for e in [
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a b",
        "remove a b",
        "set a b",
        "set :a = b",
        "add :a b",
        "remove :a",
        "set a = b * c",
        "set a[1] = \"eight\"",
        "set a[1] = 1",
        "SET if_not_exist(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
    ] {
        assert!(
            Req::update(e)
                .err()
                .starts_with("Invalid UpdateExpression: Syntax error; token: "),
            "{e}"
        );
    }
    for e in [
        "a = = b",
        "a BETWEEN b",
        "a IN ()",
        "NOT",
        "a AND",
        "(a = b",
        "a[x] = b",
        "size(a)b",
    ] {
        assert!(
            Req::cond(e)
                .err()
                .starts_with("Invalid ConditionExpression: Syntax error; token: "),
            "{e}"
        );
    }
}

#[test]
fn keywords_are_case_insensitive_and_clauses_any_order() {
    let c = Req::update("remove x ADD n :one set y = :s delete s :ss")
        .values(r#"{":one":{"N":"1"},":s":{"S":"v"},":ss":{"SS":["a"]}}"#)
        .compile()
        .unwrap();
    let u = c.update.unwrap();
    assert_eq!(u.actions().set.len(), 1);
    assert_eq!(u.actions().remove.len(), 1);
    assert!(Req::cond("a = :v aNd NoT b = :v oR c iN (:v)")
        .values(r#"{":v":{"S":"x"}}"#)
        .compile()
        .is_ok());
}

#[test]
fn empty_and_oversized_expressions() {
    assert_eq!(
        Req::update("").err(),
        "Invalid UpdateExpression: The expression can not be empty;"
    );
    assert_eq!(
        Req::cond("  ").err(),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    let long: &'static str =
        Box::leak(format!("a = :v OR {}", "b = :v OR ".repeat(410) + "c = :v").into_boxed_str());
    assert_eq!(
        Req::cond(long).values(r#"{":v":{"S":"x"}}"#).err(),
        format!(
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: {}",
            long.len()
        )
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep: &'static str =
        Box::leak(format!("{}a = b{}", "(".repeat(2000), ")".repeat(2000)).into_boxed_str());
    assert!(Req::cond(deep).err().contains("Syntax error"));
    let nots: &'static str = Box::leak(format!("{}a = b", "NOT ".repeat(1000)).into_boxed_str());
    assert!(Req::cond(nots).err().contains("Syntax error"));
}

// ---- placeholders and validation ----

#[test]
fn placeholder_errors() {
    assert_eq!(
        Req::update("SET #a = :v").values(r#"{":v":{"S":"x"}}"#).err(),
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a"
    );
    assert_eq!(
        Req::cond("a = :v").names(&[("#x", "x")]).err(),
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"
    );
    assert_eq!(
        Req::cond("a = :v")
            .values(r#"{":v":{"S":"x"},":w":{"S":"y"},":u":{"N":"1"}}"#)
            .err(),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u, :w}"
    );
    assert_eq!(
        Req::projection("a")
            .names(&[("#b", "b"), ("#a", "a")])
            .err(),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
    );
    assert_eq!(
        Req::cond("a = b").names(&[]).err(),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        Req::cond("a = b").values("{}").err(),
        "ExpressionAttributeValues must not be empty"
    );
    assert_eq!(
        Req::cond("a = b").names(&[("a", "a")]).err(),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""
    );
    assert_eq!(
        Req::cond("a = :b")
            .values(r#"{":b":{"S":"a"},"b":{"S":"a"}}"#)
            .err(),
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\""
    );
    for (v, m) in [
        ("{}", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (r#"{"SS":[]}"#, "One or more parameter values were invalid: An string set  may not be empty"),
        (r#"{"N":"b"}"#, "The parameter cannot be converted to a numeric value: b"),
        (r#"{"S":"a","N":"1"}"#, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ] {
        assert_eq!(
            Req::cond("a = :b").values(&format!(r#"{{":b":{v}}}"#)).err(),
            format!("ExpressionAttributeValues contains invalid value: {m} for key :b")
        );
    }
}

#[test]
fn placeholders_without_expressions_and_mixing() {
    let n = names(&[("#a", "a")]);
    let v = raw_values(r#"{":a":{"S":"x"}}"#);
    let expected: HashMap<String, ExpectedAttributeValue> = HashMap::new();
    let updates: HashMap<String, AttributeValueUpdate> = HashMap::new();
    assert_eq!(
        message(compile(&ExpressionParams {
            condition_expression: Some("a = :a"),
            update_expression: Some("SET b = :a"),
            expected: Some(&expected),
            attribute_updates: Some(&updates),
            ..Default::default()
        })),
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: \
         {UpdateExpression, ConditionExpression}"
    );
    assert_eq!(
        message(compile(&ExpressionParams {
            names: Some(&n),
            values: Some(&v),
            ..Default::default()
        })),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    assert_eq!(
        message(compile(&ExpressionParams {
            values: Some(&v),
            operation_expressions: &["UpdateExpression", "ConditionExpression"],
            ..Default::default()
        })),
        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
    );
    assert_eq!(
        message(compile(&ExpressionParams {
            values: Some(&v),
            operation_expressions: &["ConditionExpression"],
            ..Default::default()
        })),
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    );
}

#[test]
fn reserved_words_and_functions() {
    assert_eq!(
        Req::update(" set #c = :c set abOrt = true ")
            .names(&[("#c", "c")])
            .values(r#"{":c":{"S":"a"}}"#)
            .err(),
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"
    );
    assert_eq!(
        Req::cond("attribute_exists(#data) AND ttl > :now")
            .names(&[("#data", "data")])
            .values(r#"{":now":{"N":"1"}}"#)
            .err(),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: ttl"
    );
    assert_eq!(
        Req::cond("foo(a)").err(),
        "Invalid ConditionExpression: Invalid function name; function: foo"
    );
    assert_eq!(
        Req::cond("if_not_exists(a, :v) = :v").values(r#"{":v":{"S":"x"}}"#).err(),
        "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"
    );
    assert_eq!(
        Req::cond("begins_with(a, :v) = :v").values(r#"{":v":{"S":"x"}}"#).err(),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with"
    );
    assert_eq!(
        Req::cond("size(a)").err(),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"
    );
    assert_eq!(
        Req::cond("attribute_exists(a, b)").err(),
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"
    );
    assert_eq!(
        Req::cond("attribute_exists(:v)").values(r#"{":v":{"S":"x"}}"#).err(),
        "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"
    );
    assert_eq!(
        Req::cond("attribute_type(a, :t)").values(r#"{":t":{"S":"X"}}"#).err(),
        "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    );
    assert_eq!(
        Req::cond("attribute_type(a, :t)").values(r#"{":t":{"N":"1"}}"#).err(),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"
    );
    assert_eq!(
        Req::cond("begins_with(a, :t)").values(r#"{":t":{"N":"1"}}"#).err(),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
    assert_eq!(
        Req::cond("size(:t) > a").values(r#"{":t":{"BOOL":true}}"#).err(),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"
    );
    assert_eq!(
        Req::cond("a.b = a.b").err(),
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a, b]"
    );
    assert_eq!(
        Req::cond("((a = b))").err(),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        Req::update("set #c = if_not_exist(:c) set c = d")
            .names(&[("#c", "c")])
            .values(r#"{":c":{"S":"a"}}"#)
            .err(),
        "Invalid UpdateExpression: Invalid function name; function: if_not_exist"
    );
    assert_eq!(
        Req::update("set a = if_not_exists(c)").err(),
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"
    );
    assert_eq!(
        Req::update("set a = if_not_exists(:a, c)").values(r#"{":a":{"S":"a"}}"#).err(),
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"
    );
    assert_eq!(
        Req::update("set a = list_append(:a, a)").values(r#"{":a":{"S":"a"}}"#).err(),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"
    );
    assert_eq!(
        Req::update("set a = b - :a").values(r#"{":a":{"SS":["a"]}}"#).err(),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: SS"
    );
}

#[test]
fn between_and_in_checks() {
    assert_eq!(
        Req::cond("a BETWEEN :x AND :y").values(r#"{":x":{"N":"1"},":y":{"S":"a"}}"#).err(),
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    );
    assert_eq!(
        Req::cond("a BETWEEN :x AND :y").values(r#"{":x":{"N":"10"},":y":{"N":"9"}}"#).err(),
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}"
    );
    let list: Vec<String> = (0..101).map(|i| format!("b{i}")).collect();
    let e: &'static str = Box::leak(format!("a IN ({})", list.join(", ")).into_boxed_str());
    assert_eq!(
        Req::cond(e).err(),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
}

#[test]
fn update_sections_paths_and_operand_types() {
    for (e, section) in [
        ("set a = b set c = d", "SET"),
        ("remove d set a = b remove e", "REMOVE"),
        ("add d :e set a = b add e :e", "ADD"),
        ("delete d :e set a = b delete f :e", "DELETE"),
    ] {
        assert_eq!(
            Req::update(e).values(r#"{":e":{"SS":["x"]}}"#).err(),
            format!("Invalid UpdateExpression: The \"{section}\" section can only be used once in an update expression;"),
        );
    }
    assert_eq!(
        Req::update("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a, b)")
            .names(&[("#c", "c")])
            .err(),
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"
    );
    assert_eq!(
        Req::update("set #c[3].#d = a, #c.#d[3] = if_not_exists(a, b)")
            .names(&[("#c", "c"), ("#d", "[3]")])
            .err(),
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"
    );
    assert_eq!(
        Req::update("remove a.#c set a[1] = #d").names(&[("#c", "c"), ("#d", "d")]).err(),
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"
    );
    assert_eq!(
        Req::projection("a, a").err(),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
    );
    for (section, v, word) in [
        ("add", r#"{"S":"a"}"#, "STRING"),
        ("delete", r#"{"S":"a"}"#, "STRING"),
        ("add", r#"{"NULL":true}"#, "NULL"),
        ("add", r#"{"BOOL":true}"#, "BOOLEAN"),
        ("delete", r#"{"B":"YQ=="}"#, "BINARY"),
        ("add", r#"{"M":{}}"#, "MAP"),
        ("add", r#"{"L":[]}"#, "LIST"),
        ("delete", r#"{"N":"1"}"#, "NUMBER"),
    ] {
        let e: &'static str = Box::leak(format!("{section} a.b :a").into_boxed_str());
        assert_eq!(
            Req::update(e).values(&format!(r#"{{":a":{v}}}"#)).err(),
            format!(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: {}, operand type: {word}",
                section.to_uppercase()
            )
        );
    }
}

// ---- condition evaluation ----

#[test]
fn comparisons_follow_dynamodb_types() {
    let it = item(
        r#"{"n":{"N":"10"},"s":{"S":"abc"},"b":{"B":"AQI="},"ss":{"SS":["x","y"]},"l":{"L":[{"S":"x"},{"N":"1"}]},"m":{"M":{"k":{"S":"v"}}},"f":{"BOOL":false}}"#,
    );
    let v = r#"{":n9":{"N":"9"},":n10":{"N":"10.0"},":s":{"S":"abd"},":x":{"S":"x"},":yx":{"SS":["y","x"]},":one":{"N":"1"},":f":{"BOOL":false},":b":{"B":"AQ=="},":t":{"S":"SS"}}"#;
    let check = |e: &'static str| {
        let c = compile(&ExpressionParams {
            condition_expression: Some(e),
            values: Some(&raw_values(v)),
            ..Default::default()
        });
        match c {
            Ok(c) => c.condition.unwrap().evaluate(Some(&it)).unwrap(),
            // unused values are fine for these checks: evaluate without the unused check
            Err(_) => {
                let mut usage = Usage {
                    names: None,
                    values: check_placeholders(&ExpressionParams {
                        values: Some(&raw_values(v)),
                        ..Default::default()
                    })
                    .unwrap(),
                    used_names: BTreeSet::new(),
                    used_values: BTreeSet::new(),
                };
                usage
                    .condition("ConditionExpression", e)
                    .unwrap()
                    .evaluate(Some(&it))
                    .unwrap()
            }
        }
    };
    assert!(check("n > :n9"));
    assert!(check("n = :n10"));
    assert!(!check("n = :s"));
    assert!(!check("n < :s"), "different types never compare");
    assert!(check("n <> :s"));
    assert!(check("s < :s"));
    assert!(check("b > :b"));
    assert!(check("ss = :yx"), "sets compare as sets");
    assert!(check("nope <> :n9"));
    assert!(!check("nope = :n9"));
    assert!(!check("nope < :n9"));
    assert!(check("n BETWEEN :n9 AND :n10"));
    assert!(check("n IN (:s, :n10)"));
    assert!(check("contains(s, :x) OR contains(ss, :x)"));
    assert!(check("contains(l, :one) AND contains(l, :x)"));
    assert!(check("begins_with(s, :s) OR begins_with(b, :b)"));
    assert!(check("attribute_type(ss, :t)"));
    assert!(check(
        "size(s) > :one AND size(l) = size(ss) AND size(m) = :one"
    ));
    assert!(!check("size(n) > :one"));
    assert!(check(
        "attribute_exists(m.k) AND attribute_not_exists(m.z) AND attribute_exists(l[1])"
    ));
    assert!(check("NOT f = :one AND (f = :f OR n = :s)"));
    assert!(check("NOT NOT f = :f"));
    assert!(check("(size(s)) > :one"));
}

#[test]
fn precedence_not_binds_tighter_than_and_than_or() {
    let v = r#"{":t":{"BOOL":true}}"#;
    let it = item(r#"{"a":{"BOOL":true}}"#);
    // true OR (false AND false) = true; (true OR false) AND false would be false.
    assert!(Req::cond("a = :t OR b = :t AND c = :t")
        .values(v)
        .check(Some(&it)));
    assert!(!Req::cond("(a = :t OR b = :t) AND c = :t")
        .values(v)
        .check(Some(&it)));
    assert!(Req::cond("NOT b = :t AND a = :t")
        .values(v)
        .check(Some(&it)));
}

#[test]
fn conditions_on_missing_items() {
    assert!(Req::cond("attribute_not_exists(pk)").check(None));
    assert!(!Req::cond("attribute_exists(pk)").check(None));
    assert!(!Req::cond("a = :v")
        .values(r#"{":v":{"N":"0"}}"#)
        .check(None));
}

// ---- updates ----

#[test]
fn set_remove_add_delete() {
    let out = Req::update("SET a.b[1] = :x, c = if_not_exists(c, :zero) + :one, l = list_append(l, :l) REMOVE r, k[0] ADD n :one, s :ss DELETE d :ss")
        .values(r#"{":x":{"S":"new"},":zero":{"N":"0"},":one":{"N":"1"},":l":{"L":[{"N":"9"}]},":ss":{"SS":["a"]}}"#)
        .run(r#"{"a":{"M":{"b":{"L":[{"S":"0"},{"S":"1"}]}}},"l":{"L":[{"N":"1"},{"N":"2"}]},"r":{"S":"gone"},"k":{"L":[{"N":"7"},{"N":"8"}]},"n":{"N":"41"},"s":{"SS":["z"]},"d":{"SS":["a"]}}"#)
        .unwrap();
    assert_eq!(
        out,
        item(
            r#"{"a":{"M":{"b":{"L":[{"S":"0"},{"S":"new"}]}}},"c":{"N":"1"},"l":{"L":[{"N":"1"},{"N":"2"},{"N":"9"}]},"k":{"L":[{"N":"8"}]},"n":{"N":"42"},"s":{"SS":["z","a"]}}"#
        )
    );
}

#[test]
fn set_reads_the_old_item_and_list_index_past_end_appends() {
    let out = Req::update("SET a = b, b = a, l[10] = :v")
        .values(r#"{":v":{"N":"3"}}"#)
        .run(r#"{"a":{"N":"1"},"b":{"N":"2"},"l":{"L":[{"N":"1"}]}}"#)
        .unwrap();
    assert_eq!(
        out,
        item(r#"{"a":{"N":"2"},"b":{"N":"1"},"l":{"L":[{"N":"1"},{"N":"3"}]}}"#)
    );
}

#[test]
fn each_section_applies_its_paths_in_path_order() {
    let out = Req::update("SET l[4] = :x, l[2] = :y ADD l[8] :s, l[6] :n")
        .values(r#"{":x":{"S":"x"},":y":{"S":"y"},":s":{"SS":["s"]},":n":{"N":"2"}}"#)
        .run(r#"{"l":{"L":[{"N":"0"},{"N":"1"}]}}"#)
        .unwrap();
    assert_eq!(
        out,
        item(r#"{"l":{"L":[{"N":"0"},{"N":"1"},{"S":"y"},{"S":"x"},{"N":"2"},{"SS":["s"]}]}}"#)
    );
}

#[test]
fn delete_needs_the_containers_on_its_path() {
    let start = r#"{"s":{"S":"x"},"m":{"M":{}},"l":{"L":[]}}"#;
    let v = r#"{":a":{"SS":["a"]}}"#;
    for expression in [
        "DELETE s.a :a",
        "DELETE s[1] :a",
        "DELETE y.a :a",
        "DELETE y[1] :a",
        "DELETE m[1] :a",
        "DELETE l.a :a",
    ] {
        assert_eq!(
            runtime_err(Req::update(expression).values(v).run(start)),
            "The document path provided in the update expression is invalid for update",
            "{expression}"
        );
    }
    // Nothing to delete from is fine where the path itself could be written.
    for expression in ["DELETE y :a", "DELETE m.a :a", "DELETE l[3] :a"] {
        assert_eq!(
            Req::update(expression).values(v).run(start).unwrap(),
            item(start)
        );
    }
}

#[test]
fn if_not_exists_has_no_static_type() {
    let out = Req::update("SET b = list_append(b, if_not_exists(a, :s))")
        .values(r#"{":s":{"S":"x"}}"#)
        .run(r#"{"a":{"L":[{"N":"2"}]},"b":{"L":[{"N":"1"}]}}"#)
        .unwrap();
    assert_eq!(
        out,
        item(r#"{"a":{"L":[{"N":"2"}]},"b":{"L":[{"N":"1"},{"N":"2"}]}}"#)
    );
}

#[test]
fn remove_of_list_elements_uses_original_positions() {
    let out = Req::update("REMOVE l[0], l[2], l[9]")
        .run(r#"{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}"#)
        .unwrap();
    assert_eq!(out, item(r#"{"l":{"L":[{"N":"1"},{"N":"3"}]}}"#));
}

#[test]
fn runtime_errors_leave_the_item_untouched() {
    let start = r#"{"s":{"S":"x"},"n":{"N":"1"}}"#;
    let v = r#"{":one":{"N":"1"}}"#;
    assert_eq!(
        runtime_err(Req::update("SET n = nope + :one").values(v).run(start)),
        "The provided expression refers to an attribute that does not exist in the item"
    );
    assert_eq!(
        runtime_err(Req::update("SET n = s + :one").values(v).run(start)),
        "An operand in the update expression has an incorrect data type"
    );
    assert_eq!(
        runtime_err(Req::update("ADD s :one").values(v).run(start)),
        "An operand in the update expression has an incorrect data type"
    );
    assert_eq!(
        runtime_err(Req::update("SET x.y = :one").values(v).run(start)),
        "The document path provided in the update expression is invalid for update"
    );
    assert_eq!(
        runtime_err(Req::update("SET s[0] = :one").values(v).run(start)),
        "The document path provided in the update expression is invalid for update"
    );
    // A later action failing fails the whole update (that the stored item is then left
    // alone is checked end to end in tests/expressions.rs).
    assert_eq!(
        runtime_err(
            Req::update("SET n = :one, q = s + :one")
                .values(v)
                .run(start)
        ),
        "An operand in the update expression has an incorrect data type"
    );
}

#[test]
fn number_limits_in_arithmetic() {
    let v = r#"{":a":{"N":"9e125"},":b":{"N":"9e125"},":big":{"N":"1e50"},":one":{"N":"1"}}"#;
    let overflow =
        "Number overflow. Attempting to store a number with magnitude larger than supported range";
    let mut usage = Usage {
        names: None,
        values: check_placeholders(&ExpressionParams {
            values: Some(&raw_values(v)),
            ..Default::default()
        })
        .unwrap(),
        used_names: BTreeSet::new(),
        used_values: BTreeSet::new(),
    };
    for e in [
        "SET x = :a + :b",
        "SET x = :big + :one",
        "SET x = :big - :one",
    ] {
        let u = usage.update(e).unwrap();
        assert_eq!(
            match u.apply(Item::new()) {
                Err(DynamoError::Validation(m)) => m,
                other => panic!("{other:?}"),
            },
            overflow,
            "{e}"
        );
    }
}

#[test]
fn delete_emptying_a_set_removes_it_and_add_creates() {
    let out = Req::update("DELETE s :s ADD n :n, t :t")
        .values(r#"{":s":{"NS":["1","2"]},":n":{"N":"-0.5"},":t":{"BS":["AQ=="]}}"#)
        .run(r#"{"s":{"NS":["2","1"]}}"#)
        .unwrap();
    assert_eq!(out, item(r#"{"n":{"N":"-0.5"},"t":{"BS":["AQ=="]}}"#));
}

#[test]
fn key_attributes_cannot_be_updated() {
    let schema = KeySchema {
        hash: KeyAttribute {
            name: "pk".into(),
            kind: KeyType::S,
        },
        range: Some(KeyAttribute {
            name: "sk".into(),
            kind: KeyType::N,
        }),
    };
    let u = Req::update("SET a = :v REMOVE sk")
        .values(r#"{":v":{"S":"x"}}"#)
        .compile()
        .unwrap()
        .update
        .unwrap();
    assert_eq!(
        u.check_key_attributes(&schema),
        Err(DynamoError::validation(
            "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"
        ))
    );
    let ok = Req::update("SET a = :v")
        .values(r#"{":v":{"S":"x"}}"#)
        .compile()
        .unwrap()
        .update
        .unwrap();
    assert_eq!(ok.check_key_attributes(&schema), Ok(()));
}

// ---- projections ----

#[test]
fn projections_nest_like_dynamodb() {
    let it = item(
        r#"{"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},"l":{"L":[{"N":"0"},{"M":{"x":{"S":"1"},"y":{"S":"2"}}},{"N":"2"},{"N":"3"}]},"z":{"S":"z"}}"#,
    );
    let p = Req::projection("a.b, l[3], l[1].y, nope, a.q.r, #z")
        .names(&[("#z", "z")])
        .compile()
        .unwrap()
        .projection
        .unwrap();
    assert_eq!(
        p.apply(&it),
        item(
            r#"{"a":{"M":{"b":{"N":"1"}}},"l":{"L":[{"M":{"y":{"S":"2"}}},{"N":"3"}]},"z":{"S":"z"}}"#
        )
    );
    let u = Req::update("SET a.c = :v, n = :v")
        .values(r#"{":v":{"N":"5"}}"#)
        .compile()
        .unwrap()
        .update
        .unwrap();
    assert_eq!(
        u.updated_paths().apply(&it),
        item(r#"{"a":{"M":{"c":{"N":"2"}}}}"#)
    );
}

// ---- legacy parameters ----

fn legacy_expected(json: &str, op: Option<&str>) -> Result<Compiled> {
    let expected: HashMap<String, ExpectedAttributeValue> = serde_json::from_str(json).unwrap();
    compile(&ExpressionParams {
        expected: Some(&expected),
        conditional_operator: op,
        ..Default::default()
    })
}

#[test]
fn expected_compiles_to_conditions() {
    // The classic session provider's lock: Locked == 0, or no item yet.
    let lock = legacy_expected(r#"{"Locked":{"Value":{"N":"0"}}}"#, None)
        .unwrap()
        .condition
        .unwrap();
    assert!(lock
        .evaluate(Some(&item(r#"{"Locked":{"N":"0"}}"#)))
        .unwrap());
    assert!(!lock
        .evaluate(Some(&item(r#"{"Locked":{"N":"1"}}"#)))
        .unwrap());
    assert!(!lock.evaluate(None).unwrap());
    let absent = legacy_expected(r#"{"a":{"Exists":false}}"#, None)
        .unwrap()
        .condition
        .unwrap();
    assert!(absent.evaluate(None).unwrap());
    let either = legacy_expected(
        r#"{"a":{"ComparisonOperator":"NULL"},"b":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"5"}]}}"#,
        Some("OR"),
    )
    .unwrap()
    .condition
    .unwrap();
    assert!(either
        .evaluate(Some(&item(r#"{"a":{"N":"1"},"b":{"N":"3"}}"#)))
        .unwrap());
    assert!(!either
        .evaluate(Some(&item(r#"{"a":{"N":"1"},"b":{"N":"9"}}"#)))
        .unwrap());
    let both = legacy_expected(
        r#"{"a":{"ComparisonOperator":"NOT_NULL"},"b":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"x"},{"S":"y"}]}}"#,
        None,
    )
    .unwrap()
    .condition
    .unwrap();
    assert!(both
        .evaluate(Some(&item(r#"{"a":{"N":"1"},"b":{"S":"y"}}"#)))
        .unwrap());
    assert!(!both.evaluate(Some(&item(r#"{"b":{"S":"y"}}"#))).unwrap());
}

#[test]
fn expected_errors() {
    let e = |json: &str| message(legacy_expected(json, None));
    assert_eq!(e(r#"{"a":{}}"#), "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a");
    assert_eq!(e(r#"{"a":{"Exists":true}}"#), "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a");
    assert_eq!(e(r#"{"a":{"Exists":false,"Value":{"S":"a"}}}"#), "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a");
    // Recorded by dynalite's putItem.js (with LT).
    assert_eq!(e(r#"{"a":{"ComparisonOperator":"EQ"}}"#), "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a");
    assert_eq!(e(r#"{"a":{"ComparisonOperator":"NULL","AttributeValueList":[{"S":"a"}]}}"#), "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator");
    assert_eq!(e(r#"{"a":{"ComparisonOperator":"LT","AttributeValueList":[{"SS":["a"]}]}}"#), "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type");
    assert_eq!(
        e(r#"{"a":{"ComparisonOperator":"XX"}}"#),
        "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    );
    assert_eq!(
        message(legacy_expected(r#"{"a":{"Value":{"S":"a"}}}"#, Some("XOR"))),
        "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]"
    );
}

fn legacy_update(json: &str) -> Result<Compiled> {
    let updates: HashMap<String, AttributeValueUpdate> = serde_json::from_str(json).unwrap();
    compile(&ExpressionParams {
        attribute_updates: Some(&updates),
        ..Default::default()
    })
}

#[test]
fn attribute_updates_compile_to_actions() {
    // The .NET cache provider's refresh: PUT of the new expiry.
    let u = legacy_update(r#"{"ExpiresAt":{"Action":"PUT","Value":{"N":"200"}},"Hits":{"Action":"ADD","Value":{"N":"1"}},"Old":{"Action":"DELETE"},"Tags":{"Action":"DELETE","Value":{"SS":["a"]}},"Log":{"Action":"ADD","Value":{"L":[{"S":"b"}]}},"Plain":{"Value":{"S":"p"}}}"#)
        .unwrap()
        .update
        .unwrap();
    let it = u
        .apply(item(
            r#"{"ExpiresAt":{"N":"100"},"Hits":{"N":"1"},"Old":{"S":"x"},"Tags":{"SS":["a","b"]},"Log":{"L":[{"S":"a"}]}}"#,
        ))
        .unwrap();
    assert_eq!(
        it,
        item(
            r#"{"ExpiresAt":{"N":"200"},"Hits":{"N":"2"},"Tags":{"SS":["b"]},"Log":{"L":[{"S":"a"},{"S":"b"}]},"Plain":{"S":"p"}}"#
        )
    );
    // A wrong-typed ADD or DELETE is worded for the legacy parameter.
    for updates in [
        r#"{"Hits":{"Action":"ADD","Value":{"NS":["1"]}}}"#,
        r#"{"Tags":{"Action":"DELETE","Value":{"NS":["1"]}}}"#,
    ] {
        let u = legacy_update(updates).unwrap().update.unwrap();
        assert_eq!(
            runtime_err(u.apply(it.clone())),
            "Type mismatch for attribute to update"
        );
    }
    let e = |json: &str| message(legacy_update(json));
    assert_eq!(e(r#"{"a":{"Action":"PUT"}}"#), "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
    assert_eq!(
        e(r#"{"a":{"Action":"ADD","Value":{"S":"1"}}}"#),
        "One or more parameter values were invalid: ADD action is not supported for the type S"
    );
    assert_eq!(e(r#"{"a":{"Action":"DELETE","Value":{"N":"1"}}}"#), "One or more parameter values were invalid: DELETE action with value is not supported for the type N");
    assert_eq!(
        e(r#"{"a":{"Action":"MERGE","Value":{"N":"1"}}}"#),
        "1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
    );
}

#[test]
fn attributes_to_get() {
    let names = vec!["a".to_string(), "b".to_string()];
    let p = compile(&ExpressionParams {
        attributes_to_get: Some(&names),
        ..Default::default()
    })
    .unwrap()
    .projection
    .unwrap();
    assert_eq!(
        p.apply(&item(r#"{"a":{"N":"1"},"c":{"N":"3"}}"#)),
        item(r#"{"a":{"N":"1"}}"#)
    );
    let dup = vec!["a".to_string(), "a".to_string()];
    assert_eq!(
        message(compile(&ExpressionParams {
            attributes_to_get: Some(&dup),
            ..Default::default()
        })),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
}

// ---- property tests ----

mod properties {
    use super::*;
    use crate::dynamodb::expr::ast::{Comparator, Operand, PathElem};
    use crate::dynamodb::model::Number;
    use proptest::prelude::*;

    /// Prints a condition tree back into expression text, allocating placeholders.
    struct Printer {
        values: HashMap<String, RawAttributeValue>,
    }

    impl Printer {
        fn value(&mut self, v: &AttributeValue) -> String {
            let key = format!(":v{}", self.values.len());
            let raw: RawAttributeValue =
                serde_json::from_str(&serde_json::to_string(v).unwrap()).unwrap();
            self.values.insert(key.clone(), raw);
            key
        }

        fn path(p: &Path) -> String {
            let mut out = String::new();
            for e in &p.0 {
                match e {
                    PathElem::Attr(a) if out.is_empty() => out.push_str(a),
                    PathElem::Attr(a) => {
                        out.push('.');
                        out.push_str(a);
                    }
                    PathElem::Index(i) => out.push_str(&format!("[{i}]")),
                }
            }
            out
        }

        fn operand(&mut self, o: &Operand) -> String {
            match o {
                Operand::Path(p) => Self::path(p),
                Operand::Value(v) => self.value(v),
                Operand::Size(inner) => format!("size({})", self.operand(inner)),
            }
        }

        fn grouped(&mut self, c: &Cond) -> String {
            match c {
                Cond::And(..) | Cond::Or(..) => format!("({})", self.cond(c)),
                _ => self.cond(c),
            }
        }

        fn cond(&mut self, c: &Cond) -> String {
            match c {
                Cond::Compare(cmp, a, b) => {
                    format!("{} {} {}", self.operand(a), cmp.symbol(), self.operand(b))
                }
                Cond::Between(a, b, c) => format!(
                    "{} BETWEEN {} AND {}",
                    self.operand(a),
                    self.operand(b),
                    self.operand(c)
                ),
                Cond::In(a, list) => {
                    let a = self.operand(a);
                    let list: Vec<String> = list.iter().map(|o| self.operand(o)).collect();
                    format!("{a} IN ({})", list.join(", "))
                }
                Cond::Exists(p) => format!("attribute_exists({})", Self::path(p)),
                Cond::NotExists(p) => format!("attribute_not_exists({})", Self::path(p)),
                Cond::Type(a, t) => {
                    format!("attribute_type({}, {})", self.operand(a), self.operand(t))
                }
                Cond::BeginsWith(a, b) => {
                    format!("begins_with({}, {})", self.operand(a), self.operand(b))
                }
                Cond::Contains(a, b) => {
                    format!("contains({}, {})", self.operand(a), self.operand(b))
                }
                Cond::And(a, b) => format!("{} AND {}", self.grouped(a), self.grouped(b)),
                Cond::Or(a, b) => format!("{} OR {}", self.grouped(a), self.grouped(b)),
                Cond::Not(a) => format!("NOT {}", self.grouped(a)),
            }
        }
    }

    fn path() -> impl Strategy<Value = Path> {
        (
            0..5usize,
            prop::collection::vec(
                prop_oneof![
                    (0..5usize).prop_map(|i| PathElem::Attr(format!("f{i}"))),
                    (0..20usize).prop_map(PathElem::Index),
                ],
                0..3,
            ),
        )
            .prop_map(|(head, rest)| {
                let mut elems = vec![PathElem::Attr(format!("p{head}"))];
                elems.extend(rest);
                Path(elems)
            })
    }

    fn number() -> impl Strategy<Value = Number> {
        (any::<bool>(), 1u64..1_000_000_000, -10i32..10).prop_map(|(neg, m, e)| {
            Number::parse(&format!("{}{m}E{e}", if neg { "-" } else { "" })).unwrap()
        })
    }

    fn scalar() -> impl Strategy<Value = AttributeValue> {
        prop_oneof![
            "[a-z]{0,6}".prop_map(AttributeValue::S),
            number().prop_map(AttributeValue::N),
            any::<bool>().prop_map(AttributeValue::Bool),
        ]
    }

    fn comparator() -> impl Strategy<Value = Comparator> {
        prop_oneof![
            Just(Comparator::Eq),
            Just(Comparator::Ne),
            Just(Comparator::Lt),
            Just(Comparator::Le),
            Just(Comparator::Gt),
            Just(Comparator::Ge),
        ]
    }

    fn leaf() -> impl Strategy<Value = Cond> {
        prop_oneof![
            (comparator(), path(), scalar()).prop_map(|(c, p, v)| Cond::Compare(
                c,
                Operand::Path(p),
                Operand::Value(v)
            )),
            (comparator(), path(), number()).prop_map(|(c, p, n)| Cond::Compare(
                c,
                Operand::Size(Box::new(Operand::Path(p))),
                Operand::Value(AttributeValue::N(n))
            )),
            (path(), number(), number()).prop_map(|(p, a, b)| {
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                Cond::Between(
                    Operand::Path(p),
                    Operand::Value(AttributeValue::N(lo)),
                    Operand::Value(AttributeValue::N(hi)),
                )
            }),
            (path(), prop::collection::vec(scalar(), 1..4)).prop_map(|(p, vs)| Cond::In(
                Operand::Path(p),
                vs.into_iter().map(Operand::Value).collect()
            )),
            path().prop_map(Cond::Exists),
            path().prop_map(Cond::NotExists),
            (path(), "[a-z]{1,4}").prop_map(|(p, s)| Cond::BeginsWith(
                Operand::Path(p),
                Operand::Value(AttributeValue::S(s))
            )),
            (path(), scalar())
                .prop_map(|(p, v)| Cond::Contains(Operand::Path(p), Operand::Value(v))),
        ]
    }

    fn cond() -> impl Strategy<Value = Cond> {
        leaf().prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Cond::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Cond::Or(Box::new(a), Box::new(b))),
                inner.prop_map(|a| Cond::Not(Box::new(a))),
            ]
        })
    }

    proptest! {
        #[test]
        fn printed_conditions_parse_back_to_the_same_tree(tree in cond()) {
            let mut printer = Printer { values: HashMap::new() };
            let text = printer.cond(&tree);
            let compiled = compile(&ExpressionParams {
                condition_expression: Some(&text),
                values: Some(&printer.values).filter(|v| !v.is_empty()),
                ..Default::default()
            });
            let compiled = compiled.map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
            let got = compiled.condition.unwrap();
            prop_assert_eq!(got.tree(), &tree, "{}", text);
        }

        #[test]
        fn compile_never_panics(text in "[a-zA-Z0-9_#:.,()\\[\\] <>=+-]{0,60}") {
            let names = names(&[("#a", "a"), ("#b", "b")]);
            let values = raw_values(r#"{":a":{"N":"1"},":b":{"SS":["x"]}}"#);
            for params in [
                ExpressionParams { condition_expression: Some(&text), names: Some(&names), values: Some(&values), ..Default::default() },
                ExpressionParams { update_expression: Some(&text), names: Some(&names), values: Some(&values), ..Default::default() },
                ExpressionParams { projection_expression: Some(&text), names: Some(&names), ..Default::default() },
            ] {
                if let Ok(c) = compile(&params) {
                    let it = item(r#"{"a":{"L":[{"N":"1"}]},"b":{"M":{"c":{"S":"x"}}},"n":{"N":"5"}}"#);
                    if let Some(cond) = c.condition { let _ = cond.evaluate(Some(&it)); let _ = cond.evaluate(None); }
                    if let Some(u) = c.update { if let Ok(i) = u.apply(it.clone()) { let _ = u.updated_paths().apply(&i); } }
                    if let Some(p) = c.projection { let _ = p.apply(&it); }
                }
            }
        }
    }
}

/// The parse memo keeps shapes only: the same text compiled again with other names and
/// values resolves to other trees, and a text that failed fails again, worded the same.
#[test]
fn remembered_parses_resolve_afresh() {
    let compile_update = |name: &str, values: &str| {
        let names = names(&[("#t", name)]);
        let values = raw_values(values);
        let params = ExpressionParams {
            update_expression: Some("SET #t = :v"),
            names: Some(&names),
            values: Some(&values),
            ..Default::default()
        };
        compile(&params).map(|c| format!("{:?}", c.update))
    };
    let first = compile_update("a", r#"{":v":{"N":"1"}}"#).unwrap();
    let second = compile_update("b", r#"{":v":{"S":"x"}}"#).unwrap();
    assert_ne!(first, second);
    assert!(second.contains(r#"Attr("b")"#), "{second}");
    assert!(second.contains(r#"S("x")"#), "{second}");
    // Placeholders are checked at resolution, so a remembered shape still meets them.
    assert!(message(compile(&ExpressionParams {
        update_expression: Some("SET #t = :v"),
        ..Default::default()
    }))
    .contains("#t"));
    let bad = ExpressionParams {
        update_expression: Some("SET #t = "),
        ..Default::default()
    };
    assert_eq!(message(compile(&bad)), message(compile(&bad)));
}

//! `sf data query --json` output: `{"status":0,"result":{"records":[…],"totalSize":N,"done":true}}`.
//! Records are flattened (`User.Username` for nested parents, `attributes` dropped) into the
//! same rows as the CSV exports, so one reader serves both.

use csv::ByteRecord;
use serde_json::{Map, Value};

/// A query result flattened into columns and rows.
#[derive(Debug)]
pub struct Flattened {
    /// Column names in order of first appearance.
    pub columns: Vec<String>,
    /// One record per JSON record, aligned with `columns`.
    pub records: Vec<ByteRecord>,
    /// `totalSize` as reported (records.len() when absent).
    pub total_size: u64,
    /// `done` as reported (true when absent).
    pub done: bool,
}

/// Why a JSON file could not be used.
#[derive(Debug)]
pub enum JsonProblem {
    /// Not valid JSON.
    Syntax {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// Parser message.
        message: String,
    },
    /// Valid JSON, but not a query result (ignored with this reason).
    NotQueryOutput(String),
}

/// Parse and flatten.
pub fn parse(bytes: &[u8]) -> Result<Flattened, JsonProblem> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| JsonProblem::Syntax {
        line: e.line() as u32,
        column: e.column() as u32,
        message: format!("invalid JSON: {e}"),
    })?;
    if let Some(status) = v.get("status").and_then(Value::as_i64) {
        if status != 0 {
            let msg = v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message");
            return Err(JsonProblem::NotQueryOutput(format!(
                "sf CLI error output (status {status}): {msg}"
            )));
        }
    }
    let result = v.get("result").unwrap_or(&v);
    let Some(records) = result.get("records").and_then(Value::as_array) else {
        return Err(JsonProblem::NotQueryOutput(
            "JSON without query records: not a usage export".into(),
        ));
    };
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(usize, String)>> = Vec::with_capacity(records.len());
    for r in records {
        let mut row = Vec::new();
        if let Some(obj) = r.as_object() {
            flatten(obj, "", &mut columns, &mut row);
        }
        rows.push(row);
    }
    let records = rows
        .into_iter()
        .map(|row| {
            let mut cells = vec![String::new(); columns.len()];
            for (i, v) in row {
                cells[i] = v;
            }
            ByteRecord::from(cells)
        })
        .collect::<Vec<_>>();
    Ok(Flattened {
        total_size: result
            .get("totalSize")
            .and_then(Value::as_u64)
            .unwrap_or(records.len() as u64),
        done: result.get("done").and_then(Value::as_bool).unwrap_or(true),
        columns,
        records,
    })
}

fn flatten(
    obj: &Map<String, Value>,
    prefix: &str,
    columns: &mut Vec<String>,
    row: &mut Vec<(usize, String)>,
) {
    for (k, v) in obj {
        if k == "attributes" {
            continue;
        }
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let text = match v {
            Value::Object(inner) => {
                flatten(inner, &name, columns, row);
                continue;
            }
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(_) => v.to_string(),
        };
        let idx = match columns.iter().position(|c| c == &name) {
            Some(i) => i,
            None => {
                columns.push(name);
                columns.len() - 1
            }
        };
        row.push((idx, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_sf_cli_output() {
        let src = br#"{"status":0,"result":{"records":[
            {"attributes":{"type":"OauthToken"},"AppName":"ERP Sync","User":{"attributes":{},"Username":"a@x"},"UseCount":3},
            {"attributes":{"type":"OauthToken"},"AppName":"Partner Portal","User":null,"UseCount":1}
        ],"totalSize":5,"done":false}}"#;
        let f = parse(src).expect("parses");
        let col = |n: &str| f.columns.iter().position(|c| c == n).expect(n);
        let user = col("User.Username");
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.records[0].get(col("AppName")), Some(&b"ERP Sync"[..]));
        assert_eq!(f.records[0].get(user), Some(&b"a@x"[..]));
        assert_eq!(f.records[1].get(user), Some(&b""[..]));
        assert_eq!(f.records[1].get(col("UseCount")), Some(&b"1"[..]));
        assert_eq!((f.total_size, f.done), (5, false));
    }

    #[test]
    fn errors_and_non_query_json() {
        assert!(matches!(
            parse(br#"{"status":1,"message":"INVALID_TYPE"}"#),
            Err(JsonProblem::NotQueryOutput(_))
        ));
        assert!(matches!(
            parse(br#"{"name":"x"}"#),
            Err(JsonProblem::NotQueryOutput(_))
        ));
        assert!(matches!(
            parse(b"{\n  \"a\": }"),
            Err(JsonProblem::Syntax { line: 2, .. })
        ));
    }
}

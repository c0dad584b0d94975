//! Reading a configuration file with every mistake reported, not only the first. The strict
//! parser (`toml` with `deny_unknown_fields`) stops at the first unknown key; an operator
//! fixing a file wants them all at once. So after an unknown key, the key is located in the
//! document (`toml_edit` keeps byte spans), removed, and the rest parsed again by the same
//! strict parser. Lines always refer to the file as written.

use std::ops::Range;
use std::path::Path;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::{Config, ConfigError};

/// Unknown keys reported at most; a file with more is not worth reading further.
const MAX_UNKNOWN_KEYS: usize = 32;

/// One step of a key path: a table key, or an element of an array (of tables).
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The outcome of parsing: the configuration when it could be read apart from unknown keys
/// (which were left out), and every error found on the way.
#[derive(Debug)]
pub struct Parsed {
    pub config: Option<Config>,
    pub errors: Vec<ConfigError>,
}

/// Parses `text` (read from `path`, which only names it in errors) with the strict parser,
/// collecting every unknown key.
pub fn parse(path: &Path, text: &str) -> Parsed {
    let original = ImDocument::parse(text.to_owned()).ok();
    let mut current = text.to_owned();
    let mut errors = Vec::new();
    loop {
        let err = match toml::from_str::<Config>(&current) {
            Ok(config) => {
                return Parsed {
                    config: Some(config),
                    errors,
                }
            }
            Err(err) => err,
        };
        let located = err.span().and_then(|span| {
            let doc = ImDocument::parse(current.clone()).ok()?;
            let at = path_at(doc.as_table(), &span)?;
            Some((doc, at))
        });
        let Some((doc, at)) = located else {
            errors.push(ConfigError::Syntax {
                path: path.to_owned(),
                source: Box::new(err),
            });
            return Parsed {
                config: None,
                errors,
            };
        };
        // The line of the same key in the file as written (earlier removals shift lines).
        let line = original
            .as_ref()
            .and_then(|o| key_span(o.as_table(), &at))
            .map(|s| line_of(text, s.start))
            .unwrap_or_else(|| line_of(&current, err.span().map_or(0, |s| s.start)));
        let unknown = err.message().starts_with("unknown field");
        errors.push(ConfigError::Key {
            path: path.to_owned(),
            line,
            key: dotted(&at),
            message: err.message().trim_end().to_owned(),
        });
        if !unknown || errors.len() >= MAX_UNKNOWN_KEYS {
            return Parsed {
                config: None,
                errors,
            };
        }
        let mut doc = doc.into_mut();
        if !remove(doc.as_table_mut(), &at) {
            return Parsed {
                config: None,
                errors,
            };
        }
        current = doc.to_string();
    }
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// `sip.auth.users[1].password`.
fn dotted(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn contains(span: Option<Range<usize>>, at: &Range<usize>) -> bool {
    span.is_some_and(|s| s.start <= at.start && at.start < s.end.max(s.start + 1))
}

/// The path of the key (or value) the parser's error span points at.
fn path_at(table: &dyn TableLike, at: &Range<usize>) -> Option<Vec<Seg>> {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        let here = vec![Seg::Key(name.to_owned())];
        if contains(key.span(), at) {
            return Some(here);
        }
        if let Some(mut deeper) = in_item(item, at) {
            let mut path = here;
            path.append(&mut deeper);
            return Some(path);
        }
        if contains(item.span(), at) {
            return Some(here);
        }
    }
    None
}

fn in_item(item: &Item, at: &Range<usize>) -> Option<Vec<Seg>> {
    match item {
        Item::Table(t) => path_at(t, at),
        Item::ArrayOfTables(a) => a.iter().enumerate().find_map(|(i, t)| {
            let mut p = vec![Seg::Index(i)];
            p.append(&mut path_at(t, at)?);
            Some(p)
        }),
        Item::Value(v) => in_value(v, at),
        Item::None => None,
    }
}

fn in_value(value: &Value, at: &Range<usize>) -> Option<Vec<Seg>> {
    match value {
        Value::InlineTable(t) => path_at(t, at),
        Value::Array(a) => a.iter().enumerate().find_map(|(i, v)| {
            let deeper = in_value(v, at).or_else(|| contains(v.span(), at).then(Vec::new))?;
            let mut p = vec![Seg::Index(i)];
            p.extend(deeper);
            Some(p)
        }),
        _ => None,
    }
}

/// The span of the key at `path` (of its value for an array element).
fn key_span(table: &dyn TableLike, path: &[Seg]) -> Option<Range<usize>> {
    let (Seg::Key(name), rest) = path.split_first()? else {
        return None;
    };
    let (key, item) = table.get_key_value(name)?;
    if rest.is_empty() {
        return key.span();
    }
    item_span(item, rest)
}

fn item_span(item: &Item, path: &[Seg]) -> Option<Range<usize>> {
    match (item, path.split_first()?) {
        (Item::ArrayOfTables(a), (Seg::Index(i), rest)) => {
            let t = a.get(*i)?;
            if rest.is_empty() {
                t.span()
            } else {
                key_span(t, rest)
            }
        }
        (Item::Value(Value::Array(a)), (Seg::Index(i), rest)) => {
            let v = a.get(*i)?;
            match (v, rest.is_empty()) {
                (_, true) => v.span(),
                (Value::InlineTable(t), false) => key_span(t, rest),
                _ => None,
            }
        }
        (item, (Seg::Key(_), _)) => key_span(item.as_table_like()?, path),
        _ => None,
    }
}

/// Removes the entry at `path`; false when it is not there.
fn remove(table: &mut dyn TableLike, path: &[Seg]) -> bool {
    match path {
        [Seg::Key(name)] => table.remove(name).is_some(),
        [Seg::Key(name), rest @ ..] => table.get_mut(name).is_some_and(|i| remove_in(i, rest)),
        _ => false,
    }
}

fn remove_in(item: &mut Item, path: &[Seg]) -> bool {
    match path.split_first() {
        Some((Seg::Index(i), rest)) => {
            if let Some(a) = item.as_array_of_tables_mut() {
                return match a.get_mut(*i) {
                    Some(t) if !rest.is_empty() => remove(t, rest),
                    Some(_) => {
                        a.remove(*i);
                        true
                    }
                    None => false,
                };
            }
            let Some(a) = item.as_array_mut() else {
                return false;
            };
            match (a.get_mut(*i), rest.is_empty()) {
                (Some(_), true) => {
                    a.remove(*i);
                    true
                }
                (Some(Value::InlineTable(t)), false) => remove(t, rest),
                _ => false,
            }
        }
        Some((Seg::Key(_), _)) => item.as_table_like_mut().is_some_and(|t| remove(t, path)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> (bool, Vec<String>) {
        let p = parse(Path::new("f.toml"), text);
        (
            p.config.is_some(),
            p.errors.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line_as_written() {
        let text = "[sip]\nudpp = []\nt1_ms = 400\n\n[media]\nport_mni = 1\n[[gateway.trunks]]\nname = \"a\"\nsources = []\nsrtp = \"off\"\nsuitez = []\n";
        let (ok, e) = errors(text);
        assert!(ok, "{e:?}");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(
            e[0].starts_with("f.toml:2: sip.udpp: unknown field `udpp`"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("f.toml:6: media.port_mni: unknown field"),
            "{e:?}"
        );
        assert!(
            e[2].starts_with("f.toml:11: gateway.trunks[0].suitez: unknown field"),
            "{e:?}"
        );
        // What was known still counts.
        let p = parse(Path::new("f.toml"), text);
        assert_eq!(p.config.unwrap().sip.t1_ms, 400);
    }

    #[test]
    fn an_unknown_table_and_inline_tables_are_found_too() {
        let (ok, e) = errors("[sip.tlss]\ncertificate = \"x\"\n[dns]\noverrides = {}\n");
        assert!(ok, "{e:?}");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("f.toml:1: sip.tlss: unknown field"),
            "{e:?}"
        );
        let (ok, e) = errors("sip = { udp = [], tccp = [] }\n");
        assert!(ok, "{e:?}");
        assert!(
            e[0].starts_with("f.toml:1: sip.tccp: unknown field"),
            "{e:?}"
        );
    }

    #[test]
    fn a_wrong_type_stops_with_the_key_named() {
        let (ok, e) = errors("[sip]\nbogus = 1\n[media]\nport_min = \"x\"\n");
        assert!(!ok);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[1].starts_with("f.toml:4: media.port_min: invalid type"),
            "{e:?}"
        );
    }

    #[test]
    fn broken_syntax_is_one_error() {
        let (ok, e) = errors("[sip\nudp = 1\n");
        assert!(!ok);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("f.toml: "), "{e:?}");
    }

    #[test]
    fn a_correct_file_has_no_errors() {
        let (ok, e) = errors("[sip]\nudp = [\"127.0.0.1:5070\"]\n");
        assert!(ok && e.is_empty(), "{e:?}");
    }
}

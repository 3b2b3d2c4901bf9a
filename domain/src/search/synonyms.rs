//! Synonyms per locale from `<data dir>/synonyms/<locale>.txt`: one group per line, comma
//! separated ("mug, cup"; "杯子, 水杯"); `#` starts a comment. A file is read again when
//! its modification time changes, so merchants edit it without a restart.

use super::analysis;
use crate::locale::Locale;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::SystemTime;

#[derive(Default)]
struct Loaded {
    modified: Option<SystemTime>,
    /// term → the other terms of its groups
    groups: HashMap<String, Vec<String>>,
}

pub struct Synonyms {
    dir: PathBuf,
    cache: RwLock<HashMap<Locale, Loaded>>,
}

impl Synonyms {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            cache: RwLock::default(),
        }
    }

    fn path(&self, locale: Locale) -> PathBuf {
        self.dir.join(format!("{}.txt", locale.code()))
    }

    /// Terms that mean the same as `term` (itself excluded).
    pub fn expand(&self, locale: Locale, term: &str) -> Vec<String> {
        self.version(locale);
        self.cache
            .read()
            .ok()
            .and_then(|c| c.get(&locale).and_then(|l| l.groups.get(term).cloned()))
            .unwrap_or_default()
    }

    /// Which version of the locale's file is in use (its modification time; `None` when
    /// there is no file), after reading it again if it changed. Results computed with
    /// another version are stale.
    pub fn version(&self, locale: Locale) -> Option<SystemTime> {
        let modified = std::fs::metadata(self.path(locale))
            .and_then(|m| m.modified())
            .ok();
        let fresh = self
            .cache
            .read()
            .ok()
            .is_some_and(|c| c.get(&locale).is_some_and(|l| l.modified == modified));
        if !fresh {
            let loaded = Loaded {
                modified,
                groups: self.load(locale),
            };
            if let Ok(mut c) = self.cache.write() {
                c.insert(locale, loaded);
            }
        }
        modified
    }

    fn load(&self, locale: Locale) -> HashMap<String, Vec<String>> {
        let Ok(text) = std::fs::read_to_string(self.path(locale)) else {
            return HashMap::new();
        };
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            // Only single-term entries take part; a multi-word synonym would need a phrase.
            let terms: Vec<String> = line
                .split([',', '，', '、'])
                .filter_map(|w| match analysis::terms(locale, w.trim()).as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                })
                .collect();
            for t in &terms {
                let others = groups.entry(t.clone()).or_default();
                others.extend(terms.iter().filter(|o| *o != t).cloned());
                others.sort();
                others.dedup();
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_expand_both_ways_and_reload_on_change() {
        let dir = std::env::temp_dir().join(format!("tw-syn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("en.txt"), "# kitchen\nmug, cup\n").unwrap();
        let s = Synonyms::new(dir.clone());
        assert_eq!(s.expand(Locale::En, "cup"), ["mug"]);
        assert_eq!(s.expand(Locale::En, "mug"), ["cup"]);
        assert!(s.expand(Locale::En, "bowl").is_empty());
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("en.txt"), "bowl, basin\n").unwrap();
        // Some filesystems keep whole-second times; force a visibly different one.
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        std::fs::File::options()
            .write(true)
            .open(dir.join("en.txt"))
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(s.expand(Locale::En, "bowl"), ["basin"]);
        assert!(s.expand(Locale::En, "cup").is_empty());
        std::fs::remove_dir_all(dir).ok();
    }
}

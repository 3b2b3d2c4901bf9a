//! A query's score plus a constant. An exact word earns the prefix and typo bonuses too (it is
//! its own prefix, at distance 0); when nothing else matches as a prefix or typo, adding them
//! to the exact term's score gives the same ranking as constant-score clauses over the same
//! term, without reading its postings two or three times per query.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

#[derive(Debug)]
pub struct Bonus {
    inner: Box<dyn Query>,
    bonus: Score,
}

impl Clone for Bonus {
    fn clone(&self) -> Self {
        Self::new(self.inner.box_clone(), self.bonus)
    }
}

impl Bonus {
    pub fn new(inner: Box<dyn Query>, bonus: Score) -> Self {
        Self { inner, bonus }
    }
}

impl Query for Bonus {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(BonusWeight {
            inner: self.inner.weight(scoring)?,
            bonus: self.bonus,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct BonusWeight {
    inner: Box<dyn Weight>,
    bonus: Score,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BonusScorer {
            inner: self.inner.scorer(reader, boost)?,
            bonus: self.bonus * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("plus a bonus", inner.value() + self.bonus);
        explanation.add_detail(inner);
        explanation.add_const("bonus", self.bonus);
        Ok(explanation)
    }
}

struct BonusScorer {
    inner: Box<dyn Scorer>,
    bonus: Score,
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.bonus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema, TEXT};
    use tantivy::{DocAddress, Index, doc};

    fn scores(index: &Index, query: &dyn Query) -> Vec<(DocAddress, Score)> {
        let searcher = index.reader().expect("reader").searcher();
        let mut top = searcher
            .search(query, &TopDocs::with_limit(10))
            .expect("search");
        top.sort_by_key(|(_, address)| *address);
        top.into_iter().map(|(s, a)| (a, s)).collect()
    }

    /// The shortcut the query builder takes must rank exactly as the clauses it replaces.
    #[test]
    fn a_bonus_scores_as_a_constant_clause_over_the_same_term() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let id = schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).expect("writer");
        for (n, text) in [
            "lotus mug",
            "mug mug mug",
            "jade teapot",
            "a long lotus mug story",
        ]
        .iter()
        .enumerate()
        {
            writer
                .add_document(doc!(title => *text, id => n.to_string()))
                .expect("add");
        }
        writer.commit().expect("commit");
        let term = || -> Box<dyn Query> {
            let t = Term::from_field_text(title, "mug");
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                6.0,
            ))
        };
        let basic = || -> Box<dyn Query> {
            let t = Term::from_field_text(title, "mug");
            Box::new(TermQuery::new(t, IndexRecordOption::Basic))
        };
        let clauses = BooleanQuery::new(vec![
            (Occur::Should, term()),
            (Occur::Should, Box::new(ConstScoreQuery::new(basic(), 2.4))),
            (Occur::Should, Box::new(ConstScoreQuery::new(basic(), 1.5))),
        ]);
        let bonus = Bonus::new(term(), 2.4 + 1.5);
        let (expected, got) = (scores(&index, &clauses), scores(&index, &bonus));
        assert_eq!(expected.len(), 3);
        assert_eq!(got.len(), expected.len());
        for ((a, x), (b, y)) in expected.iter().zip(&got) {
            assert_eq!(a, b);
            assert!((x - y).abs() < 1e-5, "{x} != {y}");
        }
    }
}

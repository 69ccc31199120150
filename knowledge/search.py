"""Answering a question: :class:`Searcher` runs the stages over one snapshot of the paragraphs.

``Searcher(rows, analyzer, config).search(question, k, explain=)`` reads top to bottom, one stage
and one small type at a time:

1. analyse (:mod:`.query`): the question → :class:`~.query.Query` (words, bigrams, expansions,
   typo readings, 第N条 references, weighted content words).
2. candidates (:mod:`.rank`): BM25 over paragraph words, title + heading words and paragraph
   bigrams → :class:`~.rank.Candidates`.
3. rerank (:mod:`.rank`): whether the question's words occur together in one or two sentences,
   how much of it the paragraph covers → :class:`~.rank.Ranked`, best first.
4. decide (:func:`~.rank.decide`): a confident answer, suggestions, or not found. With an
   encoder (:mod:`.meaning`), unsure candidates are ordered again by meaning, and how close the
   closest is decides between suggestions and not found (:func:`~.rank.meaning_decides`; an
   FAQ pair or a short article the words suggest first and meaning finds closest is answered,
   and so is an FAQ pair first in meaning's order whose own question is the closest question).
5. excerpt (:mod:`.excerpt`): the one to three sentences that cover the question best (a
   statute article's paragraphs read as one unit: :func:`~.excerpt.article_excerpt`), with the
   matched words highlighted → :class:`~.model.Hit`.

With a :class:`~.teach.Teaching` (what admins taught, staff's 👍/👎), a question an admin taught,
or a close paraphrase of it, gets the taught paragraph or written answer first (kind "taught"),
and votes on (question, paragraph) pairs move those paragraphs, bounded (:mod:`.teach`).

With ``audiences`` (the asker's audience names) and a :class:`~.audiences.DocAudiences`
snapshot, only the paragraphs of documents for ``全员`` or for one of those audiences are
candidates at all (a mask applied to BM25's scores before the top-k): suggestions, more results,
另见, taught answers linked to a hidden paragraph and ``closest`` hits never hold one.

``explain=True`` returns each stage's figures in :attr:`Answer.explain`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .analysis import Analyzer, homophone_chars
from .associations import default_associations, default_translations
from .audiences import DocAudiences
from .excerpt import ArticlePart, article_excerpt, asks_for_list, make_excerpt
from .index import release_free_memory
from .meaning import Closeness, Encoder, Judging, from_blob
from .model import Answer, Citation, Hit
from .normalize import normalize
from .query import ASKER_TALK, QUESTION_FORM, VAGUE_WORDS, Query, QueryBuilder, form_pieces
from .rank import (
    DECISION,
    FIELDS,
    RAREST_SAID,
    Candidates,
    Ranked,
    Ranker,
    act_first,
    applies_before,
    defers_to,
    apply_votes,
    article_body,
    article_key,
    bearer_first,
    bound_first,
    by_meaning,
    cited_first,
    confidence,
    continued_first,
    count_first,
    decide,
    defines_first,
    held_back,
    in_article,
    lead_first,
    leads_sibling,
    meaning_decides,
    negated_first,
    one_per_article,
    organ_first,
    party_first,
    own_first,
    sanction_first,
    says_it_first,
)
from .related import see_also
from .segmented import Snapshot
from .store import IndexRow, ParagraphRow
from .teach import (ANSWER_SIMILARITY, Match, SameMeaning, Teaching, faq_key, match,
                    question_norm)

__all__ = ["Query", "SearchConfig", "Searcher"]

# How many paragraphs either side of a hit are read as its article's (its excerpt:
# excerpt.article_excerpt); an article of more is a long list, cut at this many.
ARTICLE_ROWS = 12


@dataclass(frozen=True)
class SearchConfig:
    """Weights and thresholds of the ranking (measured on the DRCD dev set; see README)."""

    context_weight: float = 0.4      # title + heading words, relative to paragraph words
    gram_weight: float = 0.35        # character bigrams, relative to paragraph words
    candidates: int = 25             # how many BM25 candidates the rerank looks at (paragraphs:
                                     # several of one article make one hit)
    window_weight: float = 1.0       # best 1–2 sentence window's share of the query
    title_in_window: int = 1         # the document title and headings count towards a window
    fuzzy_weight: float = 1.5        # rapidfuzz partial_ratio of the question and a sentence
    pair_discount: float = 0.85      # a two-sentence window counts a little less than one
    coverage_weight: float = 0.4     # paragraph's share of the query
    party_said: float = 0.9          # how much a side's everyday word (公司, 员工) counts as said by
                                     # a sentence saying its document's own term for that side
                                     # (parties.py; 0: not at all) ...
    party_rest: float = 0.8          # ... in a sentence saying this share of the question's other
                                     # words: the side alone does not make an answer
    reference_weight: float = 2.0    # the paragraph is under the 第N条/章 the question names
    type_weight: float = 0.15        # the paragraph says what the question asks for (多少 → 30日)
    liability_weight: float = 0.3    # a 法律责任/罚则 article: + for 怎么处罚-questions, − else
    ender_weight: float = 0.5        # − for a paragraph whose 解除 only the other side does
                                     # (辞退 asked: 劳动者…可以解除; parties.ender_asked)
    caption_weight: float = 0.5      # − for a caption (a short line without a clause mark)
    unit_power: float = 1.0          # question words weigh idf ** unit_power in coverage
    synonym_weight: float = 0.8      # a synonym's weight, relative to the question's own words
    one_way_weight: float = 0.8      # a one-way expansion's (老板 → 用人单位)
    known_word_synonyms: float = 0.5  # × those weights for a word the knowledge base uses itself
    defined_name_weight: float = 0.8  # a name a document defines for the word (以下统称), either way
    typo_weight: float = 0.8
    fragment_weight: float = 0.5     # × the rarest word's idf: a run jieba could not cut that no
                                     # dictionary, document or typo reading knows (打上卡, 月扣)
    faq_closeness_weight: float = 3.0  # an FAQ pair's question's closeness, character by
                                     # character (knowledge/faqmatch.py)
    faq_candidates: int = 5          # the closest FAQ pairs join the candidates BM25 found
    faq_floor: float = 0.2           # … when at least this close, sharing two characters or more
    faq_agreed_floor: float = 0.1    # … and the one pair both the closeness and the support
    faq_agreed_support: float = 0.35  # put first, when this close and this supported
                                     # (Ranker._agreed_pair: 池子里的水看着不清 → 池水发浑…)
    faq_support_weight: float = 1.0  # an FAQ pair's support (the share of the question's topic
                                     # characters its question or answer says), which also
                                     # scales its BM25 part (a pair matched on one common word
                                     # of the sheet, 公司, 报, is not matched whole)
    faq_sheet_idf: bool = True       # an FAQ pair's coverage and window weigh the question's
                                     # words by their idf over the sheet's pairs, not over the
                                     # knowledge base (Ranker._sheet_weights)
    faq_form_weight: float = 1.0     # an FAQ pair whose question asks for the same specific kind
                                     # of answer (几点, 多久, 哪里, 谁, 多少) gains this, one asking
                                     # for a kind of another group loses it (faqmatch.forms_agree)
    faq_permission_weight: float = 0.5  # … and both asking whether one may (可以…吗, 能不能):
                                     # a yes or no, not a procedure (faqmatch.asks_permission)
    excerpt_chars: int = 160
    answer_coverage: float = 0.6     # (the decision without evidence) ≥ this: an answer
    suggest_coverage: float = 0.3    # more results cover ≥ this; < 0: always show hits
    answer_confidence: float = DECISION["answer"]    # confidence() ≥ this: a confident answer
    suggest_confidence: float = DECISION["suggest"]  # ≥ this: suggestions; below: not found
    tie_ahead: float = 0.02          # the next article covers all but this of what the best does
    tie_margin: float = 0.01         # … and the best leads by less: a tie, suggestions (decide)
    parent_weight: float = 0.2       # − for a text made under a law (its 实施条例, a court's
                                     # 解释) when an article of a law is a candidate too
    association_weight: float = 0.5  # + for the heading words the question's words point to
                                     # (knowledge/associations.py), relative to the best's
    meaning_weight: float = 2.0      # + how close in meaning (knowledge/meaning.py), when the
                                     # knowledge base has an encoder and the words are unsure
                                     # (rank.by_meaning); 0: words only
    meaning_rest: bool = True        # … and a confident answer's more results follow it in
                                     # meaning's order (its first stays the words'; with an
                                     # encoder that has its judging: answers are embedded)
    meaning_decides: bool = True     # … and how close the closest candidate is decides between
                                     # suggestions and not found, at the encoder's own cosines
                                     # (rank.meaning_decides); False: it only orders them
    expansion_weight: float = 2.0    # the article words the question's words translate to
                                     # (knowledge/associations.py) choose the BM25 candidates
                                     # too, at this × P × the word's query weight
    expansion_per: int = 3           # … the best this many per question word
    near_margin: float = 0.05        # the best leads by less: a near tie, suggestions when
    alike_margin: float = 0.1        # two unrelated texts' articles covering the question as
                                     # much, the best leading by less: suggestions (``alike``)
    contrary_margin: float = 0.1     # the best says a question's word the other way round, an
                                     # article of its document the question's way, the best
                                     # leading by less: suggestions (``contrary``)
    own_margin: float = 0.05         # a state text's article first, an office's own covering
                                     # the question within this of it: the office's first
                                     # (rank.own_first)
    crowd_rivals: int = 7            # … this many of the next 9 articles cover the question as
                                     # well (``rivals``), or the next covers as much (tie_ahead)
                                     # and it alone says what is asked (decide)
    sibling_among: int = 5           # the best article lacks what is asked and one of the next
                                     # 4 of its document says it, covering as much: that one
                                     # first (rank.says_it_first)
    define_among: int = 30           # asked what a term means: the first of this many articles
                                     # that says what it is goes first (rank.defines_first)
    define_rows: int = 3             # … and this many rows that say what it is join the
                                     # candidates BM25 found (Ranker.defining_candidates)
    cited_rows: int = 3              # asked what happens: this many liability rows citing a best
                                     # candidate's article by number join (citing_candidates)
    bound_rows: int = 3              # asked a party's duties (信访人有什么义务): this many rows binding
                                     # it join the candidates (rank.bound_candidates)
    typed_rows: int = 3              # per kind of answer asked (a consequence, a list, a
                                     # quantity): this many rows of that kind BM25 left below
                                     # the cut join the candidates (Ranker.typed_candidates)
    typed_subword: float = 0.6       # … ranked with the words inside a longer question word
                                     # (用人, 单位 of 用人单位) weighed this much
    sibling_confidence: float = 0.35  # confidence() ≥ this answers when the best leads the next
                                     # article of its document and alone says what is asked
    leaned_confidence: float = 0.65  # a one-clause question whose best article's score leans
                                     # on learned heading associations (``leaned``) answers
                                     # only at confidence() ≥ this (decide)
    applying_of: int = 10            # the paragraphs applying one of the best this many
                                     # candidates (有前款规定的…) join them (Searcher._applying)


def _only_pairs_say(asked: Iterable[tuple[str, list[str]]], words,
                    pick: Callable[[str, list[str]], Iterable[str]]) -> frozenset[str]:
    """The words ``pick`` takes from FAQ pairs' questions (``asked``: each pair's question and
    its words) that no other text says (each row that has the word is a pair whose question
    says it)."""
    count: dict[str, int] = {}
    for question, found in asked:
        for word in pick(question, found):
            count[word] = count.get(word, 0) + 1
    return frozenset(w for w, n in count.items() if words.df(w) <= n)


def _form_words(question: str, found: list[str]) -> set[str]:
    """A pair's question forms (多久, 怎么办; 时候 of 什么时候): where only pairs' questions say
    one, the knowledge base does not say it, its pairs only ask with it."""
    pieces = form_pieces(normalize(question))
    return {w for w in found if QUESTION_FORM.fullmatch(w) or w in pieces}


def _talk_words(_: str, found: list[str]) -> set[str]:
    """A pair's askers and vague words (我, 自己, 东西: ASKER_TALK, VAGUE_WORDS): where only
    pairs' questions say one, it is talk there too — a pair's question is asked as staff ask
    (宿舍可以自己做饭吗), so its talk is no more a topic of the sheet than the asker's is."""
    return {w for w in found if w in ASKER_TALK or w in VAGUE_WORDS}


def _says_asked(query: Query) -> Callable[[str], bool]:
    """Does a normalised text say the kind of answer ``query`` asks for (for a quantity asked
    with a bound, 最多, a limit in that direction: 不得超过)?"""
    return lambda text: query.says_answer(text) and query.says_bound(text)


class Searcher:
    """An immutable snapshot of the knowledge base's paragraphs, ready to answer questions.

    ``rows`` are :meth:`Store.load_rows`'s, consumed once (the index is built as they stream and
    the paragraphs are kept in memory); or ``snapshot``: a :class:`~.segmented.Snapshot` of the
    segments an :class:`~.segmented.IndexKeeper` keeps, whose paragraphs are read from the
    database when a search shows them (``rows`` is then ignored).
    """

    def __init__(self, rows: Iterable[IndexRow], analyzer: Analyzer,
                 config: SearchConfig | None = None, *, snapshot: Snapshot | None = None,
                 meaning: Encoder | None = None) -> None:
        self.analyzer = analyzer
        self.meaning = meaning          # the encoder (knowledge/meaning.py), None: words only
        self.config = config or SearchConfig()
        if snapshot is None:
            snapshot = Snapshot.of_rows(rows)
            release_free_memory()
        self.snapshot = snapshot
        self.rows: Sequence[ParagraphRow] = snapshot.rows
        self.norms: Sequence[str] = snapshot.norms    # normalize(text), aligned with text
        self.words, self.context, self.grams = snapshot.words, snapshot.context, snapshot.grams
        self.queries = QueryBuilder(analyzer, self.words, self.grams)
        # FAQ pairs' questions (searched with their answers; rank.py weighs them as headings)
        faq = snapshot.faq_rows.tolist()
        cache = snapshot.reader.asked_words     # pid → (question, its words): read once
        pids = snapshot.ids[faq].tolist()
        missing = [(row, pid) for row, pid in zip(faq, pids) if pid not in cache]
        snapshot.fetch(row for row, _ in missing)
        for row, pid in missing:
            question = self.rows[row].question
            cache[pid] = (question, analyzer.words(normalize(question)) if question else [])
        questions = {row: cache[pid][0] for row, pid in zip(faq, pids) if cache[pid][0]}
        pairs = [cache[pid] for pid in pids if cache[pid][0]]
        self.queries.faq_forms = _only_pairs_say(pairs, self.words, _form_words)
        talk = self.queries.faq_talk = _only_pairs_say(pairs, self.words, _talk_words)
        # (a pair's question read as a staff member's is: its talk is no topic word of it)
        asked = {row: [w for w in cache[pid][1] if w not in talk] or cache[pid][1]
                 for row, pid in zip(faq, pids) if cache[pid][0]}
        self.ranker = Ranker(self.rows, self.norms, self.words, self.context, self.grams,
                             asked=asked, heads=snapshot.heads, questions=questions,
                             liability=snapshot.liability, references=snapshot.references,
                             synonyms=lambda: analyzer.synonyms,
                             associations=default_associations(),
                             translations=default_translations(), docs=snapshot.docs)
        self._stored_queries: dict[str, Query] = {}      # taught / voted questions analysed
        self._doc_ids: np.ndarray | None = None          # each row's document (for audiences)
        self._masks: dict[tuple, np.ndarray] = {}        # (map key, audiences) → visible rows
        homophone_chars("的")  # load the homophone table now, not on a user's first typo (≈0.6 s)
        self.queries._keys_by_first()   # and the thesaurus keys by first character (~3 ms)

    def __len__(self) -> int:
        return self.snapshot.n_live

    def analyse(self, question: str) -> Query:
        """The question as the ranking sees it (stage 1)."""
        return self.queries.analyse(question, self.config)

    def search(self, question: str, k: int = 5, *, explain: bool = False,
               keep_weak: bool = False, teaching: Teaching | None = None,
               closest: bool = False, audiences: frozenset[str] | None = None,
               access: DocAudiences | None = None) -> Answer:
        """Answer ``question`` with up to ``k`` hits.

        Hits after the first that cover less of the question than a suggestion needs are left
        out (a user would not want them as "more results"); ``keep_weak`` keeps them, for
        measuring the ranking. ``teaching``: taught questions and votes (see the module
        docstring). ``closest``: a ``not_found`` answer still carries its best (weak) hits.
        ``audiences``: the asker's audience names (None: no restriction); ``access``: every
        document's audience (see the module docstring; each hit says whether its document is
        restricted).
        """
        config = self.config
        query = self.analyse(question)
        visible = self.visible_rows(access, audiences)
        judging = self._judging(config)
        taught = self._match(question, query, teaching, judging)
        link = self._link_row(taught)
        if link is not None and visible is not None and not visible[link]:
            link = None      # taught from a paragraph the asker may not read: not applied
        candidates = self.ranker.candidates(query, max(config.candidates, k), config,
                                            fields=explain, visible=visible)
        candidates = self.ranker.faq_candidates(query, candidates, config, visible)
        candidates = self.ranker.typed_candidates(query, candidates, config, visible)
        candidates = self.ranker.citing_candidates(query, candidates, config, visible)
        candidates = self.ranker.defining_candidates(query, candidates, config, visible)
        candidates = self.ranker.bound_candidates(query, candidates, config, visible)
        if link is not None:
            candidates = candidates.with_rows([link])
        candidates = self._applying(candidates, visible)   # (reads the candidates' paragraphs)
        ranked = self.ranker.rerank(query, candidates, config) if candidates.rows.size else []
        factors: dict[str, float] = {}
        if taught.votes:
            ranked, factors = apply_votes(ranked, self.rows, taught.votes)
        first, found_first = None, False
        if link is not None or taught.meaning:
            # the words' own decision on the whole ranking: sure of the taught passage first,
            # the search found it by itself; sure of another, a taught question found by meaning
            # is not offered over it
            whole = self._articles(ranked, query)
            sure = bool(whole) and decide(whole, config,
                                          self.ranker.evidence(whole, query)) == "answer"
            if taught.meaning and sure and (link is None or article_key(self.rows[whole[0].row])
                                            != article_key(self.rows[link])):
                taught, link = replace(taught, entry=None, meaning=0.0), None
            if link is not None:
                found_first = sure and article_key(self.rows[ranked[0].row]) \
                    == article_key(self.rows[link])
        if link is not None:   # the taught paragraph first; its article is not cited twice
            first = next(item for item in ranked if item.row == link)
            ranked = [item for item in ranked
                      if article_key(self.rows[item.row]) != article_key(self.rows[link])]
        reranked = ranked
        ranked = by_words = self._articles(ranked, query)
        evidence = self.ranker.evidence(ranked, query)
        status = searched = decide(ranked, config, evidence)
        # the rules holding a likely answer back (what --explain and the reply say of suggestions)
        held = held_back(config, evidence) if status == "suggestions" else ()
        meant = self._meaning_applies(status, closest, taught, link, config, judging, reranked)
        close: dict[int, Closeness] = {}
        if meant == "applied":
            close = self._meanings(query.normalized, reranked)
            # (an FAQ pair's answer keeps the words' decision: its own, fitted on paraphrases;
            # taking back those far in meaning cost right ones: bench/README.md)
            first = ranked[0].row if ranked else None
            agreed = self._agreed(first, reranked, close, judging) \
                if status == "suggestions" and not held and judging is not None else frozenset()
            status, meant = meaning_decides(
                status, first, close, judging,
                answer_judged=first is not None and not self.rows[first].question,
                agreed=agreed, said=evidence.get("rarest", 0.0) >= RAREST_SAID)
            cosines = {row: c.cosine for row, c in close.items()}
            if status != "answer":
                ranked = self._articles(by_meaning(reranked, cosines, config), query)
                # an FAQ pair first in meaning's order whose own question is the closest in
                # meaning too: answered
                agrees = self._faq_question_agrees(ranked[0].row, query.normalized, judging,
                                                   visible) \
                    if ranked and not held and judging is not None \
                    and self.rows[ranked[0].row].question else ""
                if agrees:
                    status, meant = "answer", f"{meant}; {agrees}"
            elif config.meaning_rest and ranked:
                # the words' answer first; the more results after it in meaning's order
                rest = self._articles(by_meaning(reranked, cosines, config), query)
                key = article_key(self.rows[ranked[0].row])
                ranked = ranked[:1] + [item for item in rest
                                       if article_key(self.rows[item.row]) != key]
        if not keep_weak and status != searched == "not_found":
            # suggested for their meaning: the next ones shown are those as close in meaning
            ranked = ranked[:1] + [item for item in ranked[1:] if item.row in close
                                   and close[item.row].cosine >= judging.suggest_at]
        elif not keep_weak:
            ranked = ranked[:1] + [item for item in ranked[1:]
                                   if item.strength >= config.suggest_coverage]
        hits = tuple(self._hit(item, query) for item in ranked[:k]) \
            if status != "not_found" or closest else ()
        # (另见 weighs the words' scores: on their ranking, not meaning's, which lowers them)
        also = tuple(self._hit(item, query) for item in see_also(
            by_words, self.rows, strength=config.answer_coverage)) \
            if status == "answer" and taught.entry is None else ()
        if taught.entry is not None and (link is not None or not taught.entry.ref):
            # Confident when asked (nearly) word for word, or when the search found the taught
            # paragraph first by itself and was sure; else the taught passage is a suggestion.
            sure = taught.similarity >= ANSWER_SIMILARITY or found_first
            status = "answer" if sure else "suggestions"
            top = max([item.final for item in ranked[:1]] + [first.final if first else 0.0])
            hits = (self._taught_hit(taught, first, query, top), *hits)[:k]
        if access is not None:   # (a copy only for a restricted one: most hits are for 全员)
            hits, also = (tuple(replace(h, restricted=True)
                                if h.ref and access.restricted(h.doc_id) else h for h in found)
                          for found in (hits, also))
        explained = None
        if explain:
            explained = self._explain(query, candidates, ranked, status, k, evidence,
                                      self._teaching_explain(taught, link, factors, searched,
                                                             teaching))
            explained["stages"]["meaning"] = meant
            explained["stages"]["audiences"] = {
                "asked_as": None if audiences is None else sorted(audiences),
                "readable_paragraphs": len(self) if visible is None else
                int((visible & self.snapshot.live_mask()).sum()),
                "paragraphs": len(self)}
        reasons = held if status == searched == "suggestions" and taught.entry is None else ()
        return Answer(question, status, hits, explained, see_also=also,
                      searched_terms=tuple(u.text for u in query.units), held_back=reasons)

    def _meaning_applies(self, status: str, closest: bool, taught: Match, link: int | None,
                         config: SearchConfig, judging: Judging | None, ranked: list) -> str:
        """Whether the candidates are ordered again by meaning (``"applied"``), else why not.

        Every question the words do not settle by a taught or voted paragraph (those keep what
        staff said). The words alone make a confident answer (a decision refit with the
        meaning part did not tell right from wrong better; the exception: an FAQ pair or a
        short article the words put first and meaning closest) and choose its first hit (the
        part overturned right ones: bench/README.md); meaning takes back an answer far from the
        question in meaning, orders what the words are unsure of, and decides between
        suggestions and "not found" (:func:`~.rank.meaning_decides`), so a "not found" is
        embedded even when nothing would be shown."""
        if self.meaning is None or not config.meaning_weight:
            return "off"
        if status == "answer" and judging is None:
            return "not needed: a confident answer by the words"
        if status == "not_found" and not closest and judging is None:
            return "not needed: nothing to show"
        if taught.entry is not None or taught.votes or link is not None:
            return "not applied: taught or voted"
        if self.snapshot.reader.store is None or not ranked:
            return "not applied: nothing to order"
        return "applied"

    def _judging(self, config: SearchConfig) -> Judging | None:
        """How the encoder's cosines decide (None: they only order, or meaning is off)."""
        judging = getattr(self.meaning, "judging", None)
        return judging if config.meaning_decides and config.meaning_weight else None

    def _agreed(self, first: int | None, ranked: list, close: dict[int, Closeness],
                judging: Judging) -> frozenset[int]:
        """The rows meaning may find the words' suggested first hit in
        (:func:`~.rank.meaning_decides`' ``agreed``): an FAQ pair's own row; a rule's article
        or paragraph, when its text is short enough for its cosine to judge (``chars_below``),
        with every candidate paragraph of that article (they share its vector)."""
        if first is None or first not in close:
            return frozenset()
        if self.rows[first].question:
            return frozenset((first,))
        if close[first].chars >= judging.chars_below:
            return frozenset()
        key = article_key(self.rows[first])
        return frozenset(item.row for item in ranked if article_key(self.rows[item.row]) == key)

    def _faq_question_agrees(self, first: int, question: str, judging: Judging,
                             visible: np.ndarray | None) -> str:
        """Why the FAQ pair first in meaning's order of an unsure answer is the answer ("" when
        it is not): asked in other words, the question is this close in meaning to the pair's
        own question (both embedded as questions, at the encoder's ``same_question``), and
        closer than to any other pair's question the asker may read — the pair with its answer
        and the pair's question agree on it. An FAQ pair's question is what a paraphrase
        rephrases; its answer read with it (the pair's vector, :func:`~.rank.meaning_decides`)
        is further from it."""
        if not judging.same_question:
            return ""
        rows = [row for row in self.snapshot.faq_rows.tolist()
                if visible is None or visible[row]]
        keys = {row: faq_key(self.rows[row].question) for row in rows}
        stored = self.snapshot.reader.store.keyed_question_vectors(keys.values(),
                                                                   self.meaning.name)
        mine = stored.get(keys.get(first, ""))
        if mine is None:
            return ""
        asked = self.meaning.query(question)
        cosine = float(from_blob(mine) @ asked)
        others = [float(from_blob(stored[key]) @ asked) for row, key in keys.items()
                  if key in stored and key != keys[first]]
        if cosine < judging.same_question or cosine < max(others, default=0.0):
            return ""
        return (f"the pair's question {cosine:.3f} close in meaning ≥ {judging.same_question}, "
                f"the closest of the pairs' questions")

    def _meanings(self, question: str, ranked: list) -> dict[int, Closeness]:
        """Each ranked row's cosine with the question by the encoder, and how long the text
        its vector was made from is, for the rows that have a vector: the ~25 vectors read
        from the database (the writer stores them at ingest; a read of ~0.4 ms, p95 ~1 ms on
        STARD's 17.5k), the question embedded here (~25–35 ms)."""
        rows = [item.row for item in ranked]
        pids = self.snapshot.ids[np.array(rows, dtype=np.int64)].tolist()
        stored = self.snapshot.reader.store.vectors(pids, self.meaning.name)
        asked = self.meaning.query(question)
        out = {}
        for row, pid in zip(rows, pids):
            if pid in stored:
                vector, chars, whole = stored[pid]
                # (an article's paragraphs share the vector of its whole text)
                out[row] = Closeness(float(from_blob(vector) @ asked),
                                     whole if in_article(self.rows[row].section) else chars)
        return out

    def _applying(self, candidates: Candidates, visible: np.ndarray | None) -> Candidates:
        """``candidates`` (their paragraphs read) and, scored 0, the next paragraphs of the best
        ``applying_of`` candidates' articles that apply the paragraph before them (有前款规定的违法
        行为，情节严重的…): the article is the unit, and what such a paragraph says is read with
        the paragraph it applies (:func:`~.rank.one_per_article`); and the paragraph before a
        best candidate that leaves its sanction to it (…的，依照前款规定处罚: that one says what
        follows)."""
        top = candidates.rows[:self.config.applying_of].tolist()
        docs, n = self.snapshot.docs, len(self)
        after = [row + 1 for row in top if row + 1 < n and docs[row + 1] == docs[row]]
        before = [row - 1 for row in top if row > 0 and docs[row - 1] == docs[row]]
        have = set(candidates.rows.tolist())
        after, before = ([row for row in dict.fromkeys(near) if row not in have
                          and (visible is None or visible[row])] for near in (after, before))
        if after or before:   # a removed paragraph is never read
            live = self.snapshot.live_mask()
            after, before = ([row for row in near if live[row]] for near in (after, before))
        self.snapshot.fetch(np.append(candidates.rows,
                                      np.array([*after, *before], dtype=np.int64)))
        if not after and not before:
            return candidates
        return candidates.with_rows([
            *(row for row in after if applies_before(
                self.rows[row], self.norms[row], self.rows[row - 1])),
            # … and the paragraph a best one leaves its sanction to (依照前款规定处罚)
            *(row for row in before if defers_to(
                self.rows[row + 1], self.norms[row + 1], self.rows[row]))])

    def _articles(self, ranked: list[Ranked], query: Query) -> list[Ranked]:
        """One hit per article; within a document the one that says what is asked first, and
        an article another text defers to (依照本法第六条的规定) before that text; the article
        stating the act asked (缴纳失业保险费) before one naming its result (职工缴纳的失业保险费),
        and, asked for a quantity, the one whose number is said with the question's words; the
        rule binding the party a question opens with (单位要…吗) before one binding another."""
        articles = says_it_first(one_per_article(ranked, self.rows, query, self.norms),
                                 self.rows, self.norms, query, self.config.sibling_among)
        articles = continued_first(articles, self.rows, self.norms, query,
                                   2 * self.config.sibling_among)
        articles = cited_first(articles, self.rows, self.norms, self.config.sibling_among, query)
        articles = act_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = count_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = lead_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = negated_first(articles, self.rows, self.norms, query,
                                 self.config.sibling_among)
        articles = defines_first(articles, self.rows, self.norms, query, self.config.define_among)
        articles = bound_first(articles, self.rows, self.norms, query, self.config.define_among)
        articles = bearer_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = party_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = organ_first(articles, self.rows, self.norms, query, self.config.sibling_among)
        articles = sanction_first(articles, self.rows, self.norms, query,
                                  self.config.sibling_among, floor=self.config.suggest_coverage)
        return own_first(articles, self.rows, query, self.config.sibling_among,
                         self.config.own_margin)

    # -- audiences ---------------------------------------------------------------------------------
    def visible_rows(self, access: DocAudiences | None, audiences: frozenset[str] | None
                     ) -> np.ndarray | None:
        """A bool per row: may someone in ``audiences`` read it (None: no restriction, or no
        audiences known). Kept per (snapshot, audiences): a few people's sets, asked again and
        again; a moved snapshot drops the old masks."""
        if audiences is None or access is None:
            return None
        key = (access.key, audiences)
        mask = self._masks.get(key)
        if mask is None:
            if self._doc_ids is None:
                self._doc_ids = self.snapshot.docs
            if any(old[0] != access.key for old in self._masks) or len(self._masks) > 256:
                self._masks = {}
            mask = self._masks[key] = np.isin(self._doc_ids, access.readable(audiences))
        return mask

    # -- teaching ----------------------------------------------------------------------------------
    def _match(self, question: str, query: Query, teaching: Teaching | None,
               judging: Judging | None) -> Match:
        if teaching is None or teaching.empty:
            return Match()
        meaning = None
        if judging is not None and judging.same_question:
            meaning = SameMeaning(lambda: self.meaning.query(query.normalized),
                                  judging.same_question, judging.same_lead)
        return match(teaching, question_norm(question), query, self._stored_query, meaning)

    def _stored_query(self, question: str) -> Query:
        """A taught or voted question analysed against this index (kept: asked again and again)."""
        found = self._stored_queries.get(question)
        if found is None:
            found = self._stored_queries[question] = self.analyse(question)
        return found

    def _link_row(self, taught: Match) -> int | None:
        """The row of the taught paragraph (None: a written answer, or no paragraph has its
        text any more — a stale link is never answered from)."""
        if taught.entry is None or not taught.entry.ref:
            return None
        return self.snapshot.row_of_ref(taught.entry.ref)

    def _taught_hit(self, taught: Match, item: Ranked | None, query: Query, top: float) -> Hit:
        entry = taught.entry
        parts = {"taught": round(taught.similarity, 4)}
        if item is not None:   # the linked paragraph, its excerpt made for this question
            hit = self._hit(item, query)
            return replace(hit, kind="taught", question=entry.question, score=max(hit.score, top),
                           parts={**hit.parts, **parts})
        return Hit(0, 0, Citation("管理员答复", (entry.date,), 0, "taught"), entry.answer, (),
                   top or 1.0, parts, kind="taught", question=entry.question)

    def _teaching_explain(self, taught: Match, link: int | None, factors: dict[str, float],
                          searched: str, teaching: Teaching | None) -> dict:
        stale = taught.entry is not None and taught.entry.ref and link is None
        return {"generation": teaching.generation if teaching is not None else None,
                **taught.to_json(),
                "applied": None if taught.entry is None or stale else
                ("linked paragraph" if link is not None else "written answer"),
                "stale": bool(stale),
                "search_status": searched,   # the search's own decision on the other hits
                "vote_factors": {ref: round(f, 4) for ref, f in factors.items()}}

    def _hit(self, item: Ranked, query: Query) -> Hit:
        data = self.rows[item.row]
        yes_no = query.asks == ("rule",)
        excerpt = make_excerpt(data.text, self.norms[item.row], data.sentences, item.covers,
                               query.highlight_terms, self.config.excerpt_chars,
                               is_list=data.kind == "list", wants_list=asks_for_list(query.text),
                               is_row=data.kind == "table_row", whole=data.kind == "faq",
                               yes_no=yes_no)
        if in_article(data.section) and article_body(self.norms[item.row], data.kind):
            rows = self._article_rows(item.row)
            if len(rows) > 1 or len(data.text) > self.config.excerpt_chars:
                parts = [ArticlePart(self.rows[r].text, self.norms[r], self.rows[r].sentences,
                                     self.rows[r].kind == "list") for r in rows]
                excerpt = article_excerpt(
                    parts, rows.index(item.row), excerpt, query.highlight_terms,
                    self.config.excerpt_chars, _says_asked(query) if query.asks else None,
                    yes_no=yes_no)
        return Hit(data.doc_id, data.paragraph_id, data.citation, excerpt.text,
                   excerpt.highlights, item.final, item.parts,
                   kind="faq" if data.kind == "faq" else "paragraph", question=data.question,
                   ref=data.ref)

    def _article_rows(self, row: int) -> list[int]:
        """The live rows of the statute article ``row`` is a paragraph of, in order: its
        neighbours of the same document and heading path, numbered on from it, up to a caption
        or a table (at most :data:`ARTICLE_ROWS` either side)."""
        data = self.rows[row]
        docs, live = self.snapshot.docs, self.snapshot.live_mask()
        found = [row]
        for step in (-1, 1):
            at, number = row + step, data.number + step
            while 0 <= at < len(docs) and abs(at - row) <= ARTICLE_ROWS \
                    and docs[at] == data.doc_id and live[at]:
                other = self.rows[at]
                # (a table's caption after a document's last article is under its heading:
                # 通讯补贴标准表 is no paragraph of 本办法自印发之日起施行)
                if other.number != number or other.section != data.section \
                        or not article_body(self.norms[at], other.kind):
                    break
                found.append(at)
                at, number = at + step, number + step
        return sorted(found)

    def _defined_names(self, query: Query) -> list[dict]:
        """Which expansions came from a name a document defines (以下简称, 以下统称), and
        from which document."""
        synonyms = self.analyzer.synonyms
        return [{"word": word, "name": other, "one_way": group.one_way,
                 "document": group.document, "doc_id": group.id}
                for word, found in query.expansions.items() for other in found
                for group in synonyms.defined_by(word, other)]

    def _explain(self, query: Query, candidates: Candidates, ranked: list[Ranked], status: str,
                 k: int, evidence: dict[str, float], teaching: dict) -> dict:
        """``query``, ``idf`` and ``candidates`` (each shown candidate's score parts, from every
        stage), then ``stages``: what each stage did that the candidates do not show."""
        cfg = self.config
        rows = self.rows
        return {
            "query": query.to_json(),
            "idf": {t: round(self.words.term_idf(t), 3) for t in query.words},
            "candidates": [{"paragraph_id": rows[item.row].paragraph_id,
                            "citation": _label(rows[item.row]),
                            **{key: round(value, 4) for key, value in item.parts.items()}}
                           for item in ranked[:k]],
            "stages": {
                "analyse": {"units": len(query.units), "words": len(query.words),
                            "grams": len(query.grams), "references": query.references,
                            "defined_names": self._defined_names(query)},
                "candidates": {"count": int(candidates.rows.size),
                               "field_weights": dict(zip(FIELDS, (1.0, cfg.context_weight,
                                                                  cfg.gram_weight))),
                               "named_paragraphs": [rows[r].paragraph_id
                                                    for r in sorted(candidates.named)],
                               # the article words the question's translate to (choose only)
                               "expansion": {word: round(weight, 3) for word, weight in sorted(
                                   self.ranker.expansion(query, cfg).items(),
                                   key=lambda item: -item[1])}},
                "rerank": {"weights": {"bm25": 1.0, "window": cfg.window_weight,
                                       "coverage": cfg.coverage_weight,
                                       "fuzzy": cfg.fuzzy_weight,
                                       "reference": cfg.reference_weight,
                                       "answer_type": cfg.type_weight,
                                       "liability": cfg.liability_weight,
                                       "ender": -cfg.ender_weight,
                                       "caption": -cfg.caption_weight,
                                       "under_law": -cfg.parent_weight,
                                       "associated": cfg.association_weight,
                                       "meaning": cfg.meaning_weight,
                                       "closeness": cfg.faq_closeness_weight,
                                       "support": cfg.faq_support_weight,
                                       "form": cfg.faq_form_weight,
                                       "permission": cfg.faq_permission_weight},
                           "asks": list(query.asks),
                           "associated_words": {
                               word: round(weight, 3) for word, weight in sorted(
                                   self.ranker.associated_words(query, cfg).items(),
                                   key=lambda item: -item[1])}},
                "decide": {"status": status,
                           "evidence": {key: round(value, 4) for key, value in evidence.items()},
                           "confidence": round(confidence(evidence), 4),
                           # each weighed piece of evidence's part of the logistic's sum, and
                           # the rules that held (any keeps a likely answer suggestions)
                           "score_parts": _score_parts(evidence),
                           "held_back": list(held_back(cfg, evidence)) if ranked else [],
                           "sibling_lead": bool(ranked) and leads_sibling(
                               cfg, evidence, confidence(evidence)),
                           "weights": DECISION["weights"], "bias": DECISION["bias"],
                           "answer_confidence": cfg.answer_confidence,
                           "suggest_confidence": cfg.suggest_confidence,
                           "tie_ahead": cfg.tie_ahead, "tie_margin": cfg.tie_margin,
                           "crowd_rivals": cfg.crowd_rivals, "near_margin": cfg.near_margin,
                           "sibling_confidence": cfg.sibling_confidence,
                           "leaned_confidence": cfg.leaned_confidence,
                           "strength": round(ranked[0].strength, 4) if ranked else 0.0,
                           "answer_coverage": cfg.answer_coverage,
                           "suggest_coverage": cfg.suggest_coverage},
                "teaching": teaching,
            },
        }


def _score_parts(evidence: dict[str, float]) -> dict[str, float]:
    """weight × evidence for each term of :func:`~.rank.confidence`'s sum, and its bias."""
    model = DECISION["faq"] if evidence.get("faq") and "faq" in DECISION else DECISION
    return {"bias": model["bias"], **{key: round(weight * evidence.get(key, 0.0), 4)
                                      for key, weight in model["weights"].items()}}


def _label(row: ParagraphRow) -> str:
    """The citation label in explain (without the scan mark the answer's citation carries)."""
    return Citation(row.title, row.section, row.number, row.source, question=row.question).label

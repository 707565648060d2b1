"""How well each expert fits each proposal of a call: the affinity the automatic plan
maximises (services.panels, services.assignment_solver) and staff read with its reasons.

    affinity(e, p) = cos(tfidf(e), tfidf(p))            text similarity, 0…1
                   + INDUSTRY_BONUS  if p's strategic industry is among e's fields
                   + SUGGESTED_BONUS if a field the applicant suggested (SuggestedField)
                                     is among e's fields or keywords

tfidf: character 2–3-grams within words (scikit-learn `TfidfVectorizer(analyzer="char_wb")`,
sublinear tf; works on Korean without a tokenizer), fitted on the experts' and proposals'
texts together. An expert's text: their fields (Korean and English names) and keywords; a
proposal's: title, summary, goals and strategic industry.

Computed for a whole call at once (`call_affinity`, or the `call_affinity_warm` task) and
cached under a hash of exactly those inputs, so any change to a profile, a proposal's text
or a suggested field is a new key (no data version exists below `reports`, where the
dashboards' one lives; this key needs none). The reasons are worked out on demand, in the
reader's language.
"""

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

INDUSTRY_BONUS = 0.3
SUGGESTED_BONUS = 0.2
NGRAMS = (2, 3)
CACHE_SECONDS = 6 * 3600
MAX_KEYWORDS_SHOWN = 4


def _squash(text: str) -> str:
    """Lower case without spaces or punctuation, for "does this keyword occur in that text"."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


def split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[,;/·\n]+", text or "") if k.strip()]


@dataclass(frozen=True)
class ExpertText:
    keywords: tuple = ()  # as the expert wrote them
    industries: tuple = ()  # ((id, name_ko, name_en), …)

    def document(self) -> str:
        return " ".join([*(f"{ko} {en}" for _i, ko, en in self.industries), *self.keywords])


@dataclass(frozen=True)
class ProposalText:
    title: str = ""
    summary: str = ""
    goals: str = ""
    industry: tuple | None = None  # (id, name_ko, name_en)
    suggested_industries: tuple = ()  # ((id, name_ko, name_en), …)
    suggested_texts: tuple = ()

    def document(self) -> str:
        ind = f"{self.industry[1]} {self.industry[2]}" if self.industry else ""
        return " ".join([self.title, self.summary, self.goals, ind])


def _name(entry) -> str:
    from programmes.models import localized

    return localized(entry[1], entry[2])


def text_similarity(expert_docs: list[str], proposal_docs: list[str]) -> np.ndarray:
    """Cosine similarity of character n-gram TF-IDF vectors, experts × proposals."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not expert_docs or not proposal_docs:
        return np.zeros((len(expert_docs), len(proposal_docs)), dtype=np.float32)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, dtype=np.float32)
    try:
        tfidf = vectorizer.fit_transform([*expert_docs, *proposal_docs])
    except ValueError:  # every text empty
        return np.zeros((len(expert_docs), len(proposal_docs)), dtype=np.float32)
    n = len(expert_docs)
    return np.asarray((tfidf[:n] @ tfidf[n:].T).toarray(), dtype=np.float32).clip(0, 1)


def _suggested_match(expert: ExpertText, proposal: ProposalText) -> list[str]:
    """The suggested fields this expert covers (names, as shown)."""
    mine = {i for i, _ko, _en in expert.industries}
    matched = [_name(s) for s in proposal.suggested_industries if s[0] in mine]
    own = [_squash(k) for k in expert.keywords] + [_squash(n) for _i, ko, en in expert.industries for n in (ko, en)]
    own = [o for o in own if o]
    for text in proposal.suggested_texts:
        t = _squash(text)
        if t and any(t in o or o in t for o in own):
            matched.append(text)
    return matched


@dataclass
class Affinity:
    """Affinity of `expert_ids` (rows) to `proposal_ids` (columns); `matrix` ≥ 0."""

    expert_ids: list
    proposal_ids: list
    matrix: np.ndarray
    experts: list = field(default_factory=list, repr=False)  # ExpertText per row
    proposals: list = field(default_factory=list, repr=False)  # ProposalText per column
    similarity: np.ndarray | None = field(default=None, repr=False)  # the text part alone

    def __post_init__(self):
        self._row = {e: i for i, e in enumerate(self.expert_ids)}
        self._col = {p: j for j, p in enumerate(self.proposal_ids)}

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_row", None)
        state.pop("_col", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__post_init__()

    def score(self, expert_id: int, proposal_id: int) -> float:
        i, j = self._row.get(expert_id), self._col.get(proposal_id)
        return 0.0 if i is None or j is None else float(self.matrix[i, j])

    def reasons(self, expert_id: int, proposal_id: int) -> list[str]:
        """The main reasons of the score, in words (empty: no match at all)."""
        i, j = self._row.get(expert_id), self._col.get(proposal_id)
        if i is None or j is None:
            return []
        expert, proposal = self.experts[i], self.proposals[j]
        text = _squash(proposal.document())
        out = []
        hits = [k for k in expert.keywords if _squash(k) and _squash(k) in text]
        if hits:
            out.append(_("keywords: %(keywords)s") % {"keywords": ", ".join(hits[:MAX_KEYWORDS_SHOWN])})
        if proposal.industry and proposal.industry[0] in {i for i, _ko, _en in expert.industries}:
            out.append(_("industry: %(industry)s") % {"industry": _name(proposal.industry)})
        suggested = _suggested_match(expert, proposal)
        if suggested:
            out.append(_("suggested by the applicant: %(fields)s") % {"fields": ", ".join(suggested)})
        if not out and self.similarity is not None and self.similarity[i, j] > 0:
            out.append(_("similar wording (text similarity %(value).2f)") % {"value": float(self.similarity[i, j])})
        return out


def affinity_from_texts(expert_ids: list, experts: list[ExpertText], proposal_ids: list,
                        proposals: list[ProposalText]) -> Affinity:
    """The affinity of plain texts (no database: the benchmark uses it as it is)."""
    similarity = text_similarity([e.document() for e in experts], [p.document() for p in proposals])
    matrix = similarity.astype(np.float32, copy=True)
    industry_ids = sorted({i for e in experts for i, _ko, _en in e.industries}
                          | {p.industry[0] for p in proposals if p.industry}
                          | {s[0] for p in proposals for s in p.suggested_industries})
    if industry_ids and len(experts) and len(proposals):
        col = {i: n for n, i in enumerate(industry_ids)}
        has = np.zeros((len(experts), len(industry_ids)), dtype=np.float32)
        for r, e in enumerate(experts):
            for i, _ko, _en in e.industries:
                has[r, col[i]] = 1
        wants = np.zeros((len(industry_ids), len(proposals)), dtype=np.float32)
        suggests = np.zeros_like(wants)
        for c, p in enumerate(proposals):
            if p.industry:
                wants[col[p.industry[0]], c] = 1
            for s in p.suggested_industries:
                suggests[col[s[0]], c] = 1
        matrix += INDUSTRY_BONUS * ((has @ wants) > 0)
        suggested = (has @ suggests) > 0
    else:
        suggested = np.zeros(matrix.shape, dtype=bool)
    for c, p in enumerate(proposals):
        if p.suggested_texts:  # free-text suggestions: compared one expert at a time (rare)
            for r, e in enumerate(experts):
                suggested[r, c] = suggested[r, c] or bool(_suggested_match(e, p))
    matrix += SUGGESTED_BONUS * suggested
    return Affinity(expert_ids=list(expert_ids), proposal_ids=list(proposal_ids), matrix=matrix,
                    experts=list(experts), proposals=list(proposals), similarity=similarity)


# --- From the database --------------------------------------------------------------------------


def _triple(industry) -> tuple | None:
    return None if industry is None else (industry.pk, industry.name_ko, industry.name_en)


def _ids(objs) -> list[int] | None:
    return None if objs is None else [getattr(o, "pk", o) for o in objs]


def call_affinity(call, *, experts=None, proposals=None):
    """The affinity of experts to the call's proposals (defaults: every available expert of
    the pool; the call's eligible proposals). `experts`/`proposals`: Users/Proposals or ids.
    Rows and columns follow ascending ids."""
    from django.core.cache import caches
    from django.db.models import Prefetch

    from accounts.models import Role, User
    from proposals.models import Proposal, ProposalState

    from ..models import SuggestedField

    expert_ids, proposal_ids = _ids(experts), _ids(proposals)
    users = User.objects.filter(role=Role.EXPERT, expert_profile__isnull=False)
    users = (users.filter(is_active=True, expert_profile__available=True) if expert_ids is None
             else users.filter(pk__in=expert_ids))
    users = list(users.order_by("pk").select_related("expert_profile")
                 .prefetch_related("expert_profile__industries"))
    props = Proposal.objects.filter(call=call)
    props = props.filter(state=ProposalState.ELIGIBLE) if proposal_ids is None else props.filter(pk__in=proposal_ids)
    props = list(props.order_by("pk").select_related("industry").prefetch_related(
        Prefetch("suggested_fields", queryset=SuggestedField.objects.select_related("industry"))))
    expert_texts = [ExpertText(keywords=tuple(split_keywords(u.expert_profile.keywords)),
                               industries=tuple(_triple(i) for i in sorted(u.expert_profile.industries.all(),
                                                                           key=lambda i: i.pk)))
                    for u in users]
    proposal_texts = [ProposalText(
        title=" ".join(filter(None, [p.title_ko, p.title_en])), summary=p.summary or "", goals=p.goals or "",
        industry=_triple(p.industry),
        suggested_industries=tuple(_triple(s.industry) for s in p.suggested_fields.all() if s.industry_id),
        suggested_texts=tuple(s.text for s in p.suggested_fields.all() if not s.industry_id))
        for p in props]
    e_ids, p_ids = [u.pk for u in users], [p.pk for p in props]
    digest = hashlib.sha256(repr((e_ids, expert_texts, p_ids, proposal_texts, INDUSTRY_BONUS, SUGGESTED_BONUS,
                                  NGRAMS)).encode()).hexdigest()[:32]
    key = f"affinity:{call.pk}:{digest}"
    cache = caches["default"]
    found = cache.get(key)
    if found is not None:
        return found
    result = affinity_from_texts(e_ids, expert_texts, p_ids, proposal_texts)
    cache.set(key, result, CACHE_SECONDS)
    return result

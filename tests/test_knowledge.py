"""The knowledge base: it loads fast, keeps every
figure with its source, and covers the checklist.
"""

from __future__ import annotations

import pytest
import yaml
from jinja2.exceptions import SecurityError

from bot import Engine
from bot.knowledge import load_knowledge
from bot.render import Renderer, _names

from .conftest import DATA, ROOT

KB = load_knowledge(ROOT / "knowledge")
CHECKLIST = yaml.safe_load((DATA / "checklist.yaml").read_text(encoding="utf-8"))


def _texts(fact) -> list[str]:
    out = [fact.text or "", fact.name or "", fact.question or ""]
    out += [str(item) for item in fact.items]
    return out


def _numbers(fact) -> set[int]:
    values = set()
    if fact.pay:
        values |= {fact.pay.min, fact.pay.max or fact.pay.min}
    if fact.count:
        values.add(fact.count.value)
    return values


def test_checklist_is_large_and_covers_every_guide() -> None:
    assert len(CHECKLIST) >= 100
    assert {row["source"] for row in CHECKLIST} == set(KB.sources)


@pytest.mark.parametrize(
    "row", CHECKLIST, ids=lambda r: f"{r['source']}:{r['section']}:{r.get('text', r.get('number'))}"
)
def test_checklist_entry_is_in_the_knowledge_base(row: dict) -> None:
    facts = [f for t in KB.topics.values() for f in t.facts if f.source.id == row["source"]]
    if "number" in row:
        assert any(row["number"] in _numbers(f) for f in facts)
    else:
        needle = row["text"].lower()
        assert any(needle in text.lower() for f in facts for text in _texts(f))


def test_every_source_names_a_guide_file_and_a_human_title() -> None:
    guides = ROOT.parent / "shared" / "guides"
    for source in KB.sources.values():
        assert not source.title.endswith(".txt") and "_" not in source.title
        if guides.is_dir():
            assert (guides / source.file).is_file(), source.file


def test_disagreeing_salaries_are_kept_apart_with_their_sources() -> None:
    entry = KB.facts("salary_by_level", level="entry")
    by_basis = {(f.source.id, f.pay.basis): (f.pay.min, f.pay.max) for f in entry}
    assert by_basis == {
        ("card", "median"): (110_000, 150_000),
        ("blog", "base"): (95_000, 120_000),
        ("blog", "total"): (120_000, 150_000),
    }


@pytest.mark.parametrize(
    ("topic", "tags", "shown"),
    [
        (
            "salary_by_level",
            {"level": "senior"},
            {"$210,000–$300,000", "$180,000–$250,000+", "$300,000+"},
        ),
        ("salary_by_region", {"region": "sf_bay_area"}, {"~$180,000"}),
        ("salary_by_state", {"state": "california"}, {"$139,620"}),
        ("company_open_roles", {"company": "google"}, {"~700+"}),
    ],
)
def test_figures_render_exactly_as_the_guides_state_them(
    topic: str, tags: dict, shown: set[str]
) -> None:
    facts = KB.facts(topic, **tags)
    assert {str(f.pay or f.count) for f in facts} == shown


def test_every_blog_company_has_all_five_sections() -> None:
    companies = {
        "google",
        "amazon",
        "microsoft",
        "meta",
        "openai",
        "apple",
        "nvidia",
        "tesla",
        "ibm",
        "deepmind",
    }
    for topic in (
        "company_open_roles",
        "company_focus_areas",
        "company_projects",
        "company_hiring",
        "company_careers_page",
    ):
        assert {f.company for f in KB.facts(topic)} == companies, topic


def test_no_promotional_text_or_scrape_artefacts() -> None:
    for topic in KB.topics.values():
        for fact in topic.facts:
            for text in _texts(fact):
                lowered = text.lower()
                assert "interviewnode" not in lowered and "webinar" not in lowered
                assert "machine leaning" not in lowered and "python,e" not in lowered
                assert ".." not in text and "تعليقات" not in text


def test_aliases_find_companies_by_their_other_names() -> None:
    meta = KB.entity("company", "meta")
    deepmind = KB.entity("company", "deepmind")
    assert meta and {"facebook", "fb"} <= set(meta.aliases)
    assert deepmind and "google deepmind" in deepmind.aliases


def test_a_company_described_rather_than_named_is_that_company(engine: Engine) -> None:
    for said, company in [
        ("what does the big online retailer do with ML for deliveries", "amazon"),
        ("how does the social media giant use ML", "meta"),
        ("is Redmond hiring machine learning people", "microsoft"),
    ]:
        named = {e.id for m in engine.understand(said).mentions for e in m.entities}
        assert company in named, said


def test_the_c_loader_is_available() -> None:
    # load time is reported by `careerbot bench`, not asserted here
    assert hasattr(yaml, "CSafeLoader"), "PyYAML without libyaml: loading will be slower"


def test_a_fact_found_naming_a_slots_entity_makes_the_answer_specific(engine: Engine) -> None:
    kb = engine.knowledge
    renderer = Renderer(kb)
    source = (
        "{% for f in facts('industry_sectors') %}{% for i in f.items if i is naming(industry) %}"
        "{{ i }};{% endfor %}{% endfor %}"
    )
    insurance = kb.entity("industry", "insurance")
    assert insurance is not None
    found = renderer.render("t", source, {"industry": insurance})
    assert found.specific and "Insurance" in found.text
    automotive = kb.entity("industry", "automotive")  # not one of these lists' items
    assert automotive is not None
    assert not renderer.render("t", source, {"industry": automotive}).specific


def test_the_sandbox_refuses_internals_however_often_asked(engine: Engine) -> None:
    renderer = Renderer(engine.knowledge)
    fact = engine.knowledge.facts("industry_sectors")[0]
    # a safe attribute of a type first, then internals of the same and other types, twice each
    assert renderer.render("safe", "{{ f.section }}", {"f": fact}).text == fact.section
    unsafe = ("{{ f.__class__ }}", "{{ f.section.__class__.__mro__ }}", "{{ g.__globals__ }}")
    for _ in range(2):
        for source in unsafe:
            with pytest.raises(SecurityError):
                renderer.render(source, source, {"f": fact, "g": _names})


def test_an_answer_is_rendered_once_for_the_same_template_and_values(engine: Engine) -> None:
    renderer = Renderer(engine.knowledge)
    source = "{{ level.name if level else 'any' }} {{ profile.years }}"
    senior = engine.knowledge.entity("level", "senior")
    assert senior is not None
    first = renderer.render("t", source, {"level": senior, "profile": {"years": 3}})
    again = renderer.render("t", source, {"level": senior, "profile": {"years": 3}})
    assert again is first and first.text == "Senior level 3"
    # any other value, however deep, is another answer
    assert renderer.render("t", source, {"level": senior, "profile": {"years": 4}}).text.endswith(
        "4"
    )
    assert renderer.render("t", source, {"level": None, "profile": {"years": 3}}).text == "any 3"
    # a value that is not frozen is rendered every time, never kept
    fact = engine.knowledge.facts("industry_sectors")[0]
    assert renderer.render("f", "{{ f.section }}", {"f": fact}).text == fact.section


def test_a_value_the_template_never_names_does_not_make_another_answer(engine: Engine) -> None:
    renderer = Renderer(engine.knowledge)
    source = "{{ level.name }}{% if 'profiles' in level.name %}{% endif %}"
    senior, junior = (engine.knowledge.entity("level", i) for i in ("senior", "entry"))
    assert senior is not None and junior is not None
    first = renderer.render("u", source, {"level": senior, "profile": {"years": 3}})
    # another profile, which the template never reads (a word holding it is not its name)
    assert renderer.render("u", source, {"level": senior, "profile": {"years": 9}}) is first
    # an entity filling a slot counts though unnamed: helpers ask which entities fill slots
    other = renderer.render("u", source, {"level": senior, "profile": {}, "x": junior})
    assert other is not first and other.text == first.text


def test_no_out_of_scope_occupation_is_named_by_the_guides(engine: Engine) -> None:
    """An occupation the guides name themselves (an architect on the career path, "tailor your
    resume") is not outside them: a question naming it must reach what they say."""
    from bot.passages import passages
    from bot.text import normalise

    assert engine.knowledge is not None
    said = [" " + " ".join(normalise(p.text)) + " " for p in passages(engine.knowledge)]
    named = [
        term
        for term in engine.settings.out_of_scope_terms
        if any(f" {' '.join(normalise(term))} " in text for text in said)
    ]
    assert named == []

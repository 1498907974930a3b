"""Setups described without their names: the words that point a question at one archetype.

"A central ML unit", "ML people inside the product teams", "nobody's job here is ML": people
describe where they are rather than name an archetype. These tables say which description
points at which archetype (or dimension), which words deny one ("there's no central ML
function"), and which words move from one setup to another. Kept apart from the kind cues
(``cues.py``) because they grow with every new way of describing an organization.
"""

from __future__ import annotations

import re

__all__ = [
    "BREAK_UP",
    "DESCRIBED_NASCENT",
    "DESCRIPTIONS",
    "DESCRIPTIVE_ALIASES",
    "DIMENSION_DESCRIPTIONS",
    "ML_PEOPLE",
    "NEGATED",
    "TOWARD",
    "TRANSITION",
]

#: Aliases that *describe* a setup ("a central ML team", "a research lab") rather than name the
#: archetype; a first-person sentence using one describes a situation, it does not name a type.
DESCRIPTIVE_ALIASES = frozenset(
    [
        "central ml",
        "centralized",
        "centralised",
        "centralized ml",
        "research lab",
        "research ml",
        "no ml",
        "ml division",
    ]
)
#: "zero ML in house", "without any ML": the words of the nascent archetype's "no ML" alias.
DESCRIBED_NASCENT = re.compile(
    r"\b(?:zero|without any|without|hardly any|barely any|not much|very little|no) (?:ml|machine learning|ai)\b"
)
ML_PEOPLE = (
    r"(?:ml|ai|data science|data scientists?|ml engineers?|ml people|ml folks|ml experts?|researchers)"
)
#: Setups described in a few words that point at one archetype, without its name.
DESCRIPTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), archetype)
    for pattern, archetype in (
        (
            r"\b(?:ml|ai) (?:in|across|into) every (?:department|team|unit|part|product|function)\b"
            r"|\b(?:ml|ai) everywhere\b|\bproduct (?:teams|folks|people) (?:get|understand|know) (?:ml|ai)\b"
            r"|\bdata is easy to (?:reach|get|access|find)\b"
            r"|\b(?:ceo|founder) (?:\w+ )?(?:talks about|talks up|champions|pushes|loves|evangeli[sz]es) (?:ml|ai)\b"
            r"|\b(?:ml|ai) (?:a )?part of how everyone\b|\beveryone (?:\w+ ){0,3}(?:thinks|thinking) (?:about |in )?(?:ml|ai)\b"
            r"|\b(?:ceo|founder|founders|leadership|board) (?:is |are )?(?:all in|obsessed|invests|invested|bets|betting)\b"
            r"|\bevery (?:product team|department|team|business unit) has (?:ml|ai|someone|an ml|its own ml)\b"
            r"|\bproduct (?:folks|teams|people|managers) (?:\w+ )?(?:deploy|run|operate|maintain)\b",
            "ml_first",
        ),
        (
            rf"\b{ML_PEOPLE} (?:\w+ )?(?:inside|in|within|with|alongside|embedded in|sitting in|sit in|"
            r"sit with|sits with|sits in|sitting with|spread across|scattered across) "
            r"(?:the |our |their |a few |some |each |every )?(?:product|business) (?:teams?|squads?|units?|lines?|groups?)\b"
            rf"|\b{ML_PEOPLE} (?:\w+ )?(?:sitting|sit|sits|working) (?:next to|alongside|with) (?:the )?"
            r"(?:backend |software |product |app )?(?:devs|developers|engineers)\b"
            r"|\breport(?:s|ing)? (?:up )?to (?:the |their |our )?(?:\w+ )?(?:eng|engineering|tech) leads?\b"
            r"|\b(?:into|to|across|among) (?:the |our |their |each )?product (?:teams|squads|groups)\b",
            "embedded",
        ),
        (
            r"\bcentral (?:ml |ai |data science )?(?:team|group|unit|division|function|org)\b",
            "independent",
        ),
        (r"\bembed(?:ding)? (?:ml|ai|them|our|the|data|people)\b", "embedded"),
        (
            r"\b(?:nobody|no one|noone|none of us) (?:\w+ ){0,2}(?:does|do|doing|works on|owns|knows) "
            r"(?:ml|ai|machine learning|data science)\b|\bno (?:ml|ai|data science) (?:team|people|function|expertise)\b"
            r"|\bside (?:project|projects|gig)\b|\bbetween tickets\b|\bin (?:their|his|her|our) spare time\b"
            r"|\bno (?:permanent |dedicated |full time |in house )?(?:ml|ai|data science) (?:staff|team|people|"
            r"expertise|function|person|hires?|roadmap|strategy)\b|\bone off (?:pilots?|projects?|analyses|models?)\b"
            r"|\bnobody s job (?:\w+ )?is (?:ml|ai|data science)\b|\bnobody has (?:ml|ai) as (?:their|a) (?:\w+ )?job\b"
            r"|\bhere and there\b|\bno support from (?:above|leadership|management|mgmt|the top)\b"
            r"|\b(?:occasionally|now and then|once in a while|sporadically) (?:\w+ )?(?:try|tries|build|builds|do|does)\b"
            r"|\bwhen (?:they|someone|he|she|we) (?:has|have|find|finds) (?:the )?time\b",
            "nascent",
        ),
        (
            r"\b(?:research|r and d|innovation) (?:lab|labs|department|arm|division|group|team|centre|center)\b"
            r"|\b(?:phds?|researchers|academics) (?:\w+ )?(?:writing|publishing|who publish|write|publish) papers\b",
            "rnd",
        ),
    )
)
#: Words before a description that deny it ("there's no central ML function").
NEGATED = re.compile(
    r"\b(?:no|not|without|never|isn t|aren t|lack|lacks|instead of|rather than)(?: \w+){0,2} $"
)
#: A dimension described by the question it asks rather than named ("how important are SWE skills?").
DIMENSION_DESCRIPTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), dimension)
    for pattern, dimension in (
        (r"\b(?:swe|software engineering|software|engineering|coding) skills\b", "engineering_vs_research"),
        (r"\bbuilding or integrating (?:with )?software\b", "engineering_vs_research"),
        (r"\bdata (?:collection|warehousing|labell?ing) and\b", "data_ownership"),
        (r"\bwho maintains the deployed models\b", "model_ownership"),
        (
            r"\bcontrol (?:\w+ ){0,6}over (?:the )?(?:data|labell?ing|pipelines?|warehous\w*|collection)\b",
            "data_ownership",
        ),
    )
)
#: Words of a move from one setup to another ("out of the R&D lab and into the product teams").
TRANSITION = re.compile(
    r"\b(?:mov(?:e|es|ed|ing)|switch\w*|go(?:ing)? from|break(?:ing)? up|broke up|spread(?:ing)? (?:everyone|them|people)|"
    r"pull(?:ing)? (?:them|everyone|the \w+|our \w+)(?: \w+)? out|dissolv\w*|split(?:ting)? up)\b"
)
#: Words just before a setup that make it where a move goes to, not where it comes from.
TOWARD = re.compile(
    r"\b(?:into|to|toward|towards|becoming|become|with)(?: \w+){0,3} $|^(?:into|to|toward|towards) "
)
#: A move away from a setup that need not name where to ("break up our central ML division").
BREAK_UP = re.compile(
    r"\b(?:break(?:ing)? up|broke up|dissolv\w*|split(?:ting)? up|spread(?:ing)? (?:everyone|them|people))\b"
)

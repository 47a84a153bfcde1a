"""The wordings of findings in radiology reports and case reports, field by field.

Each :class:`Rule` is a pattern for one field with the value it states when
affirmed and, where the wording has one, when denied ("no calcification" is
``calcification: none``; "no punctate calcification" says nothing). Value
rules say a value outright ("homogeneous enhancement"); the extractor gives
an affirmed mention precedence over a denied one, and a specific value over
a generic mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One wording of a finding.

    ``value``: what an affirmed mention states (a callable reads it off the match).
    ``denied``: what a denied mention states, or ``None`` if a denial says nothing.
    ``generic``: a mention that loses to any specific value of the same field.
    """

    field: str
    pattern: re.Pattern[str]
    value: Any
    denied: Any = None
    generic: bool = False

    def value_of(self, match: re.Match[str]) -> Any:
        return self.value(match) if callable(self.value) else self.value


def _p(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


# -- words shared by several rules ------------------------------------------------

ENHANCE = r"enhanc\w*|contrast uptake|uptake of contrast"
#: Words after "enhanced" that make it the name of an image, not a finding ("enhanced MRI").
_IMAGE_AFTER = re.compile(
    r"^[\s-]*(?:(?:fat[\s-]*(?:sat\w*|suppress\w*)|sagittal|axial|coronal|spinal|lumbar|"
    r"thoracic|cervical|spine|magnetic|3d|3-d|fs|gd|gadolinium)[\s-]+)*(?:MRI?\b|MR\b|T1|scans?|"
    r"images?|imaging|sequences?|stud(?:y|ies)|examinations?|CT\b|computed|series|resonance|"
    r"(?:magnetic\s+)?resonance)",
    re.IGNORECASE,
)
#: What may enhance besides the tumour: vessels, the dura, the roots, the meninges.
_NOT_THE_LESION_AFTER = re.compile(
    r"^\s*(?:of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:dura\w*|meninge\w*|leptomeninge\w*|"
    r"roots?|nerves?|vessels?|veins?|arter\w+|pia|cord|bone|marrow|endplates?|discs?|"
    r"ligament\w*|facet\w*)|(?:[\w-]+\s+){0,1}?(?:vessels?|veins?|dural\s+tails?|tail|dura\b|"
    r"meninges|roots?|nerves?))\b",
    re.IGNORECASE,
)
_NOT_THE_LESION_BEFORE = re.compile(
    r"\b(?:dural|meningeal|leptomeningeal|pial|root|nerve|vascular|vessel|marrow|endplate|"
    r"facet|ligamentous|disc|dura)\s+$",
    re.IGNORECASE,
)


def _enhancement_present(match: re.Match[str]) -> str | None:
    """ "present" for a mention of enhancement without its pattern, unless the words name an
    image ("contrast-enhanced T1-weighted images") or something other than the tumour ("an
    enhancing vessel", "dural enhancement")."""
    after = match.string[match.end() :]
    before = match.string[max(0, match.start() - 40) : match.start()]
    if match.group().lower().startswith("enhanced") and _IMAGE_AFTER.match(after):
        return None
    participle = match.group().lower().startswith(("enhanced", "enhancing"))
    if re.search(r"(?:contrast|gadolinium|gd|post|pre)[\s-]*$", before, re.IGNORECASE) and (
        _IMAGE_AFTER.match(after) or (participle and re.match(r"^[\s-]*(?:and|or|/)", after))
    ):
        return None
    if _NOT_THE_LESION_AFTER.match(after) or _NOT_THE_LESION_BEFORE.search(before):
        return None
    return "present"


#: Calcification of what is not the tumour.
_NOT_THE_LESION_CALCIFIED = re.compile(
    r"^\s*(?:of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:ligament\w*|discs?|annulus|vessels?|aorta|"
    r"arter\w+|falx|pineal|choroid)|(?:discs?|ligament\w*|vessels?|plaques?)\b)",
    re.IGNORECASE,
)


#: Parts of a lesion: "a non-enhancing part" says nothing of the lesion's enhancement.
_A_PART_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+)?(?:parts?|areas?|components?|portions?|foci|focus|regions?|zones?|cysts?|"
    r"centre|center|core|septa)\b",
    re.IGNORECASE,
)


def _whole_lesion(value: str):
    """``value`` unless the words describe a part of the lesion ("non-enhancing areas")."""

    def read(match: re.Match[str]) -> str | None:
        return None if _A_PART_AFTER.match(match.string[match.end() :]) else value

    return read


#: Bleeding outside the tumour: around the cord or the brain, not in the mass.
_OUTSIDE_BEFORE = re.compile(
    r"\b(?:subarachnoid|subdural|epidural|intracranial|intraventricular|intracerebral|"
    r"spinal\s+subarachnoid)\s+$",
    re.IGNORECASE,
)


def _in_the_tumour(match: re.Match[str]) -> bool | None:
    """Haemorrhage in the tumour, unless the words put it around the cord ("subarachnoid
    haemorrhage")."""
    before = match.string[max(0, match.start() - 40) : match.start()]
    return None if _OUTSIDE_BEFORE.search(before) else True


def _calcification_present(match: re.Match[str]) -> str | None:
    """ "present" for calcification stated without its kind, unless it is of something else."""
    before = match.string[max(0, match.start() - 30) : match.start()]
    if _NOT_THE_LESION_CALCIFIED.match(match.string[match.end() :]) or re.search(
        r"\b(?:disc|ligament\w*|vascular|aortic|arterial)\s+$", before, re.IGNORECASE
    ):
        return None
    return "present"


T2 = r"T2(?:\s*-?\s*weighted)?(?:\s*-?\s*(?:WI|W|images?|sequences?|imaging))?|T2WI"
NOT_T1 = r"(?:(?!\bT1)[^.;]){0,45}?"
#: Up to six words between a signal and its sequence ("hypointense to grey matter on T2").
GAP = r"(?:\s+(?!on\b|in\b)[\w()-]+){0,8}?\s+"
#: Up to five words between a T2 sequence and the signal it shows, none naming another sequence.
T2_GAP = r"(?:(?!T1|post|contrast|gad|enhanc)[\w()-]+[\s,]+){0,8}?"
#: "T1- and T2-weighted", "both T1 and T2": one signal stated for both sequences.
BOTH_T1_T2 = r"(?:both\s+)?T1(?:\s*-?\s*weighted)?\s*-?\s*(?:images?\s+)?(?:and|/|&)\s*T2"
_SIGNAL_WORD = (
    r"\b(?:(?P<signal>hypo|iso|hyper)(?:[\s-]*intens(?:e|ity)|[\s-]*signal)|"
    r"(?P<signal2>high|low|bright|equal|intermediate)[\s-]+(?:signal|intensity))"
)
#: A signal written before its sequence: "isointense T1 and T2 signals", "hyper-T2 signal".
_SIGNAL_BEFORE = (
    r"\b(?:(?P<signal>hypo|iso|hyper)(?:[\s-]*intense|[\s-]*(?=T[12]))|(?P<signal2>high|low|"
    r"bright|equal|intermediate))[\s-]*"
)
_SIGNAL_AFTER = r"\s*(?:signals?|intensit\w+|images?)\b"
_MIXED_WORD = r"(?:hypo|iso|hyper|high|low)(?:[\s-]*intens(?:e|ity)|[\s-]+signal)?"
#: Two signals of one sequence given together ("hypo- and hyperintense"): heterogeneous if they
#: differ.
MIXED = (
    rf"\b(?P<first>{_MIXED_WORD})[\s-]*(?:and|&|/|as well as|with)\s+(?:\w+\s+)?"
    rf"(?P<second>(?:hypo|iso|hyper)[\s-]*intens\w*|(?:high|low)[\s-]+signals?)"
)


def _base_signal(word: str) -> str:
    word = word.lower()
    for stem, value in (("hypo", "hypo"), ("low", "hypo"), ("iso", "iso"), ("hyper", "hyper"),
                        ("high", "hyper")):  # fmt: skip
        if word.startswith(stem):
            return value
    return word


def _mixed(match: re.Match[str]) -> str:
    first, second = _base_signal(match.group("first")), _base_signal(match.group("second"))
    return first if first == second else "heterogeneous"


#: "long T1", "short T2", "equal T1" (reports translated from Chinese): the signal by relaxation.
_RELAXATION = {
    "T1": {"long": "hypo", "short": "hyper", "equal": "iso", "iso": "iso", "isometric": "iso"},
    "T2": {"long": "hyper", "short": "hypo", "equal": "iso", "iso": "iso", "isometric": "iso"},
}


def _relaxation(sequence: str):
    def read(match: re.Match[str]) -> str | None:
        relax = match.group("relax")
        words = [w.lower() for w in re.findall(r"long|short|equal|isometric|iso|mixed", relax,
                                                re.IGNORECASE)]  # fmt: skip
        values = {_RELAXATION[sequence].get(w) for w in words if w != "mixed"}
        if len(values) > 1 and re.search(r"\bor\b|/", relax) and "mixed" not in words:
            return None  # a range ("equal or slightly long T1"): no one value
        if "mixed" in words or len(values) > 1:
            return "heterogeneous"
        return values.pop()

    return read


_RELAX_WORD = r"(?:long|short|equal|iso|isometric)"
_RELAX = (
    rf"(?P<relax>(?:mixed\s+)?(?:slightly\s+|mildly\s+|slight\s+)?{_RELAX_WORD}"
    rf"(?:\s*(?:and|or|/)\s*(?:slightly\s+)?{_RELAX_WORD})?(?:\s+and\s+mixed)?)"
)


def relaxation_pattern(sequence: str, *, shared: bool = False) -> str:
    """ "long T1", "slightly long T2", "mixed long and short T2"; with ``shared``, T2's in
    "long T1 and T2 signal"."""
    if shared:
        return (
            rf"\b{_RELAX}\s*-?\s*T1(?:WI|W)?\s*(?:and|,|/)\s*T2(?:WI|W)?\s*(?:signals?|intensit\w+)"
        )
    return rf"\b{_RELAX}\s*-?\s*{sequence}(?:WI|W)?\b(?!\s*-?\s*weighted)"


def _t2(match: re.Match[str]) -> str:
    groups = match.groupdict()
    word = (groups.get("signal") or groups.get("signal2") or groups.get("signal3") or "").lower()
    if word.startswith(("heterogen", "inhomogen", "mixed")):
        return "heterogeneous"
    if word in ("high", "bright"):
        return "hyper"
    if word == "low":
        return "hypo"
    if word in ("intermediate", "equal"):
        return "iso"
    return word


#: Words of a neighbour pressing on a structure, just before it: the tumour is near it, not of it.
_PRESSING_BEFORE = re.compile(
    r"\b(?:compress\w*|distort\w*|displac\w*|splay\w*|push\w*|abut\w*|effect\s+(?:up)?on|"
    r"extension\s+(?:in)?to|extend\w*\s+(?:in)?to|adjacent|compression\s+of|near|"
    r"involv\w*|(?:adherent|apposed|close|next)\s+to|contact\s+with|encas\w*|along)\s+"
    r"(?:[\w-]+\s+){0,6}$",
    re.I,
)
_PRESSING_AFTER = re.compile(
    r"^\s*(?:nerve\s+roots?\s+)?(?:compression|syndrome|(?:was\s+|were\s+)?"
    r"(?:compressed|displaced|distorted|splayed))",
    re.I,
)


def _site(value: str):
    """A named site's value, unless the words around it say the tumour only presses on it."""

    def read(match: re.Match[str]) -> str | None:
        before = match.string[max(0, match.start() - 60) : match.start()]
        if _PRESSING_BEFORE.search(before) or _PRESSING_AFTER.match(match.string[match.end() :]):
            return None
        return value

    return read


RULES: tuple[Rule, ...] = (
    # -- compartment -------------------------------------------------------------
    Rule(
        "compartment",
        _p(
            r"\bintra-?\s*(?:dural)?\s*(?:and|&|/|-)\s*extra-?\s*dural|\bextra-?\s*(?:dural)?\s*"
            r"(?:and|&|/)\s*intra-?\s*dural|\bI\s*&\s*ED\b|\bintra-?\s*and\s*extra-?\s*spinal\s+"
            r"(?=dural)"
        ),
        "intra_extradural",
    ),
    Rule(
        "compartment",
        _p(
            r"\bextra-?\s*dural\b[^.;]{0,250}?\b(?:with|and|plus)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}"
            r"intra-?\s*dural\s+(?:extramedullary\s+)?(?:component|part|portion|extension)|\bintra-?\s*dural(?:ly)?\b"
            r"[^.;]{0,150}?\bextend\w*\s+(?:[\w-]+\s+)?extra-?\s*dural(?:ly)?\b|"
            r"\bintra-?\s*dural\b[^.;]{0,150}?"
            r"\b(?:with|and)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?extra-?\s*dural\s+(?:component|part|"
            r"portion|extension)"
        ),
        "intra_extradural",
    ),
    Rule(
        "compartment",
        _p(
            r"\bintra-?\s*dural[\s,/-]*(?:and\s+)?extra-?\s*(?:medullary|axial)|\bIDEM\b|"
            r"\bsubdural[\s,-]+extramedullary|\bextra-?\s*medullary[\s,-]*(?:and\s+)?intra-?\s*dural"
        ),
        "intradural_extramedullary",
    ),
    Rule(
        "compartment",
        _p(r"\bintramedullary\b(?!\s*-?\s*(?:and|/)\s*extramedullary)"),
        "intramedullary",
    ),
    Rule(
        "compartment",
        _p(
            r"\bintra-?\s*(?:spinal|canal)\s+(?:and|&)\s+(?:extra-?\s*spinal|para-?\s*spinal|"
            r"paravertebral)\b(?=[^.;]{0,40}\b(?:dura|dural)\b)"
        ),
        "intra_extradural",
    ),
    Rule(
        "compartment",
        _p(
            r"\b(?:purely|entirely|exclusively|completely|totally)\s+(?:extra-?\s*dural|epidural)|"
            r"\b(?:located|situated|lying|lies|lay)\s+(?:[\w-]+\s+)?(?:extra-?\s*durally|epidurally|"
            r"in\s+the\s+(?:extradural|epidural)\s+space)"
        ),
        "extradural",
    ),
    Rule(
        "compartment",
        _p(
            r"\b(?:epidural(?:ly)?|extradural(?:ly)?)\b(?!\s+(?:extension|component|part|portion|spread))"
        ),
        "extradural",
        generic=True,
    ),
    # the signs of a mass inside the dura and outside the cord
    Rule(
        "compartment",
        _p(
            r"\b(?:CSF|cerebrospinal\s+fluid)\s+(?:cleft|capping|cap)\b|\bcapping\s+of\s+(?:the\s+)?"
            r"(?:CSF|cerebrospinal\s+fluid)|\bmeniscus\s+sign|\bginkgo[\s-]+leaf\b|"
            r"\b(?:widen\w*|expan\w*|enlarg\w*)\s+(?:of\s+)?(?:the\s+)?(?:ipsilateral\s+)?"
            r"subarachnoid\s+space"
        ),
        "intradural_extramedullary",
        generic=True,
    ),
    # -- dumbbell ---------------------------------------------------------------
    Rule(
        "dumbbell",
        _p(
            r"\bdumb-?\s*bell|\bhour-?\s*glass|\ben sablier\b|\bforaminal (?:extension|component|"
            r"portion|part)|\bextra-?\s*for(?:a|)minal|\btrans-?\s*foraminal|\b(?:extend\w*|extension|"
            r"grow\w*|protrud\w*|spread\w*|pass\w*|exit\w*)[\s:]+(?:[\w-]+\s+){0,4}(?:through|into|"
            r"to|from|via|along)\s+(?:the\s+)?(?:[\w/-]+\s+){0,3}(?:neural\s+|intervertebral\s+|"
            r"exit\s+|conjugation\s+)?foram\w*|\bcent(?:er|re)d?\s+(?:at|in|on)\s+(?:the\s+)?"
            r"(?:[\w/-]+\s+){0,3}(?:neural\s+|intervertebral\s+)?foram\w*|\bintra-?\s*(?:and|&)\s*"
            r"extra-?\s*spinal|\bintraspinal\s+and\s+(?:extraspinal|paraspinal|paravertebral)|"
            r"\bforam\w*\s+extension|\bextension\s+(?:at|into|"
            r"through|to)\s+(?:the\s+)?(?:[\w-]+\s+){0,5}foram\w*"
        ),
        True,
        denied=False,
    ),
    # -- enhancement ----------------------------------------------------------------
    Rule(
        "enhancement",
        _p(
            rf"\b(?:homogeneous(?:ly)?|homogenous(?:ly)?|uniform(?:ly)?|even(?:ly)?)\s+(?:\w+\s+){{0,2}}"
            rf"(?:{ENHANCE})|\b(?:{ENHANCE})\s+(?:\w+\s+){{0,2}}(?:homogeneous(?:ly)?|homogenous(?:ly)?|"
            rf"uniformly|evenly)"
        ),
        "homogeneous",
    ),
    Rule(
        "enhancement",
        _p(
            rf"\b(?:heterogeneous(?:ly)?|heterogenous(?:ly)?|inhomogeneous(?:ly)?|patchy|mixed|"
            rf"uneven(?:ly)?|non-?\s*uniform(?:ly)?|variegated)\s+(?:\w+\s+){{0,2}}(?:{ENHANCE})|"
            rf"\b(?:{ENHANCE})\s+(?:\w+\s+){{0,2}}(?:heterogeneous(?:ly)?|heterogenous(?:ly)?|"
            rf"inhomogeneously|unevenly|non-?\s*uniformly|patchily)"
        ),
        "heterogeneous",
    ),
    Rule(
        "enhancement",
        _p(
            rf"\b(?:rim|ring|peripheral)(?:-like)?\s+(?:\w+\s+)?(?:{ENHANCE})|"
            rf"\b(?:{ENHANCE})\s+(?:\w+[\s,]+){{0,4}}(?:at|along|of|in)\s+(?:the\s+|its\s+)?"
            rf"(?:periphery|rim|margins?)"
        ),
        "peripheral",
    ),
    Rule(
        "enhancement",
        _p(
            r"\bnon-?\s*enhancing\b|\b(?:no|without|absent|lack of)\s+(?:\w+\s+)?(?:contrast\s+)?"
            r"enhancement\b|\bdid not enhance\b|\bwas not enhanced\b"
        ),
        _whole_lesion("none"),
    ),
    Rule(
        "enhancement",
        _p(
            r"\b(?:enhanc\w*|contrast[\s-]+(?:uptake|avid)|(?:uptake|accumulation)\s+of\s+(?:the\s+)?"
            r"(?:contrast|gadolinium)|took\s+up\s+(?:the\s+)?(?:contrast|gadolinium))"
        ),
        _enhancement_present,
        denied="none",
        generic=True,
    ),
    # -- calcification ------------------------------------------------------------
    Rule(
        "calcification",
        _p(
            r"\b(?:punctate|punctuate|spotty|speckled|stippled|dot-like|dotted|punctiform)\s+"
            r"(?:\w+\s+)?calcifi\w*|\bcalcifi\w*\s+(?:was\s+|were\s+)?(?:punctate|spotty|stippled)"
        ),
        "punctate",
    ),
    Rule(
        "calcification",
        _p(
            r"\b(?:dense|massive|extensive|coarse|heavy|large|gross|bulky|diffuse\s+dense)\s+"
            r"(?:\w+\s+)?calcifi\w*|\blarge\s+(?:amounts?|areas?)\s+of\s+calcifi\w*|"
            r"\b(?:heavily|densely|extensively|completely|massively)\s+calcified|\bossifi\w+|"
            r"\bossified\b"
        ),
        "massive",
    ),
    Rule(
        "calcification",
        _p(r"\brings?[\s-]+(?:and|&)[\s-]+arcs?\b|\bchondroid\s+calcifi\w*|\bpopcorn\s+calcifi\w*"),
        "rings_arcs",
    ),
    Rule("calcification", _p(r"\bnon-?\s*calcified\b"), "none"),
    Rule(
        "calcification",
        _p(r"\bcalcifi\w*|\bcalcific\b"),
        _calcification_present,
        denied="none",
        generic=True,
    ),
    # -- calcification site (only with a stated calcification) -------------------
    Rule("calcification_site", _p(r"\bperipheral(?:ly)?\s+(?:\w+\s+)?calcifi\w*"), "peripheral"),
    Rule("calcification_site", _p(r"\bcentral(?:ly)?\s+(?:\w+\s+)?calcifi\w*"), "central"),
    Rule("calcification_site", _p(r"\bdiffuse(?:ly)?\s+(?:\w+\s+)?calcifi\w*"), "diffuse"),
    # -- dural signs -----------------------------------------------------------------
    Rule(
        "dural_tail",
        _p(r"\b(?:dural?|meningeal|dura\s+mater)[\s-]+tail|\btail\s+sign"),
        True,
        denied=False,
    ),
    Rule(
        "dural_attachment",
        _p(
            r"\bdural[\s-]+based|\bdural\s+(?:attachment|base|origin)|\b(?:wide|broad)[\s-]+base\w*\s+"
            r"attachment|\b(?:wide|broad)[\s-]+base\w*\s+(?:on|"
            r"against|with|to|along)\s+(?:the\s+)?dura|\b(?:broad[\s-]+based\s+)?"
            r"attach\w*\s+(?:\w+\s+){0,5}dura\b|\b(?:attached|adherent|adhered|fixed)\s+(?:to\s+)?(?:the\s+)?"
            r"(?:\w+\s+){0,4}dura(?:\s+mater)?\b|\barising from the dura"
        ),
        True,
        denied=False,
    ),
    Rule(
        "dural_attachment",
        _p(
            r"\b(?:separated|separate|free|detached)\s+from\s+(?:the\s+)?dura(?:\s+mater)?\b|"
            r"\bnon-?\s*dural[\s-]+based"
        ),
        False,
    ),
    # -- other findings -------------------------------------------------------------
    # a cyst around the tumour in the cord
    # ("peritumoral cyst", "polar cyst") is a syrinx, not cystic change
    Rule(
        "cystic_change",
        _p(
            r"(?<!peritumoral\s)(?<!peritumoural\s)(?<!polar\s)(?<!rostral\s)(?<!caudal\s)"
            r"(?<!cranial\s)"
            r"\bcysts?\b|\bcystic\b"
        ),
        True,
        denied=False,
    ),
    Rule("cystic_change", _p(r"\b(?:purely|entirely|completely)\s+solid\b"), False),
    Rule(
        "flow_voids",
        _p(
            r"\bflow[\s-]+voids?|\bsignal[\s-]+voids?|\bserpiginous\s+(?:\w+\s+)?(?:vessels?|flow|"
            r"vascul\w*)|\b(?:prominent|enlarged|dilated|engorged|tortuous)\s+(?:\w+\s+)?vessels"
        ),
        True,
        denied=False,
    ),
    Rule(
        "bone_erosion",
        _p(
            r"\bdestructive\s+(?:[\w-]+\s+){0,2}(?:tumou?r|mass|lesion|pattern|process)|"
            r"\b(?:vertebra\w*|bones?|lamina\w*|pedicles?|bodies|body|sacrum|ala)\s+(?:[\w-]+\s+){0,2}"
            r"(?:were|was|is|are)\s+(?:invaded|eroded|destroyed|scalloped|remodell?ed)|\b(?:sacral|"
            r"vertebral|pedicle|laminar|osseous|bony|bone)\s+erosion|\bforam\w*\s+(?:was|were|is|are)\s+"
            r"(?:enlarged|widened|expanded|eroded)|\bremodell?ing\s+(?:in|of)\s+(?:the\s+)?(?:[\w-]+\s+)"
            r"{0,2}(?:sacr\w*|ala|vertebra\w*|pedicles?|lamina\w*|bone)|"
            r"\b(?:osteoly\w+|lytic\s+(?:[\w-]+\s+){0,2}(?:lesion|destruction|change|mass))|"
            r"\binvad\w*\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:bony|osseous)\s+(?:structures?|elements?)|"
            r"\b(?:bone|bony|osseous)\s+involvement|\bdestroy\w*|\b(?:extensive|marked|focal)\s+"
            r"erosion|\berosion\s+(?:[\w-]+\s+){0,3}(?:involving|of)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}"
            r"(?:process|facet|vertebra\w*|lamina\w*|pedicles?|body|sacrum|arch\w*)|"
            r"\bforaminal\s+(?:widening|enlargement|expansion|remodell?ing|erosion)|\bpedicle\s+"
            r"(?:erosion|thinning|remodell?ing)|\bthinning\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}"
            r"(?:pedicles?|lamina\w*)|\b(?:widen\w*|"
            r"enlarg\w*|expan\w*)\s+(?:of\s+)?(?:the\s+)?(?:[\w/-]+\s+){0,3}(?:neural\s+|"
            r"intervertebral\s+|exit\s+)?foram\w*|\b(?:widened|enlarged|expanded)\s+(?:[\w/-]+\s+){0,3}?"
            r"(?:neural\s+|intervertebral\s+)?foram\w*|\binvad\w*\s+(?:the\s+)?(?:[\w-]+\s+){0,2}"
            r"(?:vertebra\w*|bones?|lamina\w*|pedicles?|body|bodies|sacrum)\b|"
            r"\b(?:bone|bony|osseous|vertebral)\s+(?:\w+\s+)?(?:erosions?|destruction|defect|"
            r"remodel\w*|scalloping|invasion|resorption)|\b(?:expan\w*|enlarg\w*)\s+of\s+(?:the\s+)?"
            r"(?:\w+\s+){0,2}(?:neural\s+|intervertebral\s+)foram\w*|\b(?:erosion|scalloping|remodel\w*|destruction)\s+of\s+(?:the\s+)?"
            r"(?:\w+\s+){0,3}(?:vertebra\w*|bone|lamina|pedicle|body|sacrum|foramen)|\berod\w+\s+"
            r"(?:the\s+)?(?:\w+\s+){0,3}(?:vertebra\w*|bone|lamina|pedicle|body)|\bscalloping\b|"
            r"\bwiden\w*\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+){0,2}(?:neural\s+|intervertebral\s+)?"
            r"foram\w*"
        ),
        True,
        denied=False,
    ),
    # -- T2 signal ------------------------------------------------------------------
    Rule("t2_signal", _p(rf"(?:{T2})[\s(),:-]*(?:[\w()-]+\s+){{0,3}}?{MIXED}"), _mixed),
    Rule("t2_signal", _p(rf"{MIXED}{GAP}(?:on|in)\s+{NOT_T1}(?:{T2})"), _mixed),
    Rule("t2_signal", _p(relaxation_pattern("T2")), _relaxation("T2")),
    Rule(
        "t2_signal",
        _p(rf"{_SIGNAL_BEFORE}(?:T1(?:WI)?\s*(?:and|/)\s*)?T2(?:WI)?{_SIGNAL_AFTER}"),
        _t2,
    ),
    Rule("t2_signal", _p(relaxation_pattern("T2", shared=True)), _relaxation("T2")),
    Rule(
        "t2_signal",
        _p(
            r"\btarget(?:[\s-]+(?:sign|appearance|pattern|configuration)|-like)|\bblack[\s-]+and[\s-]+"
            r"white\b"
        ),  # fmt: skip
        "heterogeneous",
    ),
    Rule("t2_signal", _p(rf"{_SIGNAL_WORD}{GAP}(?:on|in)\s+{BOTH_T1_T2}"), _t2),
    Rule("t2_signal", _p(rf"{_SIGNAL_WORD}{GAP}(?:on|in)\s+{NOT_T1}(?:{T2})"), _t2),
    Rule(
        "t2_signal",
        _p(rf"(?:{T2})[\s(),:-]*{T2_GAP}{_SIGNAL_WORD}(?!\s+(?:on|in)\s+(?:the\s+)?T1)"),
        _t2,
    ),
    Rule(
        "t2_signal",
        _p(
            r"\b(?P<signal2>high|low|bright|intermediate)\s+T1\s*(?:and|/)\s*T2\s*(?:signals?|intensit\w+)"
        ),
        _t2,
    ),
    Rule(
        "t2_signal",
        _p(
            rf"(?:{T2})[\s(),:-]*{T2_GAP}(?P<signal3>heterogene?ous(?:ly)?|inhomogene?ous(?:ly)?|mixed)"
            rf"\s+(?:mixed\s+)?(?:signal|SI\b|intensity)"
        ),
        _t2,
        generic=True,
    ),
    Rule(
        "t2_signal",
        _p(rf"\b(?P<signal2>high|low|bright|intermediate)\s+(?:{T2})\s*(?:signal|intensity)"),
        _t2,
    ),
    Rule(
        "t2_signal",
        _p(
            rf"\b(?P<signal3>heterogeneous(?:ly)?|inhomogeneous|mixed)\s*(?:signal(?:\s+intensity)?\s*)?"
            rf"(?:both\s+)?(?:on|in)\s+(?:{NOT_T1}(?:{T2})|{BOTH_T1_T2})"
        ),
        _t2,
        generic=True,
    ),
)


# -- schema 1.1 ---------------------------------------------------------------------

#: A signal given as a range ("iso- to hypointense", "hypo-isointense"): no one value is stated.
_RANGE_AFTER = re.compile(
    r"^[\s-]*(?:to|or|-)[\s-]*(?:slightly\s+|mildly\s+)?(?:hypo|iso|hyper|high|low)", re.I
)
_RANGE_BEFORE = re.compile(
    r"(?:hypo|iso|hyper|high|low)(?:[\s-]*intense)?[\s-]*(?:to|or|-)?[\s-]*$", re.I
)


def _t1(match: re.Match[str]) -> str | None:
    for name in ("signal", "signal2", "signal3"):
        if match.groupdict().get(name):
            start, end = match.span(name)
            tail = match.string[end : end + 40]
            tail = re.sub(r"^[\s-]*intens(?:e|ity)", "", tail, flags=re.I)
            if _RANGE_AFTER.match(tail) or _RANGE_BEFORE.search(
                match.string[max(0, start - 20) : start]
            ):
                return None
            break
    return _t2(match)


def _size(match: re.Match[str]) -> str | None:
    """The size bin of a length as written: the largest of its dimensions, in its unit."""
    from tumorclf.schema.parsing import InvalidValue, parse_size

    numbers = re.findall(r"\d+(?:\.\d+)?", match.group("numbers"))
    unit = "cm" if match.group("unit").lower().startswith(("cm", "centi")) else "mm"
    try:
        return parse_size(f"{max(map(float, numbers))} {unit}")
    except InvalidValue:
        return None


T1 = r"T1(?:\s*-?\s*weighted)?(?:\s*(?:WI|W|images?|sequences?|imaging))?|T1WI"
NOT_T2 = r"(?:(?!\bT2)[^.;]){0,45}?"
#: A length: "28 mm", "2.8 cm", "3.2 x 2.1 x 1.5 cm" (the largest dimension counts).
#: "28 mm", "2.8 cm", "3.2 x 2.1 x 1.5 cm", "86 mm x 109 mm", "30 millimetres", "8.0 to 8.6 cm".
_UNIT = r"mm|cm|millimet(?:re|er)s?|centimet(?:re|er)s?"
_LENGTH = (
    rf"(?P<numbers>\d+(?:\.\d+)?(?:\s*(?:{_UNIT}))?(?:\s*(?:x|\u00d7|\*|by|to)\s*\d+(?:\.\d+)?"
    rf"(?:\s*(?:{_UNIT})(?=\s*(?:x|\u00d7|\*|by)))?)*)[\s-]*(?P<unit>{_UNIT})\b"
)
_MASS_WORD = (
    r"(?:mass|masses|tumou?r|lesion|neoplasm|nodule|schwannoma|neurinoma|neuril+emm?oma|meningioma|"
    r"neurofibroma|ependymoma|ha?emangioblastoma|chondrosarcoma|hemangiopericytoma|HBL?)"
)
#: After a T1 sequence's name: not the post-contrast image
#: ("on T1-weighted images after gadolinium").
_NOT_POST_CONTRAST = (
    r"(?![^.;]{0,20}?\b(?:after|following|post)[\s-]*(?:intravenous\s+)?(?:contrast|gad\w*|Gd)|"
    r"\s*(?:with|\+)\s*(?:contrast|gad\w*|Gd|C\b))"
)
#: Words between a T1 sequence and its signal that are not about another sequence or the contrast.
_T1_GAP = r"(?:(?!T2|post|contrast|gad|enhanc)[\w()-]+\s+){0,10}?"
RULES_1_1: tuple[Rule, ...] = (
    # -- syndrome -----------------------------------------------------------------------
    Rule(
        "syndrome",
        _p(r"\bvon\s+hippel[\s-]+lindau\b|\bhippel[\s-]+lindau\b|\bVHLD?\b"),
        "vhl",
        denied="none",
    ),
    Rule(
        "syndrome",
        _p(
            r"\bneurofibromatosis[\s-]+(?:type[\s-]*)?(?:1|I|one)\b|\bNF-?\s?1\b|"
            r"\bvon\s+recklinghausen"
        ),
        "nf1",
        denied="none",
    ),
    Rule(
        "syndrome",
        _p(r"\bneurofibromatosis[\s-]+(?:type[\s-]*)?(?:2|II|two)\b|\bNF-?\s?2\b"),
        "nf2",
        denied="none",
    ),
    Rule(
        "syndrome",
        _p(r"\bneurofibromatosis\b(?![\s-]+(?:type|1|2|I\b|II\b|one|two))|\bphakomatos\w+"),
        None,
        denied="none",
    ),
    Rule("syndrome", _p(r"\bsporadic\b"), "none"),
    # -- named site -----------------------------------------------------------------------
    Rule("named_site", _p(r"\bfilum(?:\s+terminale)?\b"), _site("filum_terminale")),
    Rule("named_site", _p(r"\bconus(?:\s+medullaris)?\b"), _site("conus_medullaris")),
    Rule("named_site", _p(r"\bcauda(?:\s+equin[ae])?\b"), _site("cauda_equina")),
    Rule(
        "named_site",
        _p(
            r"\b(?:in|of|within|involving)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:cervical|thoracic|"
            r"cervicothoracic|cervico-thoracic|dorsal|upper|high)\s+(?:spinal\s+)?cord\b"
        ),
        _site("other"),
        generic=True,
    ),
    Rule(
        "named_site",
        _p(
            r"\b(?:(?:arising|originating|arose|originated)\s+from|contiguous\s+with|continuous\s+with|"
            r"joined|joining|extension\s+to)\s+(?:[\w-]+\s+){0,5}?(?:nerve|roots?|"
            r"rootlets?)\b|\b(?:spinal|nerve|dorsal|ventral|sensory|motor)\s+roots?\b(?!\s+(?:[\w-]+\s+)?(?:compression|"
            r"pain|symptoms?|signs?))|\broot\s+sleeve|\bdorsal\s+root\s+ganglion|"
            r"\bradicular\s+(?:[\w-]+\s+)?(?:HBL?|h(?:a)?emangioblastoma|schwannoma|tumou?r|mass|"
            r"lesion)\b|"
            r"\b(?:[CTLS]|D|Th)\d{1,2}\s+(?:nerve\s+|dorsal\s+|ventral\s+)?root(?:let)?s?\b"
            r"(?!\s+(?:[\w-]+\s+)?(?:compression|pain|"
            r"symptoms?|signs?))"
        ),
        _site("nerve_root"),
    ),
    Rule(
        "named_site",
        _p(
            r"\b(?:arising|originating|arose|originated)\s+from\s+the\s+(?:[\w-]+\s+){0,2}?(?:dura|"
            r"arachnoid|meninges|pia)\b|\bof\s+the\s+arachnoid\b"
        ),
        _site("other"),
    ),
    # -- syrinx ---------------------------------------------------------------------------
    Rule(
        "syrinx",
        _p(
            r"\bsyrin\w*|\bhydromyel\w*|\b(?:peritumou?ral|polar|rostral|caudal|cranial)\s+"
            r"(?:cysts?|cystic\s+(?:lesions?|cavit\w+))\b"
        ),
        True,
        denied=False,
    ),
    # -- haemorrhage ---------------------------------------------------------------------
    Rule(
        "haemorrhage",
        _p(
            r"\bha?emorrhag\w*|\bha?emosiderin\w*|\bblood\s+products?\b|\bha?ematoma\b|"
            r"\bcap\s+sign\b|\b(?:intra)?tumou?ral\s+bleed\w*|\bblood\s+(?:degradation|breakdown)\s+"
            r"products\b"
        ),
        _in_the_tumour,
        denied=False,
    ),
    # -- T1 signal ----------------------------------------------------------------------
    Rule(
        "t1_signal",
        _p(rf"(?:{T1}){_NOT_POST_CONTRAST}[\s(),:-]*(?:[\w()-]+\s+){{0,3}}?{MIXED}"),
        _mixed,
    ),  # fmt: skip
    Rule("t1_signal", _p(rf"{MIXED}{GAP}(?:on|in)\s+{NOT_T2}(?:{T1}){_NOT_POST_CONTRAST}"), _mixed),
    Rule("t1_signal", _p(relaxation_pattern("T1")), _relaxation("T1")),
    Rule(
        "t1_signal",
        _p(rf"{_SIGNAL_BEFORE}T1(?:WI)?(?:\s*(?:and|/)\s*T2(?:WI)?)?{_SIGNAL_AFTER}"),
        _t1,
    ),
    Rule("t1_signal", _p(rf"{_SIGNAL_WORD}{GAP}(?:both\s+)?(?:on|in)\s+{BOTH_T1_T2}"), _t1),
    Rule(
        "t1_signal",
        _p(
            rf"{_SIGNAL_WORD}{GAP}(?:on|in)\s+(?:(?!\bT2|contrast|gadolinium|enhanc)[^.;]){{0,45}}?"
            rf"(?:{T1}){_NOT_POST_CONTRAST}"
        ),
        _t1,
    ),
    Rule(
        "t1_signal",
        _p(
            rf"(?<!post-contrast\s)(?<!contrast-enhanced\s)(?:{T1}){_NOT_POST_CONTRAST}[\s(),:-]*"
            rf"{_T1_GAP}{_SIGNAL_WORD}(?!\s+(?:on|in)\s+(?:the\s+)?T2)"
        ),
        _t1,
    ),
    Rule(
        "t1_signal",
        _p(rf"\bT1[\w\s()-]{{0,20}}?\s(?:and|/|&)\s*T2[\w\s()-]{{0,25}}?{_SIGNAL_WORD}"),
        _t1,
    ),
    Rule(
        "t1_signal",
        _p(
            rf"\b(?P<signal2>high|low|bright|intermediate)\s+(?:{T1})\s*(?:(?:and|/)\s*T2\s*)?"
            rf"(?:signals?|intensit\w+)"
        ),
        _t1,
    ),
    Rule(
        "t1_signal",
        _p(
            r"\b(?P<signal2>high|low|bright|intermediate)\s+T1\s+and\s+(?:high|low|bright|intermediate)"
            r"\s+T2"
        ),
        _t1,
    ),
    Rule(
        "t1_signal",
        _p(
            rf"\b(?P<signal3>heterogeneous(?:ly)?|inhomogeneous|mixed)\s*(?:signal(?:\s+intensity)?\s*)?"
            rf"(?:both\s+)?(?:on|in)\s+{NOT_T2}(?:{T1})"
        ),
        _t1,
        generic=True,
    ),
    # -- multiple lesions ---------------------------------------------------------------
    Rule(
        "multiple_lesions",
        _p(
            rf"\bmultiple\s+(?:[\w-]+\s+){{0,4}}(?:{_MASS_WORD})s?\b|\bmultifocal\b|"
            rf"\bboth\s+(?:[\w-]+\s+)?(?:{_MASS_WORD})s\b|\bdrop\s+metastas[ie]s\b|"
            rf"\b(?:[2-9]|[1-9]\d)\s+(?:[\w-]+\s+){{0,2}}(?:{_MASS_WORD})s\b|\bdisseminated\b|"
            rf"\bsecond\s+(?:[\w-]+,?\s+){{0,3}}(?:{_MASS_WORD})\b|"
            rf"\bbilateral\s+(?:[\w'()-]+\s+){{0,3}}(?:{_MASS_WORD}|neurofibroma|schwannoma)s\b|"
            rf"\banother\s+(?:[\w-]+\s+){{0,2}}(?:{_MASS_WORD})\b|\bbilateral\s+vestibular\b|"
            rf"\b(?:two|three|four|five|several|numerous)\s+(?:[\w-]+\s+){{0,3}}(?:{_MASS_WORD})s\b|"
            rf"\b(?:second|third|another)\s+(?:[\w-]+\s+){{0,2}}(?:{_MASS_WORD})\b"
        ),
        True,
        denied=False,
    ),
    Rule(
        "multiple_lesions",
        _p(
            rf"\bsingle\s+(?:[\w-]+\s+){{0,2}}(?:{_MASS_WORD})\b|\bsolitary\s+(?!fibrous)"
            rf"(?:[\w-]+\s+){{0,2}}(?:{_MASS_WORD})\b|\bno\s+other\s+(?:[\w-]+\s+)?"
            rf"(?:{_MASS_WORD})s?\b|\bno\s+(?:\w+\s+)?metastas[ie]s\b"
        ),
        False,
    ),
    # -- size -----------------------------------------------------------------------------
    Rule(
        "size",
        _p(
            rf"\b(?:measur\w*|size\w*|diameter|dimensions?|span\w*|extension|extent|length|axis)\s+"
            rf"(?:[\w-]+\s+){{0,6}}?{_LENGTH}"
        ),
        _size,
    ),
    Rule("size", _p(rf"\b{_LENGTH}\s+in\s+(?:\w+\s+)?(?:diameter|size|length|dimension)"), _size),
    Rule(
        "size",
        _p(
            rf"\b(?:{_MASS_WORD})[\s,(]+(?:approx(?:imately|\.)?\s+|about\s+|measuring\s+|of\s+)?"
            rf"{_LENGTH}"
        ),
        _size,
    ),
    Rule(
        "size",
        _p(
            rf"\b{_LENGTH}(?:\s+in\s+(?:\w+\s+)?(?:diameter|size|length))?\s*(?:\([^)]*\)\s*)?"
            rf"(?:[\w,-]+\s+){{0,5}}?{_MASS_WORD}\b"
        ),
        _size,
    ),
)
RULES = (*RULES, *RULES_1_1)


# -- the level is read by its own finder (:mod:`tumorclf.extract.levels`) ------------------

_LEVEL_TOKEN = r"(?:C|T|Th|D|L|S)\s?-?(?:[1-9]|1[0-2])(?!\d)"
LEVEL_RANGE = _p(
    rf"\b(?P<top>{_LEVEL_TOKEN})(?:\s*(?:-|\u2013|\u2014|/|~|\u223c|to|through)\s*"
    rf"(?:mid-?|upper\s+|lower\s+)?(?P<bottom>{_LEVEL_TOKEN}|(?:[1-9]|1[0-2])(?!\d|\.\d))"
    rf"(?!\s*(?:-|\u2013)?\s*weighted))?\b(?!\s*-?\s*weighted|WI)"
)
_ORDINAL = (
    r"\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth"
)
ORDINAL_LEVEL = _p(
    rf"\b(?P<n>{_ORDINAL})(?:\s*(?:and|to|-)\s*(?P<n2>{_ORDINAL}))?\s+"
    r"(?P<region>cervical|thoracic|dorsal|lumbar|sacral)\s+vertebra"
)
ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)


def ordinal(word: str) -> int:
    """'9th' or 'ninth' -> 9."""
    word = word.lower()
    return ORDINAL_WORDS.index(word) + 1 if word in ORDINAL_WORDS else int(word[:-2])


#: "from the inferior endplate of L1 to the superior end plate of L3", "between ... T1 and T4",
#: "from T12 to the mid-L1 level".
SPANNING = _p(
    rf"(?:\b(?:from|between)\s+(?:the\s+)?(?:[\w-]+\s+){{0,5}}?(?:of\s+)?)?\b(?P<top>{_LEVEL_TOKEN})\s+"
    rf"(?:down\s+to|up\s+to|to)\s+(?:the\s+)?(?:[\w-]+\s+){{1,4}}?of\s+(?:the\s+)?"
    rf"(?P<bottom2>{_LEVEL_TOKEN})\b|\b(?:from|between)\s+(?:the\s+)?(?:[\w-]+\s+){{0,5}}?(?:of\s+)?"
    rf"(?P<top2>{_LEVEL_TOKEN})\s+"
    rf"(?:vertebra\w*\s+)?(?:to|and|through)\s+(?:the\s+)?(?:[\w-]+\s+){{0,4}}?(?:of\s+)?"
    rf"(?:mid-?|upper\s+|lower\s+)?(?P<bottom>{_LEVEL_TOKEN})\b"
)
#: "lumbar-4", "the thoracic vertebra 11 to the lumbar vertebra 3".
_WORDED = r"(?:cervical|thoracic|dorsal|lumbar|sacral)"
WORDED_LEVEL = _p(
    rf"\b(?P<region>{_WORDED})(?:\s+vertebra(?:e|l)?)?[\s-]+(?P<n>\d{{1,2}})\b(?!\s*(?:mm|cm|%))"
    rf"(?:\s*(?:-|\u2013|to|through)\s*(?:the\s+)?(?:(?P<region2>{_WORDED})(?:\s+vertebra(?:e|l)?)?"
    rf"[\s-]+)?(?P<n2>\d{{1,2}})\b)?"
)
MASS = _p(
    r"\b(?:mass|masses|tumou?rs?|lesions?|neoplasms?|nodules?|schwannomas?|neurinomas?|meningiomas?|"
    r"neurofibromas?|ependymomas?|h(?:a)?emangioblastomas?|chondrosarcomas?|"
    r"h(?:a)?emangiopericytomas?|MCS|SFT|HPC|MPE|space-occupying)\b"
)
SENTENCE = re.compile(r"[^.!?;\n]+(?:[.!?;]+|$|(?=\n))")


def level_name(token: str) -> str:
    """'Th11', 'D11', 'T 11' -> 'T11'."""
    token = re.sub(r"[\s-]", "", token).upper()
    if token.startswith(("TH", "D")):
        token = "T" + token.lstrip("THD")
    return token


__all__ = [
    "LEVEL_RANGE",
    "MASS",
    "ORDINAL_LEVEL",
    "RULES",
    "SENTENCE",
    "SPANNING",
    "WORDED_LEVEL",
    "Rule",
    "level_name",
]

"""The default weak-word lists, by word class, in German and English."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_WORDS = 40
LANGUAGES = ("de", "en")


# --- weak-word lists ----------------------------------------------------------------------
#
# Entry notation: a word or phrase, matched literally (case-insensitive, whole words;
# a space matches any white space, and "z. B." also matches "z.B."). A trailing "~"
# adds the German adjective endings (schnell → schnelle, schneller, schnellsten), a
# trailing "+" the endings of a word that ends in -e (alle → allen, aller, alles).
# An entry "name=regex" is a regular expression reported under ``name`` (which is also
# what ``[lint] allow`` compares with).


@dataclass(frozen=True)
class WordClass:
    label: str
    hint_de: str
    hint_en: str

    def hint(self, language: str) -> str:
        return self.hint_de if language == "de" else self.hint_en


_MEASURE = "name a measurable value with a unit (e.g. {example})"
CLASSES: dict[str, WordClass] = {
    "vague": WordClass(
        "vague quality",
        _MEASURE.format(example="'innerhalb von 2 s', '99,5 %'"),
        _MEASURE.format(example="'within 2 s', '99.5 %'"),
    ),
    "quantity": WordClass(
        "vague quantity",
        "give the exact number, or a bounded range with a unit ('mindestens 5', '10 bis 20')",
        "give the exact number, or a bounded range with a unit ('at least 5', '10 to 20')",
    ),
    "loophole": WordClass(
        "escape clause",
        "state the exact condition ('wenn …, dann …') or drop the clause",
        "state the exact condition ('if …, then …') or drop the clause",
    ),
    "open": WordClass(
        "open-ended enumeration",
        "list every element explicitly; examples belong in the rationale",
        "list every element explicitly; examples belong in the rationale",
    ),
    "logic": WordClass(
        "ambiguous logic",
        "write 'und' or 'oder', or split into separate requirements",
        "write 'and' or 'or', or split into separate requirements",
    ),
    "open-point": WordClass(
        "open point",
        "decide the open point before the requirement is agreed",
        "decide the open point before the requirement is agreed",
    ),
    "reference": WordClass(
        "incomplete reference",
        "name the item or section ({need}`LH-…`, document id and chapter)",
        "name the item or section ({need}`LH-…`, document id and chapter)",
    ),
    "filler": WordClass(
        "filler verb",
        "name the precise operations (anlegen, ändern, löschen, anzeigen, exportieren, …)",
        "name the precise operations (create, change, delete, display, export, …)",
    ),
    "superfluous": WordClass(
        "superfluous infinitive",
        "write the action directly ('muss … anlegen')",
        "write the action directly ('shall create', not 'shall be able to create')",
    ),
    "universal": WordClass(
        "universal quantifier",
        "name the exact set (e.g. 'die offenen Opportunities des eigenen Gebiets') and "
        "check for exceptions",
        "name the exact set (e.g. 'each open opportunity') and check for exceptions",
    ),
    "custom": WordClass(
        "project weak word",
        "rephrase with a precise, verifiable term ([lint] in specheft.toml lists this word)",
        "rephrase with a precise, verifiable term ([lint] in specheft.toml lists this word)",
    ),
}

#: Only a finding in a must requirement (an optional part of a binding requirement).
MUST_ONLY = frozenset({"optional", "optionally"})

# no digit later in the same clause: "maximal 5 s" is a bound, "maximale Leistung" is not
_NO_VALUE = r"(?![^.;,\n]{0,40}\d)"

# the verb after a modal verb or "to": "shall support" (not "the support team")
_AFTER_MODAL = (
    "(?:" + "|".join(f"(?<={w} )" for w in ("shall", "must", "ould", "may", "can", " to")) + ")"
)

# fmt: off
WEAK_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "vague": (
            "schnell~", "zügig~", "zeitnah~", "rasch~", "unverzüglich~", "sofort",
            "sofortig~", "rechtzeitig~", "benutzerfreundlich~", "bedienerfreundlich~",
            "anwenderfreundlich~", "intuitiv~", "einfach~", "leicht~", "bequem~",
            "komfortabel", "komfortable+", "übersichtlich~", "ansprechend~", "modern~",
            "zeitgemäß~", "flexibel", "flexible+", "performant~", "leistungsfähig~",
            "stabil~", "robust~", "zuverlässig~", "sicher~", "hochverfügbar~",
            "skalierbar~", "effizient~", "effektiv~", "optimal~", "optimiert~",
            "bestmöglich~", "nahtlos~", "transparent~", "hoch", "hohe+", "höher~",
            "höchst~", "niedrig~", "groß~", "größer~", "größt~", "klein~", "gut~",
            "besser~", "best~", "angemessen~", "ausreichend~", "hinreichend~",
            "geeignet~", "adäquat~", "sinnvoll~", "zweckmäßig~", "üblich~", "normal~",
            "signifikant~", "deutlich~", "aktuell~", "zukunftssicher~",
            rf"minimal=minimal(?:e|er|en|es|em)?{_NO_VALUE}",
            rf"maximal=maximal(?:e|er|en|es|em)?{_NO_VALUE}",
        ),
        "quantity": (
            "einige+", "mehrere+", "viele+", "wenige+", "diverse+", "verschiedene+",
            "zahlreiche+", "gewisse+", "etwa", "ca.", "circa", "ungefähr~",
            r"rund=rund(?!\s+um\s+die\s+uhr)", "nahezu", "fast", "weitgehend~",
            "im Wesentlichen", "im Allgemeinen", "in der Regel", "normalerweise",
            "üblicherweise", "typischerweise", "grundsätzlich~",
        ),
        "loophole": (
            "ggf.", "ggfs.", "gegebenenfalls", "möglichst", "so weit wie möglich",
            "soweit wie möglich", "so weit möglich", "soweit möglich", "nach Möglichkeit",
            "wenn möglich", "falls möglich", "sofern möglich", "bei Bedarf", "falls nötig",
            "wenn nötig", "falls erforderlich", "wenn erforderlich", "soweit erforderlich",
            "sofern erforderlich", "sofern sinnvoll", "wenn sinnvoll", "evtl.",
            "eventuell~", "u. U.", "unter Umständen", "vorzugsweise", "idealerweise",
            "optional",
        ),
        "open": (
            "usw.", "etc.", "etc", "u. a.", "unter anderem", "und so weiter", "o. ä.",
            "oder ähnlich~", "und ähnlich~", "z. B.", "zum Beispiel", "beispielsweise",
            "bspw.", "wie etwa", "sowie weitere+", "u. v. m.", "und vieles mehr", "…",
            "...",
        ),
        "logic": ("und/oder", "bzw.", "beziehungsweise"),
        "open-point": (
            "TBD", "TBC", "TBA", "n. n.", "noch zu klären", "noch zu definieren",
            "noch festzulegen", "noch zu bestimmen", "zu klären", "noch offen",
            r"offen=(?<=[(\[])offen(?=[)\]])|offen(?=\s*[:?])"
            r"|(?:ist|bleibt|bleiben)\s+offen(?![\w-])",
            "folgt noch", "folgen noch", "(folgt)",
        ),
        "reference": (
            "siehe oben", "siehe unten", "s. o.", "s. u.", "wie oben beschrieben",
            "oben genannt~", "obig~",
        ),
        "filler": (
            "unterstützen", "unterstützt", "ermöglichen", "ermöglicht", "verwalten",
            "verwaltet", "bearbeiten", "bearbeitet", "handhaben", "handhabt", "gehandhabt",
            "abbilden", "abbildet", "abgebildet", "abzubilden", "gewährleisten",
            "gewährleistet", "sicherstellen", "sicherstellt", "sichergestellt",
            "sicherzustellen", "berücksichtigen", "berücksichtigt", "bereitstellen",
            "bereitstellt", "bereitgestellt", "bereitzustellen",
        ),
        "universal": (
            "alle+", "jede+", "immer", "stets", "nie", "niemals", "kein", "keine+", "sämtliche+",
            "jederzeit", "ständig~", "ausnahmslos",
        ),
    },
    "en": {
        "vague": (
            "fast", "faster", "fastest", "quick", "quicker", "quickly", "rapid", "rapidly",
            "slow", "user-friendly", "user friendly", "easy", "easier", "easily",
            "easy to use", "simple", "simply", "intuitive", "intuitively", "convenient",
            "comfortable", "modern", "state-of-the-art", "state of the art", "flexible",
            "robust", "stable", "reliable", "secure", "scalable", "efficient",
            "efficiently", "effective", "effectively", "performant", "seamless",
            "seamlessly", "smooth", "smoothly", "clear", "clearly", "transparent", "high",
            "higher", "low", "lower", "large", "larger", "small", "smaller", "good",
            "better", "best", "optimal", "optimally", "optimized", "optimised", "maximize",
            "maximise", "minimize", "minimise", "sufficient", "sufficiently", "adequate",
            "adequately", "appropriate", "appropriately", "reasonable", "reasonably",
            "normal", "normally", "typical", "typically", "significant", "significantly",
            "timely", "real-time", "real time", "immediately", "soon", "recent",
            "recently", "latest", r"most=(?<!at )most",
            rf"minimal=minimal{_NO_VALUE}",
        ),
        "quantity": (
            "some", "several", "many", "few", "a few", "a lot of", "various", "numerous",
            "approximately", "approx.", "roughly", "nearly", "almost",
            r"about=about(?=\s+\d)", r"around=around(?=\s+\d)",
            r"up to=up\s+to(?!\s+\d)",
        ),
        "loophole": (
            "if possible", "where possible", "as far as possible", "as much as possible",
            "as little as possible", "so far as is possible", "if necessary", "if needed",
            "when necessary", "when needed", "as appropriate", "as required", "as needed",
            "as applicable", "where applicable", "if applicable", "to the extent practical",
            "to the extent necessary", "if practicable", "if it should prove necessary",
            "possibly", "eventually", "preferably", "ideally", "optional", "optionally",
        ),
        "open": (
            "etc.", "etc", "and so on", "and so forth", "including but not limited to",
            "but not limited to", "among others", "and the like", "e. g.", "for example",
            "such as", "…", "...",
        ),
        "logic": ("and/or",),
        "open-point": (
            "TBD", "TBC", "TBS", "TBR", "TBE", "TBA", "to be defined", "to be determined",
            "to be clarified", "to be confirmed", "not defined", "not determined",
        ),
        "reference": ("see above", "see below", "as mentioned above", "as stated above"),
        "filler": (
            "provide support", "provide for",
            rf"support={_AFTER_MODAL}support",
            rf"handle={_AFTER_MODAL}handle",
            rf"manage={_AFTER_MODAL}manage",
        ),
        "superfluous": (
            "be able to", "be capable of", "be designed to", "have the ability to",
            "has the ability to", "have the capability to", "has the capability to",
        ),
        "universal": ("all", "every", "always", "never", "none", "any"),
    },
}
# fmt: on

# "/" used as "or" between two words ("Firma/Person"); not acronym pairs (TCP/IP) or units
SLASH = (
    r"slash=(?<![\w/.:-])(?-i:(?![A-ZÄÖÜ-]+/[A-ZÄÖÜ-]+(?![\w/])))"
    r"{w}/{w}(?![\w/])".replace("{w}", "[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]*[A-Za-zÄÖÜäöüß]")
)

ADJ_ENDINGS = "(?:e|er|en|es|em|ere|eren|erer|eres|erem|ste|sten|ster|stes|stem)?"
E_ENDINGS = "(?:n|r|s|m)?"

"""Requirement-quality rules (group ``lint``); registered with the trace rules.

The rules read the *statement* of each active requirement — the body of a ``req``
item in the project language (``[project] language``), and for a catalogue item
(``catreq``) both its German body and its English ``statement_en`` — after MyST
markup is stripped (roles, emphasis, literals, links). Each rule is one pass over
the items; the patterns are compiled once per configuration.

==================  ===================================================================
rule                finds
==================  ===================================================================
lint-weak-word      vague and weak words from the default lists (../shared/domain.md
                    §2.4), extended by ``[lint] weak_words_de``/``weak_words_en``;
                    ``[lint] allow`` names words and phrases that are never flagged
lint-modal          no modal verb, modal verbs of different priorities, a modal verb
                    that does not match the priority, Konjunktiv (sollte, könnte, …;
                    could, would, might)
lint-multiple       more than one requirement in one item (a second modal verb:
                    "und … muss", "; … soll", a second sentence with a modal verb)
lint-acceptance     a requirement without an acceptance criterion (an error for must)
lint-length         a statement longer than ``[lint] max_words`` words (default 40)
lint-passive        passive voice without an actor ("wird … angezeigt" without
                    "von/durch"; "is … sent" without "by")
==================  ===================================================================

Word matching is case-insensitive on whole words: a word never matches inside a
compound or a hyphenated word ("rund" not in "Grund", "schnell" not in
"Schnellsuche"). German adjectives match with their endings ("schnelle", "schneller",
"am schnellsten"). Words added in ``[lint]`` match literally; a trailing ``*`` lets a
word match with any ending (``"zeitnah*"``).

Judgement calls, so that correct requirements pass: "maximal"/"minimal" only without
a number in the same clause ("maximal 2 s" is a bound); "about", "around" only before a
number and "up to" only without one; "support", "handle", "manage" only as verbs after
a modal verb or "to" ("the support team" passes); "optional" only in a must
requirement; "/" between two words ("Firma/Person") but not between acronyms (TCP/IP)
or in units (km/h) — ``allow = ["/"]`` turns that check off. The Konjunktiv and other
weak modal verbs are reported once, by ``lint-modal``, not also as weak words. A
passive in a condition clause ("Wenn eine Firma gespeichert wird, …", "When an order
is released, …") names the triggering event, not a missing actor, and passes.

Lines: a finding names the line of the word inside the item's body (sphinx-needs'
``lineno_content``, see ``Item.content_line``); findings in ``statement_en`` and
about the item as a whole name the item's line.

Modules: ``words`` (the lists), ``matching`` (weak words compiled per configuration),
``statements`` (markup stripped, sentences, clauses), ``modals`` (modal verbs),
``options`` (``[lint]`` → :class:`~specheft.trace.lint.options.LintOptions`) and
``checks`` (the rules; :mod:`specheft.trace.rules` imports it, which registers them).
"""

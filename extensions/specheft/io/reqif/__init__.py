"""ReqIF 1.2 exchange (#15): an own lxml writer and a hardened lxml reader side by side.

``model`` is the neutral form both sides share (documents, headings, items, links);
``export`` turns the project's items into it and writes ReqIF; ``read`` parses a
ReqIF/.reqifz file into it; ``myst`` writes it as MyST source pages.
"""

from __future__ import annotations

NS = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: the namespace of the draft that came before the standard; tools of 2010/11 wrote it
OLD_NS = "http://www.omg.org/spec/ReqIF/20101201/reqif.xsd"

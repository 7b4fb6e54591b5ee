"""Decisions before they are taken: business impact analysis (``bia``), predicted availability
and the availability dial (``availability``), and business cases (``case``)."""

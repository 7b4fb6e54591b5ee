"""Documents for the business: Business Impact Statements, service reviews, executive summaries.

One data-gathering function per document (``incident.gather_incident``, ``review.gather_review``,
``executive.gather_executive``) returns a plain dataclass whose figures come from the replay
engine; ``render`` turns any of them into Markdown, HTML or PDF through the Jinja2 templates in
``templates/``; ``schedule`` mails them on a timetable.
"""

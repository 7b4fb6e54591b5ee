"""Business impact analysis: questionnaires assessed into tiers, RTO and RPO."""

"""Predicted availability from MTBF/MTTR (``predict``), the dial of what a nine more costs
and saves (``dial``), Monte Carlo years (``simulation``), and dial files (``dial_files``)."""

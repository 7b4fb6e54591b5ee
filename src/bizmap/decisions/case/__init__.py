"""Business cases: cash flows, NPV, IRR, payback and sensitivity, their files and charts."""

"""The engine: the live state over one timeline (``live_engine``), the offline replay of an
event log over the same timeline (``replay``), and incident tracking (``incidents``). No I/O."""

"""The running server's runtime, apart from HTTP: starting and reloading (``runtime``), the
writer that stores and applies events (``writer``), and the steps that run after each batch,
in the order ``runtime`` lists them: incidents, burn-rate alerts, live updates, notifications.
The demo's event simulator lives here too."""

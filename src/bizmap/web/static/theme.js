/* The colour theme: the system's (prefers-color-scheme) unless the viewer chose one with the
   button in the top bar, kept in this browser. Loaded before the page paints: no flash. */
(function () {
  "use strict";
  var KEY = "bizmap-theme";
  var root = document.documentElement;
  var chosen = null;
  try { chosen = window.localStorage.getItem(KEY); } catch (e) { chosen = null; }
  if (chosen === "dark" || chosen === "light") root.setAttribute("data-theme", chosen);

  function dark() {
    var theme = root.getAttribute("data-theme");
    if (theme) return theme === "dark";
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    button.hidden = false;
    button.setAttribute("aria-pressed", String(dark()));
    button.addEventListener("click", function () {
      var next = dark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      button.setAttribute("aria-pressed", String(next === "dark"));
    });
  });
})();

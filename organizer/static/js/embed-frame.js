// Inside the embed frame (templates/embeds/_layout.html): tell the page that frames us how
// tall we are, so that it sizes the frame (static/embed.js). Messages go to the framing
// page's origin only, never to "*"; without one we know, nothing is sent.
(function () {
  "use strict";
  if (window.parent === window) return;

  function originOf(url) {
    try { return new URL(url).origin; } catch (error) { return ""; }
  }

  function parentOrigin() {
    // The browser's own word first (Chromium, Safari); else what the form carried over a
    // POST; else the referrer, which is the framing page on the first load.
    var ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length) return ancestors[0];
    var carried = document.body.getAttribute("data-parent-origin");
    if (carried) return carried;
    var referrer = originOf(document.referrer);
    return referrer && referrer !== window.location.origin ? referrer : "";
  }

  var target = "";

  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "cahier:resize", height: height }, target);
  }

  function init() {
    target = parentOrigin();
    if (!target || target === "null") return;
    var field = document.querySelector('input[name="parent"]');
    if (field) field.value = target;
    report();
    if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// Cahier's embed script. On the host page it finds
//   <div data-cahier-sign="<slug>" data-source="<code>" data-lang="fr" data-theme="dark">
//   <div data-cahier-count="<slug>">
// and puts in each an iframe of Cahier's own page. It adds no stylesheet and loads nothing
// else: the frame's styles stay in the frame. The frame reports its height through
// postMessage, and only messages from Cahier's origin, from one of our frames, are heard.
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src$="/embed.js"]');
  if (!script) return;
  var cahier = new URL(script.src, window.location.href).origin;
  var frames = [];

  function url(kind, slug, box) {
    var address = new URL("/embed/" + encodeURIComponent(slug) + "/" + kind, cahier);
    var lang = box.getAttribute("data-lang") || document.documentElement.lang || "";
    if (lang) address.searchParams.set("lang", lang.slice(0, 2).toLowerCase());
    var source = box.getAttribute("data-source");
    if (source && kind === "sign") address.searchParams.set("source", source);
    var theme = box.getAttribute("data-theme");
    if (theme && theme !== "light") address.searchParams.set("theme", theme);
    return address.href;
  }

  function insert(box, kind, slug) {
    if (box.getAttribute("data-cahier-ready")) return;
    box.setAttribute("data-cahier-ready", "1");
    var frame = document.createElement("iframe");
    frame.src = url(kind, slug, box);
    frame.title = box.getAttribute("data-title") || "Cahier";
    frame.loading = "lazy";
    // On the element itself, not in a stylesheet: the host page's own rules stay untouched.
    frame.style.cssText = "border:0;width:100%;max-width:40rem;display:block;height:" +
      (kind === "sign" ? "760px" : "130px");
    box.appendChild(frame);
    frames.push(frame);
  }

  function heard(event) {
    if (event.origin !== cahier) return;
    var data = event.data;
    if (!data || data.type !== "cahier:resize" || typeof data.height !== "number") return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(80, Math.min(4000, Math.round(data.height))) + "px";
      }
    }
  }

  function init() {
    var boxes = document.querySelectorAll("[data-cahier-sign], [data-cahier-count]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var sign = box.getAttribute("data-cahier-sign");
      if (sign) insert(box, "sign", sign);
      else insert(box, "count", box.getAttribute("data-cahier-count"));
    }
  }

  window.addEventListener("message", heard);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

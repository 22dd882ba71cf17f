// Copy buttons for hashes: <button data-copy="…" data-copied="…" hidden>.
// Without JavaScript (or a clipboard) the button stays hidden and the hash stays
// selectable in one click (user-select: all).
(function () {
  "use strict";

  function selectText(button) {
    var code = button.parentNode.querySelector("code");
    if (!code || !window.getSelection) return;
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function done(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || label;
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }

  function copy(button) {
    var text = button.getAttribute("data-copy");
    selectText(button);
    // The text is selected first, so the older command can copy it when the
    // asynchronous clipboard is missing or refused (plain http, a strict browser).
    function fallback() {
      if (document.execCommand && document.execCommand("copy")) done(button);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(button); }, fallback);
    } else {
      fallback();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      button.hidden = false;
      button.addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

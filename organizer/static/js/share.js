// Share boxes: the copy button, and the Mastodon instance remembered in localStorage.
// Without JavaScript every link still works: Mastodon's goes to our page that asks for
// the instance, and the address is in a field to select. The instance never leaves the
// browser except to go to that instance.
(function () {
  "use strict";

  var KEY = "cahier.mastodon.instance";
  var HOST = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

  function stored() {
    try { return window.localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  function remember(instance) {
    try { window.localStorage.setItem(KEY, instance); } catch (e) { /* private mode */ }
  }

  // As the server reads it: "https://mastodon.social/", "@ada@mastodon.social" or the host.
  function instanceOf(text) {
    var value = (text || "").trim().toLowerCase().replace(/^https?:\/\//, "");
    value = value.split("/")[0];
    value = value.slice(value.lastIndexOf("@") + 1);
    return HOST.test(value) ? value : "";
  }

  function shareUrl(instance, text) {
    return "https://" + instance + "/share?text=" + encodeURIComponent(text);
  }

  function initMastodonLinks() {
    var instance = stored();
    if (!instance) return;
    var links = document.querySelectorAll("a[data-mastodon-text]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      link.href = shareUrl(instance, link.getAttribute("data-mastodon-text"));
      link.target = "_blank";
      var label = link.querySelector(".mastodon-instance");
      if (label) { label.textContent = " (" + instance + ")"; label.hidden = false; }
      var change = link.parentNode.querySelector(".mastodon-change");
      if (change) change.hidden = false;
    }
  }

  function initMastodonForm() {
    var form = document.querySelector("form[data-mastodon-text]");
    if (!form) return;
    var input = form.querySelector("input[name=instance]");
    if (input && !input.value) input.value = stored();
    form.addEventListener("submit", function (event) {
      var instance = instanceOf(input.value);
      if (!instance) return; // the server explains what is wrong
      event.preventDefault();
      remember(instance);
      window.location.assign(shareUrl(instance, form.getAttribute("data-mastodon-text")));
    });
  }

  function say(status, key, fallback) {
    status.textContent = status.getAttribute(key) || "";
    status.classList.toggle("is-fallback", fallback);
  }

  function bindCopy(button) {
    var box = button.closest(".share-copy");
    var field = box.querySelector("input");
    var status = box.querySelector(".share-copied");
    function fallback() {
      field.focus();
      field.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(status, copied ? "data-copied" : "data-fallback", !copied);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-share-copy");
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () {
          say(status, "data-copied", false);
        }, fallback);
      } else {
        fallback();
      }
    });
  }

  function initCopy() {
    var buttons = document.querySelectorAll("button[data-share-copy]");
    for (var i = 0; i < buttons.length; i++) bindCopy(buttons[i]);
  }

  function init() {
    initMastodonLinks();
    initMastodonForm();
    initCopy();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

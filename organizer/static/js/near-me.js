// City suggestions for inputs tied to a <datalist data-source>, and "Use my location" on
// the screenings listing. The position is rounded to 2 decimals (about a kilometre) before
// it leaves the browser; the server uses it for one search and keeps nothing.
(function () {
  "use strict";

  function suggestions(input, list) {
    var source = list.getAttribute("data-source");
    var place = document.getElementById("place");
    var found = {};
    var pending = null;
    input.addEventListener("input", function () {
      var typed = input.value.trim();
      if (place) { place.value = found[input.value] || ""; }
      if (typed.length < 2 || found[input.value]) { return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(source + "?q=" + encodeURIComponent(typed), { signal: pending.signal })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (cities) {
          list.replaceChildren();
          cities.forEach(function (city) {
            var option = document.createElement("option");
            option.value = city.label;
            found[city.label] = String(city.id);
            list.appendChild(option);
          });
        })
        .catch(function () { /* an aborted or failed look-up just leaves no suggestions */ });
    });
  }

  function locationButton(button) {
    var form = button.form;
    var status = document.getElementById("location-status");
    if (!form || !navigator.geolocation) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(2);
        form.elements.lon.value = position.coords.longitude.toFixed(2);
        form.elements.near.value = "";
        form.elements.place.value = "";
        form.submit();
      }, function () {
        status.textContent = button.getAttribute("data-denied");
      });
    });
  }

  document.querySelectorAll("input[list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (list && list.hasAttribute("data-source")) { suggestions(input, list); }
  });
  var button = document.getElementById("use-location");
  if (button) { locationButton(button); }
})();

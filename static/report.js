// Vigie: small enhancements of the report form. Everything works without this file.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var gps = $("gps"), lat = $("lat"), lon = $("lon"), method = $("location_method"), text = $("location-text");

  function setPoint(la, lo, how, message) {
    lat.value = la.toFixed(5); lon.value = lo.toFixed(5); method.value = how;
    document.querySelectorAll("input[name=place_id]").forEach(function (r) { if (r.type === "radio") r.checked = false; else r.remove(); });
    text.hidden = false;
    text.textContent = message + " (" + lat.value + ", " + lon.value + ")";
  }

  if (gps && navigator.geolocation) {
    gps.hidden = false;
    // Privacy: the position is read only when the person presses the button.
    $("gps-button").addEventListener("click", function () {
      text.hidden = false; text.textContent = gps.dataset.wait;
      navigator.geolocation.getCurrentPosition(function (p) {
        setPoint(p.coords.latitude, p.coords.longitude, "gps", gps.dataset.done);
      }, function () { text.textContent = gps.dataset.fail; }, { enableHighAccuracy: true, timeout: 20000 });
    });
  }

  var map = $("map");
  if (map && gps) {
    map.addEventListener("click", function (e) {
      var p = map.dataset.proj.split(" ").map(Number); // min_lon max_lat scale kx margin
      var r = map.getBoundingClientRect();
      var x = (e.clientX - r.left) * (map.width / r.width), y = (e.clientY - r.top) * (map.height / r.height);
      if (!e.clientX && !e.clientY) return; // keyboard: let the form do it
      e.preventDefault();
      setPoint(p[1] - (y - p[4]) / p[2], p[0] + (x - p[4]) / (p[3] * p[2]), "map", gps.dataset.map);
    });
  }

  var q = $("place_query"), list = $("place-results"), timer;
  if (q && list && window.fetch) {
    q.addEventListener("input", function () {
      clearTimeout(timer);
      var v = q.value.trim();
      if (v.length < 2) return;
      timer = setTimeout(function () {
        // Privacy: what the person typed goes in the body of a POST, never in a URL that a
        // proxy would log; the form's CSRF token goes with it.
        var token = document.querySelector("input[name=csrf]");
        fetch("/api/v1/places?lang=" + encodeURIComponent(gps ? gps.dataset.lang : "fr"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": token ? token.value : "" },
          body: JSON.stringify({ q: v, limit: 6 })
        })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (places) {
            list.textContent = "";
            places.forEach(function (p) {
              var li = document.createElement("li"), label = document.createElement("label"), input = document.createElement("input");
              label.className = "check"; input.type = "radio"; input.name = "place_id"; input.value = p.id;
              input.addEventListener("change", function () {
                lat.value = ""; lon.value = ""; method.value = "place";
                text.hidden = false; text.textContent = label.textContent.trim();
              });
              label.appendChild(input);
              label.appendChild(document.createTextNode(" " + p.name + " (" + [p.cercle && p.cercle.name, p.region && p.region.name].filter(Boolean).join(", ") + ")"));
              li.appendChild(label); list.appendChild(li);
            });
          }).catch(function () {});
      }, 300);
    });
  }

  // The receipt is shown once: warn before leaving until the person says it is written down.
  var kept = $("kept");
  if (kept) {
    window.addEventListener("beforeunload", function (e) {
      if (!kept.checked) { e.preventDefault(); e.returnValue = $("kept-form").dataset.leave; }
    });
  }
})();

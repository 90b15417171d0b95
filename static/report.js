// Vigie: small enhancements of the report form. Everything works without this file.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var gps = $("gps"), lat = $("lat"), lon = $("lon"), method = $("location_method"), text = $("location-text");
  var loc = $("loc"), chosenPlace = $("chosen_place"), chosenAdmin = $("chosen_admin"), admin = $("admin");
  var marker = $("marker"), token = document.querySelector("input[name=csrf]");

  function say(message) {
    text.hidden = false; text.textContent = message;
  }

  // One location at a time: each choice clears the others, and the page says which one is sent.
  function clearPlaces() {
    document.querySelectorAll("input[name=place_id]").forEach(function (r) { r.checked = false; });
    chosenPlace.value = "";
  }
  function clearPoint() {
    lat.value = ""; lon.value = ""; method.value = "";
    if (marker) { marker.setAttribute("cx", "-20"); marker.setAttribute("cy", "-20"); }
  }

  function setPoint(la, lo, how, x, y) {
    clearPlaces();
    if (admin) admin.value = "";
    chosenAdmin.value = "";
    lat.value = la.toFixed(5); lon.value = lo.toFixed(5); method.value = how; loc.value = "point";
    if (marker && x !== undefined) { marker.setAttribute("cx", Math.round(x)); marker.setAttribute("cy", Math.round(y)); }
    say(gps ? gps.dataset.wait : "…");
    // The point in words (nearest place, cercle, region), never bare coordinates.
    var body = new URLSearchParams();
    body.set("csrf", token ? token.value : ""); body.set("lat", lat.value); body.set("lon", lon.value);
    var asked = lat.value + "," + lon.value;
    fetch("/reports/locate", { method: "POST", credentials: "same-origin", body: body })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (j && asked === lat.value + "," + lon.value && loc.value === "point") say(j.text);
      }).catch(function () {});
  }

  if (gps && navigator.geolocation) {
    gps.hidden = false;
    // Privacy: the position is read only when the person presses the button.
    $("gps-button").addEventListener("click", function () {
      say(gps.dataset.wait);
      navigator.geolocation.getCurrentPosition(function (p) {
        setPoint(p.coords.latitude, p.coords.longitude, "gps");
      }, function () { say(gps.dataset.fail); }, { enableHighAccuracy: true, timeout: 20000 });
    });
  }

  var map = $("map");
  if (map && gps && window.fetch && window.URLSearchParams) {
    map.addEventListener("click", function (e) {
      var p = map.dataset.proj.split(" ").map(Number); // min_lon max_lat scale kx margin
      var r = map.getBoundingClientRect();
      var x = (e.clientX - r.left) * (map.width / r.width), y = (e.clientY - r.top) * (map.height / r.height);
      if (!e.clientX && !e.clientY) return; // keyboard: let the form do it
      e.preventDefault();
      setPoint(p[1] - (y - p[4]) / p[2], p[0] + (x - p[4]) / (p[3] * p[2]), "map", x, y);
    });
  }

  if (admin) {
    admin.addEventListener("change", function () {
      clearPlaces(); clearPoint();
      if (admin.value) {
        var o = admin.options[admin.selectedIndex], g = o.parentNode;
        loc.value = "admin"; chosenAdmin.value = admin.value;
        say(o.textContent.trim() + (g && g.label && o.value.indexOf("|") > 0 ? ", " + g.label : ""));
      } else {
        loc.value = ""; chosenAdmin.value = ""; say(text.dataset.none);
      }
    });
  }

  function pick(input, label) {
    clearPoint();
    if (admin) admin.value = "";
    chosenAdmin.value = "";
    loc.value = "place"; chosenPlace.value = input.value;
    say(label.textContent.trim());
  }
  document.querySelectorAll("#place-results input[type=radio]").forEach(function (r) {
    r.addEventListener("change", function () { pick(r, r.parentNode); });
  });

  var q = $("place_query"), list = $("place-results"), searched = $("place_searched"), timer, asked = 0;
  if (q && list && window.fetch) {
    var search = function () {
      var v = q.value.trim();
      if (v.length < 2) return;
      var mine = ++asked;
      // Privacy: what the person typed goes in the body of a POST, never in a URL that a
      // proxy would log; the form's CSRF token goes with it.
      fetch("/api/v1/places?lang=" + encodeURIComponent(gps ? gps.dataset.lang : "fr"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token ? token.value : "" },
        body: JSON.stringify({ q: v, limit: 6 })
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (places) {
          // A late answer to an older query is dropped: only the newest list is ever shown.
          if (mine !== asked) return;
          // The newer list replaces the old one; a place picked in the old list is no longer
          // chosen, and the page says so.
          if (list.querySelector("input:checked")) {
            loc.value = ""; chosenPlace.value = ""; say(text.dataset.stale);
          }
          list.textContent = "";
          if (searched) searched.value = v;
          if (!places.length) {
            var none = document.createElement("li"); none.className = "hint"; none.id = "no-place";
            none.textContent = list.dataset.none || ""; list.appendChild(none);
          }
          places.forEach(function (p) {
            var li = document.createElement("li"), label = document.createElement("label"), input = document.createElement("input");
            label.className = "check"; input.type = "radio"; input.name = "place_id"; input.value = p.id;
            input.addEventListener("change", function () { pick(input, label); });
            label.appendChild(input);
            var fmt = list.dataset.fmt || "%c, %r";
            var where = fmt.replace("%c", p.cercle ? p.cercle.name : "").replace("%r", p.region ? p.region.name : "");
            label.appendChild(document.createTextNode(" " + p.name + " — " + where + (p.hint ? " (" + p.hint + ")" : "")));
            li.appendChild(label); list.appendChild(li);
          });
        }).catch(function () {});
    };
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 300); });
    // Enter ("Go" on a phone keyboard) in the search box searches; it never sends the report.
    q.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); }
    });
  }

  // A form that came back with errors: focus goes to the first field to fix.
  var errors = $("errors");
  if (errors) {
    var first = $(errors.dataset.first);
    if (first && first.tagName === "FIELDSET") first = first.querySelector("input:not([type=hidden]),select,textarea");
    if (first) setTimeout(function () { first.focus(); }, 0);
  }

  // The voice recorder: its script is fetched only when the person chooses to record.
  var rec = $("recorder");
  if (rec && window.MediaRecorder && navigator.mediaDevices && window.DataTransfer) {
    rec.hidden = false;
    $("recorder-open").addEventListener("click", function () {
      if (window.vigieRecorder) { window.vigieRecorder(rec); return; }
      var s = document.createElement("script");
      s.src = "/static/recorder.js";
      s.onload = function () { window.vigieRecorder(rec); };
      document.head.appendChild(s);
    });
  }

  // "Listen" beside a text and the receipt: the operator's recordings, else the browser's voice.
  document.querySelectorAll("[data-say]").forEach(function (b) {
    var synth = window.speechSynthesis;
    if (!synth) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      synth.cancel();
      var u = new SpeechSynthesisUtterance(b.dataset.say);
      u.lang = document.documentElement.lang; u.rate = 0.7;
      synth.speak(u);
    });
  });

  // A recorded prompt plays in the page instead of opening the player.
  var playing = null;
  document.querySelectorAll("a[data-audio]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      if (playing) playing.pause();
      playing = new Audio(a.href); playing.play();
    });
  });

  // The receipt is shown once: warn before leaving until the person says it is written down.
  var kept = $("kept");
  if (kept) {
    window.addEventListener("beforeunload", function (e) {
      if (!kept.checked) { e.preventDefault(); e.returnValue = $("kept-form").dataset.leave; }
    });
  }
})();

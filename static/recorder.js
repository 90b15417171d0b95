// Vigie: the voice recorder of the report form, loaded only when the person chooses to record.
// Record, stop, listen, record again; the recording becomes the form's `voice` file, so the
// form is sent as without JavaScript. Nothing is sent before the person presses Send.
window.vigieRecorder = function (box) {
  "use strict";
  var d = box.dataset, input = document.getElementById("voice"), open = document.getElementById("recorder-open");
  var limit = (parseInt(d.minutes, 10) || 5) * 60;
  var ui = box.querySelector(".rec");
  if (!ui) {
    ui = document.createElement("div"); ui.className = "rec";
    ui.innerHTML = '<button type="button" class="big" id="recorder-stop"></button><span role="status" aria-live="polite" id="recorder-status"></span><audio controls hidden id="recorder-audio"></audio>';
    box.appendChild(ui);
  }
  var stop = ui.querySelector("#recorder-stop"), status = ui.querySelector("#recorder-status"), audio = ui.querySelector("#recorder-audio");
  stop.textContent = d.stop; stop.hidden = false; open.hidden = true; audio.hidden = true;
  function pick() {
    var types = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm", "audio/mp4"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }
  navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
    var type = pick(), chunks = [], started = Date.now(), timer;
    var mr = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 32000 } : undefined);
    mr.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
    mr.onstop = function () {
      clearInterval(timer);
      stream.getTracks().forEach(function (t) { t.stop(); });
      var mime = (mr.mimeType || type || "audio/webm").split(";")[0];
      var ext = mime.indexOf("ogg") >= 0 ? "ogg" : mime.indexOf("mp4") >= 0 ? "m4a" : "webm";
      var blob = new Blob(chunks, { type: mime });
      var dt = new DataTransfer();
      dt.items.add(new File([blob], "voice." + ext, { type: mime }));
      input.files = dt.files;
      audio.src = URL.createObjectURL(blob); audio.hidden = false;
      status.textContent = d.ready;
      stop.hidden = true; open.hidden = false; open.textContent = d.again;
    };
    stop.onclick = function () { if (mr.state !== "inactive") mr.stop(); };
    timer = setInterval(function () {
      var s = Math.round((Date.now() - started) / 1000);
      status.textContent = d.recording + " " + Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      if (s >= limit && mr.state !== "inactive") mr.stop();
    }, 500);
    mr.start(1000);
  }, function () {
    status.textContent = d.denied; stop.hidden = true; open.hidden = false;
  });
};

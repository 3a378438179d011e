/* Camera scanner for the check-in desk. Uses the browser's BarcodeDetector when it reads QR
   codes, otherwise jsQR (static/js/vendor, loaded on first use). A code read is handed to
   checkin.js with a "checkin:code" event; the same code is ignored for a few seconds so that a
   ticket held in front of the camera is sent once. */
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  var box = document.getElementById("camera");
  if (!root || !box || !root.dataset.scanUrl) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return; // stays hidden

  var data = root.dataset;
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var SAME_CODE_MS = 4000;
  var PAUSE_AFTER_READ_MS = 1200;
  var FRAME_MS = 120;

  var stream = null;
  var detector = null;
  var canvas = null;
  var context = null;
  var timer = null;
  var lastCode = "";
  var lastAt = 0;

  box.hidden = false;

  function say(key) {
    status.textContent = data["t" + key] || "";
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = data.jsqrUrl;
      script.onload = function () {
        if (window.jsQR) resolve();
        else reject(new Error("jsQR missing"));
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function chooseDecoder() {
    if (!("BarcodeDetector" in window)) return loadJsQR().then(function () { return null; });
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") !== -1) {
          return new window.BarcodeDetector({ formats: ["qr_code"] });
        }
        return loadJsQR().then(function () { return null; });
      })
      .catch(function () {
        return loadJsQR().then(function () { return null; });
      });
  }

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : "";
      });
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) return Promise.resolve("");
    // Decode a reduced frame: fast enough on a phone, still plenty for a ticket's QR code.
    var scale = Math.min(1, 720 / Math.max(width, height));
    width = Math.round(width * scale);
    height = Math.round(height * scale);
    if (!canvas) {
      canvas = document.createElement("canvas");
      context = canvas.getContext("2d", { willReadFrequently: true });
    }
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var found = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : "");
  }

  function loop() {
    if (!stream) return;
    readFrame()
      .then(function (code) {
        var now = Date.now();
        if (code && (code !== lastCode || now - lastAt > SAME_CODE_MS)) {
          lastCode = code;
          lastAt = now;
          document.dispatchEvent(new CustomEvent("checkin:code", { detail: code }));
          return PAUSE_AFTER_READ_MS;
        }
        if (code) lastAt = now; // still in front of the camera: keep ignoring it
        return FRAME_MS;
      })
      .catch(function () {
        return FRAME_MS * 4;
      })
      .then(function (delay) {
        if (stream) timer = window.setTimeout(loop, delay);
      });
  }

  function stop() {
    window.clearTimeout(timer);
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    status.textContent = "";
  }

  function start() {
    if (!window.isSecureContext) {
      say("CameraInsecure");
      return;
    }
    say("CameraStarting");
    startButton.hidden = true;
    chooseDecoder()
      .then(
        function (chosen) {
          detector = chosen;
          return navigator.mediaDevices.getUserMedia({
            video: { facingMode: { ideal: "environment" } },
            audio: false,
          });
        },
        function (error) {
          error.decoder = true;
          throw error;
        }
      )
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        say("CameraOn");
        loop();
      })
      .catch(function (error) {
        stop();
        if (error && error.decoder) say("CameraDecoder");
        else if (error && error.name === "NotAllowedError") say("CameraDenied");
        else if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
          say("CameraMissing");
        } else say("CameraError");
      });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();

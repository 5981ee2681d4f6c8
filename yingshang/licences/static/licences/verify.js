// 核验电子证照: read QR codes in the browser (uploaded images, the camera) with the vendored
// jsQR, put the decoded text into the form and submit it; the server gives the verdict.
// Without JavaScript the page still works for pasted text and uploaded JSON files.
(function () {
  "use strict";

  var form = document.getElementById("verify-form");
  if (!form || typeof window.jsQR !== "function") return;

  var textArea = document.getElementById("verify-text");
  var fileInput = document.getElementById("verify-file");
  var statusLine = document.getElementById("scan-status");
  var scanButton = document.getElementById("scan-button");
  var stopButton = document.getElementById("scan-stop");
  var scanArea = document.getElementById("scan-area");
  var video = document.getElementById("scan-video");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var MAX_IMAGE_SIDE = 2000;
  var FRAME_INTERVAL_MS = 120;
  var stream = null;
  var timer = null;

  function message(name) {
    return form.dataset[name] || "";
  }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function submitDecoded(text) {
    textArea.value = text;
    fileInput.value = "";
    say(message("msgFound"), false);
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // Decode the picture now on the canvas; the QR text or null.
  function decodeCanvas(width, height, inversion) {
    var pixels = context.getImageData(0, 0, width, height);
    var code = window.jsQR(pixels.data, width, height, { inversionAttempts: inversion });
    return code && code.data ? code.data : null;
  }

  function isImage(file) {
    return /^image\//.test(file.type) || /\.(png|jpe?g|gif|bmp|webp)$/i.test(file.name);
  }

  function decodeImageFile(file) {
    say(message("msgReading"), false);
    var url = URL.createObjectURL(file);
    var image = new Image();
    image.onload = function () {
      var side = Math.max(image.naturalWidth, image.naturalHeight) || 1;
      var scale = Math.min(1, MAX_IMAGE_SIDE / side);
      var width = Math.max(1, Math.round(image.naturalWidth * scale));
      var height = Math.max(1, Math.round(image.naturalHeight * scale));
      canvas.width = width;
      canvas.height = height;
      context.fillStyle = "#fff"; // transparent pixels read as white, not black
      context.fillRect(0, 0, width, height);
      context.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(url);
      var text = decodeCanvas(width, height, "attemptBoth");
      if (text) {
        submitDecoded(text);
      } else {
        fileInput.value = "";
        say(message("msgNoQr"), true);
      }
    };
    image.onerror = function () {
      URL.revokeObjectURL(url);
      fileInput.value = "";
      say(message("msgBadImage"), true);
    };
    image.src = url;
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    if (isImage(file)) {
      decodeImageFile(file);
    } else {
      textArea.value = "";
      if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
    }
  });

  // --- The camera ---------------------------------------------------------------------------

  function stopCamera() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    scanArea.hidden = true;
    scanButton.disabled = false;
  }

  function scanFrame() {
    timer = null;
    if (!stream) return;
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (video.readyState >= 2 && width && height) {
      canvas.width = width;
      canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      var text = decodeCanvas(width, height, "dontInvert");
      if (text) {
        stopCamera();
        submitDecoded(text);
        return;
      }
    }
    timer = window.setTimeout(scanFrame, FRAME_INTERVAL_MS);
  }

  function startCamera() {
    scanButton.disabled = true;
    say(message("msgCameraStarting"), false);
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = mediaStream;
        scanArea.hidden = false;
        return video.play();
      })
      .then(function () {
        say(message("msgScanning"), false);
        scanFrame();
      })
      .catch(function (error) {
        stopCamera();
        say(message("msgCameraError") + (error && error.name ? " (" + error.name + ")" : ""), true);
      });
  }

  if (navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function") {
    scanButton.hidden = false;
    scanButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", function () {
      stopCamera();
      say(message("msgStopped"), false);
    });
    window.addEventListener("pagehide", stopCamera);
  }
})();

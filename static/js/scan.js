// Scan a QR code with the phone camera into a text input, then submit its form.
// Markup: <button data-scan-into="INPUT_ID" data-scan-video="VIDEO_ID">; needs ZXingBrowser.
// Camera access needs HTTPS or localhost; typing the code always works as well.
(function () {
  "use strict";
  document.querySelectorAll("[data-scan-into]").forEach(function (button) {
    var input = document.getElementById(button.dataset.scanInto);
    var video = document.getElementById(button.dataset.scanVideo);
    var status = document.getElementById(button.dataset.scanStatus || "");
    if (!input || !video) return;
    if (!window.ZXingBrowser || !navigator.mediaDevices) {
      button.hidden = true;
      return;
    }
    var controls = null;
    button.addEventListener("click", function () {
      if (controls) {
        controls.stop();
        controls = null;
        video.hidden = true;
        return;
      }
      video.hidden = false;
      var reader = new window.ZXingBrowser.BrowserQRCodeReader();
      reader
        .decodeFromVideoDevice(undefined, video, function (result, error, ctl) {
          if (!result) return;
          ctl.stop();
          controls = null;
          video.hidden = true;
          input.value = result.getText().replace(/\D/g, "").slice(0, 8);
          if (input.form) input.form.requestSubmit();
        })
        .then(function (ctl) {
          controls = ctl;
        })
        .catch(function () {
          video.hidden = true;
          if (status) status.hidden = false;
        });
    });
  });
})();
